import { readFileSync } from 'node:fs';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { ROOT } from './manifests.js';

const DOCKERFILE = readFileSync(`${ROOT}/Dockerfile`, 'utf8');

/** What the image must be: pinned base images, production dependencies, a numeric non-root user, node as the command. */
function imageViolations(text: string): string[] {
  const violations = validate(text).map((diagnostic) => `line ${diagnostic.range.start.line + 1}: ${diagnostic.message}`);
  const dockerfile = DockerfileParser.parse(text);
  const args = Object.fromEntries(dockerfile.getInitialARGs().map((arg) => [arg.getProperty()?.getName(), arg.getProperty()?.getValue() ?? '']));
  const stages = dockerfile.getFROMs();
  for (const from of stages) {
    const image = (from.getImage() ?? '').replace(/^\$\{?(\w+)\}?$/, (_, name: string) => args[name] ?? '');
    if (!/^[\w./-]+:\d+\.\d+\.\d+[\w.-]*$/.test(image)) violations.push(`FROM ${from.getImage()}: base image ${image || '(unresolved)'} is not pinned to an exact version`);
  }
  const last = stages.at(-1);
  const runtime = dockerfile.getInstructions().filter((instruction) => last && instruction.getRange().start.line > last.getRange().start.line);
  const keyword = (name: string) => runtime.filter((instruction) => instruction.getKeyword() === name).map((instruction) => instruction.getArgumentsContent() ?? '');
  const user = keyword('USER').at(-1);
  if (!user || !/^[1-9]\d*(:\d+)?$/.test(user)) violations.push(`runtime USER is ${user ?? 'not set'}: it must be a numeric non-root uid`);
  const command = keyword('CMD').at(-1) ?? keyword('ENTRYPOINT').at(-1);
  let argv: unknown;
  try {
    argv = JSON.parse(command ?? '');
  } catch {
    argv = undefined;
  }
  if (!Array.isArray(argv) || argv[0] !== 'node') violations.push(`runtime command ${command ?? '(none)'} must be the exec form of node, so signals reach the service`);
  if (!keyword('ENV').some((env) => /NODE_ENV=production/.test(env))) violations.push('runtime stage does not set NODE_ENV=production');
  if (!/npm ci[^\n]*--omit=dev/.test(text)) violations.push('no stage installs production dependencies only (npm ci --omit=dev)');
  return violations;
}

describe('the Dockerfile', () => {
  it('builds every service from pinned images into a non-root image that runs node directly', () => {
    expect(imageViolations(DOCKERFILE)).toEqual([]);
  });

  it('keeps secrets, dependencies and build output out of the build context', () => {
    const ignored = readFileSync(`${ROOT}/.dockerignore`, 'utf8').split('\n');
    expect(ignored[ignored.findIndex((line) => !line.startsWith('#') && line.trim())]).toBe('*');
    expect(ignored).toEqual(expect.arrayContaining(['**/.env', '**/node_modules', '**/dist']));
    // Of scripts/, only db:backup and db:restore with their libraries (the chart's backup CronJob runs them).
    const backupScripts = ['db-backup.mjs', 'db-restore.mjs', 'lib/backup.mjs', 'lib/database.mjs', 'lib/environment.mjs', 'lib/paths.mjs', 'lib/run.mjs'].map((file) => `!scripts/${file}`);
    expect(ignored.filter((line) => line.startsWith('!'))).toEqual(['!package.json', '!package-lock.json', '!.swcrc', '!apps/', '!libs/', ...backupScripts]);
  });

  it('is refused when it runs as root, floats on latest or starts through npm', () => {
    const broken = 'FROM node:latest\nWORKDIR /app\nRUN npm ci\nUSER root\nCMD npm start\n';
    expect(imageViolations(broken)).toEqual([
      'FROM node:latest: base image node:latest is not pinned to an exact version',
      'runtime USER is root: it must be a numeric non-root uid',
      'runtime command npm start must be the exec form of node, so signals reach the service',
      'runtime stage does not set NODE_ENV=production',
      'no stage installs production dependencies only (npm ci --omit=dev)',
    ]);
  });
});
