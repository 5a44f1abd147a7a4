import { spawnSync } from 'node:child_process';
import { ROOT } from '@helpdesk/testing';
import { describe, expect, it } from 'vitest';

/** Starts a built service with exactly this environment (plus PATH) and returns how it ended. */
function boot(entry: string, env: Record<string, string>) {
  const result = spawnSync(process.execPath, [`${ROOT}/${entry}`], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 15_000 });
  return { status: result.status, stderrLines: result.stderr.trim().split('\n') };
}

const strongKey = 'k9Vq2LmX7pR4tW8zB1nC5hJ3fD6sGa0Y';

describe('a service with bad configuration refuses to boot with one clear line', () => {
  it('names a missing required variable', () => {
    const { status, stderrLines } = boot('dist/apps/gateway/src/main.js', {});
    expect(status).toBe(1);
    expect(stderrLines).toEqual(['gateway: Invalid configuration: SECRET_KEY is required but not set']);
  });

  it('names a malformed variable', () => {
    const { status, stderrLines } = boot('dist/apps/ticket/src/main.js', { DB_PORT: 'five-four-three-two' });
    expect(status).toBe(1);
    expect(stderrLines).toEqual(['ticket: Invalid configuration: DB_PORT must be an integer number (got "five-four-three-two")']);
  });

  it('refuses DEBUG=true in production', () => {
    const { status, stderrLines } = boot('dist/apps/realtime/src/main.js', { NODE_ENV: 'production', DEBUG: 'true', SECRET_KEY: strongKey });
    expect(status).toBe(1);
    expect(stderrLines).toEqual(['realtime: Refusing to start: DEBUG must be false when NODE_ENV=production']);
  });

  it('refuses a weak SECRET_KEY in production', () => {
    const { status, stderrLines } = boot('dist/apps/gateway/src/main.js', { NODE_ENV: 'production', SECRET_KEY: 'change-me-change-me-change-me-change-me', ALLOWED_HOSTS: 'help.example.com' });
    expect(status).toBe(1);
    expect(stderrLines).toHaveLength(1);
    expect(stderrLines[0]).toMatch(/^gateway: Refusing to start: SECRET_KEY must be a random value of at least 32 characters/);
  });

  it('refuses a NATS_URL without credentials in production', () => {
    const { status, stderrLines } = boot('dist/apps/realtime/src/main.js', { NODE_ENV: 'production', SECRET_KEY: strongKey, NATS_URL: 'nats://127.0.0.1:4222' });
    expect(status).toBe(1);
    expect(stderrLines).toEqual([
      'realtime: Refusing to start: NATS_URL must carry this service\'s own NATS user when NODE_ENV=production (nats://<user>:<password>@host:4222, or a token); see docs/deployment.md, "NATS users and permissions per service"',
    ]);
  });

  it('refuses empty ALLOWED_HOSTS in production', () => {
    const { status, stderrLines } = boot('dist/apps/gateway/src/main.js', { NODE_ENV: 'production', SECRET_KEY: strongKey, ALLOWED_HOSTS: '' });
    expect(status).toBe(1);
    expect(stderrLines).toEqual(['gateway: Refusing to start: ALLOWED_HOSTS must list the public host names when NODE_ENV=production']);
  });
});
