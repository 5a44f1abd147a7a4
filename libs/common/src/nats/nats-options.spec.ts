import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from '@nats-io/transport-node';
import { freePort, NATS_SERVER_BINARY, waitFor } from '@helpdesk/testing';
import { natsConnectionOptions, parseNatsUrl } from './nats-options.js';

describe('NATS_URL credentials', () => {
  it('takes user and password (URL-encoded) or a token out of the server addresses', () => {
    expect(parseNatsUrl('nats://ticket:p%40ss%2Fword@nats-0:4222,nats://ticket:p%40ss%2Fword@nats-1:4222')).toEqual({
      servers: ['nats://nats-0:4222', 'nats://nats-1:4222'],
      credentials: { user: 'ticket', pass: 'p@ss/word' },
    });
    expect(parseNatsUrl('tls://s3cr3t-token@nats:4222')).toEqual({ servers: ['tls://nats:4222'], credentials: { token: 's3cr3t-token' } });
    expect(parseNatsUrl('nats://127.0.0.1:4222')).toEqual({ servers: ['nats://127.0.0.1:4222'], credentials: {} });
  });

  it('refuses servers with different credentials', () => {
    expect(() => parseNatsUrl('nats://a:1@nats-0:4222,nats://b:2@nats-1:4222')).toThrow(/same credentials/);
  });

  describe('against a nats-server that requires a user', () => {
    let server: ChildProcess;
    let port: number;

    beforeAll(async () => {
      port = await freePort();
      server = spawn(NATS_SERVER_BINARY, ['-a', '127.0.0.1', '-p', String(port), '--user', 'ticket', '--pass', 'p@ss/word'], { stdio: 'ignore' });
      await waitFor('nats-server with a user', async () => {
        const probe = await connect({ servers: `nats://127.0.0.1:${port}`, user: 'ticket', pass: 'p@ss/word' }).catch(() => undefined);
        await probe?.close();
        return probe !== undefined;
      });
    });

    afterAll(() => {
      server.kill('SIGTERM');
    });

    it('connects with the credentials of NATS_URL', async () => {
      const connection = await connect(natsConnectionOptions({ NATS_URL: `nats://ticket:p%40ss%2Fword@127.0.0.1:${port}` }, 'ticket', 'test'));
      expect(connection.getServer()).toBe(`127.0.0.1:${port}`);
      await connection.flush();
      await connection.close();
    });

    it('is refused without them', async () => {
      await expect(connect({ servers: `nats://127.0.0.1:${port}` })).rejects.toThrow(/authorization/i);
    });
  });
});
