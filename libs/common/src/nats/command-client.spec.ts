import { Controller, Inject, Logger, Module, UsePipes, ValidationPipe } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { TestNatsServer, freePort, waitFor } from '@helpdesk/testing';
import { IsInt, IsString, Max, Min } from 'class-validator';
import { CLS_ID, ClsService } from 'nestjs-cls';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../bootstrap.js';
import { EnvInt } from '../config/env-transforms.js';
import { loadConfig } from '../config/load-config.js';
import { ServiceConfig } from '../config/service-config.js';
import { CommandError } from '../errors/command-error.js';
import { HealthModule } from '../health/health.module.js';
import { NatsHealthIndicator } from '../health/nats.health.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { CommandClient } from './command-client.js';
import { SLOW_COMMAND_MS } from './rpc-tracking.interceptor.js';

class FixtureConfig extends ServiceConfig {
  @EnvInt()
  @IsInt()
  TEST_PORT = 0;
}

/** Holds the 'held' command inside its handler until the test releases it. */
class HeldCommand {
  entered!: Promise<void>;
  release!: () => void;
  private enter!: () => void;
  private released!: Promise<void>;

  constructor() {
    this.entered = new Promise((resolve) => (this.enter = resolve));
    this.released = new Promise((resolve) => (this.release = resolve));
  }

  async handle(): Promise<void> {
    this.enter();
    await this.released;
  }
}
const held = new HeldCommand();

class GreetingDto {
  @IsString()
  name!: string;

  @Min(1)
  @Max(3)
  @IsInt()
  times!: number;
}

@Controller()
class FixtureController {
  private readonly logger = new Logger('Fixture');

  constructor(@Inject(ClsService) private readonly cls: ClsService) {}

  @MessagePattern('helpdesk.v1.fixture.echo')
  echo(@Payload() data: unknown) {
    this.logger.log('echo handled');
    return { echoed: data, requestId: this.cls.getId() };
  }

  @MessagePattern('helpdesk.v1.fixture.missing')
  missing(): never {
    throw new CommandError('NOT_FOUND', 'Ticket 42 not found');
  }

  @MessagePattern('helpdesk.v1.fixture.crash')
  crash(): never {
    throw new Error('connection string postgres://app:hunter2@db failed');
  }

  @MessagePattern('helpdesk.v1.fixture.greet')
  @UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }))
  greet(@Payload() greeting: GreetingDto) {
    return `${'hello '.repeat(greeting.times)}${greeting.name}`;
  }

  @MessagePattern('helpdesk.v1.fixture.held')
  async hold() {
    await held.handle();
    return { finished: true };
  }

  @MessagePattern('helpdesk.v1.fixture.slow')
  async slow(@Payload() { ms }: { ms: number }) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { finished: true };
  }
}

@Module({ controllers: [FixtureController], imports: [HealthModule.forRoot({ readiness: [NatsHealthIndicator] })] })
class FixtureModule {}

@Module({ imports: [HealthModule.forRoot({ readiness: [NatsHealthIndicator] })] })
class CallerModule {}

