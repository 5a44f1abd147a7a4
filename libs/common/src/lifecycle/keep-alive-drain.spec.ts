import { Module } from '@nestjs/common';
import { TestNatsServer, freePort } from '@helpdesk/testing';
import { IsInt } from 'class-validator';
import { connect, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../bootstrap.js';
import { EnvInt } from '../config/env-transforms.js';
import { loadConfig } from '../config/load-config.js';
import { ServiceConfig } from '../config/service-config.js';

class FixtureConfig extends ServiceConfig {
  @EnvInt()
  @IsInt()
  TEST_PORT = 0;
}

@Module({})
class EmptyModule {}

/** One kept-alive connection written by hand: fetch would pick its own connection and hide which one served. */
class RawConnection {
  private buffered = '';
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (this.buffered += chunk));
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async open(port: number): Promise<RawConnection> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawConnection(socket);
  }

  get isClosed(): boolean {
    return this.socket.destroyed || this.socket.readyState === 'closed';
  }

  /** Sends a GET and answers the response head, lower-cased header names. */
  async get(path: string): Promise<{ status: number; headers: Record<string, string> }> {
    this.buffered = '';
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    const deadline = Date.now() + 10_000;
    while (!this.buffered.includes('\r\n\r\n')) {
      if (this.isClosed) throw new Error(`the server closed the connection before answering ${path}`);
      if (Date.now() > deadline) throw new Error(`no answer to ${path}`);
      await sleep(10);
    }
    const [statusLine = '', ...lines] = this.buffered.slice(0, this.buffered.indexOf('\r\n\r\n')).split('\r\n');
    const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
    return { status: Number(statusLine.split(' ')[1]), headers };
  }

  destroy(): void {
    this.socket.destroy();
  }
}

describe('kept-alive HTTP connections when a service stops', () => {
  let nats: TestNatsServer;
  let service: RunningService;
  let port: number;

  beforeAll(async () => {
    nats = await TestNatsServer.start();
    port = await freePort();
    const config = loadConfig(FixtureConfig, { NATS_URL: nats.url, HOST: '127.0.0.1', TEST_PORT: String(port), METRICS_PORT: '0', LOG_LEVEL: 'warn', SHUTDOWN_GRACE_PERIOD_MS: '10000' });
    service = await startService({ service: 'ticket', configClass: FixtureConfig, module: EmptyModule, port: { variable: 'TEST_PORT' } }, config, { logStream: new PassThrough() });
  });

  afterAll(async () => {
    await service?.shutdown('test end');
    await nats?.destroy();
  });

  it('announces a short keep-alive, and while draining still answers a connection idle for less than that, with Connection: close', async () => {
    const connection = await RawConnection.open(port);
    try {
      // The fixture serves no routes: a 404 is an answer like any other here.
      const before = await connection.get('/anything');
      expect(before.status).toBe(404);
      expect(before.headers['keep-alive']).toBe('timeout=4');
      expect(before.headers.connection).toBe('keep-alive');
      await sleep(500);
      const stopping = service.shutdown('SIGTERM');
      // Idle for 3 s once written: within the announced 4 s, so a client may still use the connection; the
      // server must not have closed it (it used to close connections idle for 2.5 s).
      await sleep(2_500);
      expect(connection.isClosed).toBe(false);
      const during = await connection.get('/anything');
      expect(during.status).toBe(404);
      expect(during.headers.connection).toBe('close');
      await connection.closed;
      expect(await stopping).toBe(0);
    } finally {
      connection.destroy();
    }
  });
});
