import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, TestPostgresServer } from '@helpdesk/testing';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DB_VARIABLES = ['DB_HOST', 'DB_PORT', 'DB_USER', 'DB_PASSWORD', 'PGPASSWORD'] as const;
const saved = Object.fromEntries(DB_VARIABLES.map((name) => [name, process.env[name]]));

// The preparation's own module, as `npm start` and `npm test` run it.
let login: any;
let scratch: string;

beforeAll(async () => {
  login = await import(`${ROOT}/scripts/lib/postgres-login.mjs`);
  scratch = mkdtempSync(join(tmpdir(), 'postgres-login-'));
});

afterEach(() => {
  for (const name of DB_VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const connectionError = (port: number, password?: string): Promise<unknown> => login.connectionError({ host: '127.0.0.1', port, user: 'postgres', password });

describe('needsPassword', () => {
  it('recognizes a refused or missing password, and nothing else', async () => {
    expect(login.needsPassword(new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string'))).toBe(true);
    expect(login.needsPassword(Object.assign(new Error('password authentication failed for user "postgres"'), { code: '28P01' }))).toBe(true);
    expect(login.needsPassword(await connectionError(await freePort()))).toBe(false);
    expect(login.needsPassword(Object.assign(new Error('database "nope" does not exist'), { code: '3D000' }))).toBe(false);
  });
});

describe('generatedPassword', () => {
  it('makes one password, readable by its owner only, and returns the same one afterwards', () => {
    const dataDir = join(scratch, 'reuse');
    const first = login.generatedPassword(dataDir);
    expect(first).toMatch(/^[\w-]{32}$/);
    expect(statSync(join(dataDir, 'postgres-password')).mode & 0o777).toBe(0o600);
    expect(login.generatedPassword(dataDir)).toBe(first);
  });
});

describe('ensureDatabaseLogin on PostgreSQL set up as Debian does (scram-sha-256 over TCP, peer on the socket, no password)', () => {
  let server: TestPostgresServer;

  beforeAll(async () => {
    server = await TestPostgresServer.start({ auth: ['--auth-local=peer', '--auth-host=scram-sha-256'] });
  }, 60_000);

  afterAll(async () => {
    await server?.destroy();
  });

  const useServer = () => {
    process.env.DB_HOST = '127.0.0.1';
    process.env.DB_PORT = String(server.port);
    delete process.env.DB_USER;
    delete process.env.DB_PASSWORD;
    delete process.env.PGPASSWORD;
  };

  it('gives the postgres role a generated password through the socket, uses it, and reuses it on the next run', async () => {
    useServer();
    const dataDir = join(scratch, 'debian');
    expect(login.needsPassword(await connectionError(server.port))).toBe(true);

    await login.ensureDatabaseLogin({ dataDir, socketDir: server.socketDir });

    const password = readFileSync(join(dataDir, 'postgres-password'), 'utf8').trim();
    expect(process.env.DB_PASSWORD).toBe(password);
    expect(process.env.PGPASSWORD).toBe(password);
    expect(await connectionError(server.port, password)).toBeUndefined();

    // The next run starts with the stored password (loadLocalEnvironment) and changes nothing.
    useServer();
    process.env.DB_PASSWORD = password;
    await login.ensureDatabaseLogin({ dataDir, socketDir: server.socketDir });
    expect(readFileSync(join(dataDir, 'postgres-password'), 'utf8').trim()).toBe(password);
  }, 30_000);

  it('never replaces a DB_PASSWORD the user set: it says in one line to correct it', async () => {
    useServer();
    process.env.DB_PASSWORD = 'not-the-password';
    await expect(login.ensureDatabaseLogin({ dataDir: join(scratch, 'user-set'), socketDir: server.socketDir })).rejects.toThrow(
      /^PostgreSQL at 127\.0\.0\.1:\d+ refused the password in DB_PASSWORD for role "postgres": correct DB_PASSWORD \(in \.env or the environment\)\.$/,
    );
  });

  it('when it cannot reach the socket as the postgres user, says in one line what to run', async () => {
    useServer();
    const dataDir = join(scratch, 'no-socket');
    const failure = await login.ensureDatabaseLogin({ dataDir, socketDir: join(scratch, 'no-such-socket-dir') }).catch((error: Error) => error);
    expect(failure.message).not.toContain('\n');
    expect(failure.message).toContain(`Run: sudo -u postgres psql -c "ALTER ROLE postgres WITH LOGIN PASSWORD '$(cat ${dataDir}/postgres-password)'"`);
  });
});