describe('NATS commands between two services', () => {
  let nats: TestNatsServer;
  let responder: RunningService;
  let caller: RunningService;
  let commands: CommandClient;
  const responderLogs: Array<Record<string, unknown>> = [];

  const configFor = async () =>
    loadConfig(FixtureConfig, { NATS_URL: nats.url, HOST: '127.0.0.1', TEST_PORT: String(await freePort()), METRICS_PORT: '0', LOG_LEVEL: 'info', NATS_REQUEST_TIMEOUT_MS: '2000' });

  beforeAll(async () => {
    nats = await TestNatsServer.start();
    const logStream = new PassThrough();
    logStream.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) responderLogs.push(JSON.parse(line) as Record<string, unknown>);
    });
    caller = await startService({ service: 'gateway', configClass: FixtureConfig, module: CallerModule, port: { variable: 'TEST_PORT' } }, await configFor(), {
      logStream: new PassThrough(),
    });
    // Nest's static Logger is process-wide and follows the app created last: the responder, whose logs we read.
    responder = await startService({ service: 'ai-proxy', configClass: FixtureConfig, module: FixtureModule, port: { variable: 'TEST_PORT' } }, await configFor(), { logStream });
    commands = caller.app.get(CommandClient);
  });

  afterAll(async () => {
    await caller?.shutdown('test end');
    await responder?.shutdown('test end');
    await nats?.destroy();
  });

  it('returns the reply of the handler', async () => {
    const reply = await commands.request<{ echoed: unknown }>('helpdesk.v1.fixture.echo', { subject: 'Printer on fire' });
    expect(reply.echoed).toEqual({ subject: 'Printer on fire' });
  });

  it('carries the request id to the handler and into its log lines', async () => {
    const cls = caller.app.get(ClsService);
    const reply = await cls.run(async () => {
      cls.set(CLS_ID, 'req-7f3a');
      return commands.request<{ requestId: string }>('helpdesk.v1.fixture.echo', {});
    });
    expect(reply.requestId).toBe('req-7f3a');
    const line = await waitFor('the handler log line', async () => responderLogs.find((entry) => entry.message === 'echo handled' && entry.requestId === 'req-7f3a'), 2_000);
    expect(line).toMatchObject({ service: 'ai-proxy', level: 'info', context: 'Fixture' });
  });

  it('passes a domain error across with its code and message', async () => {
    const failure = await commands.request('helpdesk.v1.fixture.missing', {}).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CommandError);
    expect(failure).toMatchObject({ code: 'NOT_FOUND', message: 'Ticket 42 not found' });
  });

  it('answers an unexpected failure as INTERNAL without its internals', async () => {
    const failure = (await commands.request('helpdesk.v1.fixture.crash', {}).catch((error: unknown) => error)) as CommandError;
    expect(failure.code).toBe('INTERNAL');
    expect(JSON.stringify({ message: failure.message, details: failure.details })).not.toContain('hunter2');
  });

  it('rejects an invalid payload at the receiver as VALIDATION, naming the fields', async () => {
    const failure = (await commands.request('helpdesk.v1.fixture.greet', { name: 7, times: 9, admin: true }).catch((error: unknown) => error)) as CommandError;
    expect(failure.code).toBe('VALIDATION');
    expect(failure.details).toEqual(
      expect.arrayContaining([expect.stringMatching(/^name must be a string/), expect.stringMatching(/^times must not be greater than 3/), 'property admin should not exist']),
    );
    await expect(commands.request('helpdesk.v1.fixture.greet', { name: 'Ada', times: 2 })).resolves.toBe('hello hello Ada');
  });

  it('gives up with TIMEOUT when the reply is late', async () => {
    const started = Date.now();
    const failure = (await commands.request('helpdesk.v1.fixture.slow', { ms: 1_500 }, { timeoutMs: 300 }).catch((error: unknown) => error)) as CommandError;
    expect(failure.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1_400);
  });

  it('logs a command slower than SLOW_COMMAND_MS as a warning naming its subject, time and request id', async () => {
    const cls = caller.app.get(ClsService);
    await cls.run(async () => {
      cls.set(CLS_ID, 'req-slow-1');
      return commands.request('helpdesk.v1.fixture.slow', { ms: SLOW_COMMAND_MS + 100 }, { timeoutMs: SLOW_COMMAND_MS + 2_000 });
    });
    const line = await waitFor('the slow command warning', async () => responderLogs.find((entry) => String(entry.message).includes('request id req-slow-1')), 2_000);
    expect(line).toMatchObject({ level: 'warn', context: 'Commands' });
    expect(line.message).toMatch(new RegExp(`^Slow command: helpdesk\\.v1\\.fixture\\.slow took (\\d+) ms \\(ok, request id req-slow-1\\)$`));
    expect(Number(/took (\d+) ms/.exec(String(line.message))![1])).toBeGreaterThanOrEqual(SLOW_COMMAND_MS);
    // A quick one is not.
    await commands.request('helpdesk.v1.fixture.echo', {});
    expect(responderLogs.filter((entry) => String(entry.message).startsWith('Slow command: helpdesk.v1.fixture.echo'))).toEqual([]);
  });

  it('fails fast with UNAVAILABLE when nobody serves the subject', async () => {
    const failure = (await commands.request('helpdesk.v1.nobody.home', {}, { timeoutMs: 5_000 }).catch((error: unknown) => error)) as CommandError;
    expect(failure.code).toBe('UNAVAILABLE');
  });

  it('records each command in the latency histograms of both sides', async () => {
    const sent = await caller.app.get(MetricsService).registry.getSingleMetricAsString('helpdesk_nats_request_duration_seconds');
    expect(sent).toMatch(/helpdesk_nats_request_duration_seconds_count\{[^}]*subject="helpdesk\.v1\.fixture\.missing",outcome="NOT_FOUND"\} 1/);
    const handled = await responder.app.get(MetricsService).registry.getSingleMetricAsString('helpdesk_nats_handler_duration_seconds');
    expect(handled).toMatch(/helpdesk_nats_handler_duration_seconds_count\{[^}]*subject="helpdesk\.v1\.fixture\.crash",outcome="INTERNAL"\} 1/);
  });

  it('answers HTTP errors with the standard body and a request id', async () => {
    const port = (responder.app.getHttpServer().address() as AddressInfo).port;
    const response = await fetch(`http://127.0.0.1:${port}/no-such-route`, { headers: { 'x-request-id': 'trace-404' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-request-id')).toBe('trace-404');
    expect(await response.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'Cannot GET /no-such-route', requestId: 'trace-404' });
  });

  it('on shutdown turns unready at once, finishes the command in hand, then stops taking new ones', async () => {
    const inHand = commands.request<{ finished: boolean }>('helpdesk.v1.fixture.held', {}, { timeoutMs: 20_000 });
    await held.entered;
    const exitCode = responder.shutdown('SIGTERM');
    const port = (responder.app.getHttpServer().address() as AddressInfo).port;
    const readiness = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(readiness.status).toBe(503);
    expect(await readiness.json()).toMatchObject({ error: { lifecycle: { status: 'down', message: 'shutting down' } } });
    held.release();
    await expect(inHand).resolves.toEqual({ finished: true });
    await expect(exitCode).resolves.toBe(0);
    const afterwards = (await commands.request('helpdesk.v1.fixture.echo', {}, { timeoutMs: 2_000 }).catch((error: unknown) => error)) as CommandError;
    expect(afterwards.code).toBe('UNAVAILABLE');
  });
});
