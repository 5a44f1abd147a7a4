import { setTimeout as sleep } from 'node:timers/promises';
import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { REQUEST_ID_HEADER, type ServiceName } from '@helpdesk/contracts';
import { WinstonModule } from 'nest-winston';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import type { NatsConnection } from '@nats-io/transport-node';
import type { FastifyServerOptions } from 'fastify';
import type { Logger as WinstonLogger } from 'winston';
import { assertServiceNatsUser, ConfigurationError, loadConfig } from './config/load-config.js';
import type { ServiceConfig } from './config/service-config.js';
import { CoreModule } from './core.module.js';
import { LifecycleService } from './lifecycle/lifecycle.service.js';
import { raiseAdminAlerts } from './logging/admin-alert.transport.js';
import { createLogger } from './logging/logger.js';
import { acceptedRequestId } from './logging/request-id.js';
import { metricsPortFor, startMetricsListener } from './metrics/metrics-server.js';
import { MetricsService } from './metrics/metrics.service.js';
import { DrainingNatsServer } from './nats/draining-nats.server.js';
import { NatsConnections } from './nats/nats-connections.js';
import { natsConnectionOptions } from './nats/nats-options.js';
import type { ServiceIdentity } from './service-identity.js';
import { traceHttpRequests } from './tracing/http-tracing.js';
import { startTracing, stopTracing } from './tracing/tracing.js';

export interface ServiceDefinition<TConfig extends ServiceConfig> {
  service: ServiceName;
  configClass: new () => TConfig;
  /** The service's feature module. */
  module: Type<unknown> | DynamicModule;
  /** The variable holding this service's HTTP port, and its local default. */
  port: { variable: keyof TConfig & string };
  /** Fastify options for this service (the gateway sets body limits and proxy trust). */
  fastifyOptions?: (config: TConfig) => FastifyServerOptions;
  /** Service-specific HTTP setup (plugins, headers, docs), run before the port opens. */
  configureHttp?: (app: NestFastifyApplication, config: TConfig) => Promise<void>;
  /** A trace span per HTTP request when tracing is on (the gateway's API; the others serve only probes). */
  tracesHttpRequests?: boolean;
}

export interface RunningService {
  app: NestFastifyApplication;
  /** The port actually serving /metrics (METRICS_PORT=0 picks a free one). */
  metricsPort: number;
  logger: WinstonLogger;
  /** Drains and closes; resolves with the exit code the process should use. */
  shutdown(signal: string): Promise<number>;
  /** Sends what NATS holds in its buffer (the admin alerts are fire-and-forget). */
  flushNats(): Promise<void>;
}

const SERVER_ROLE = 'server';

/** Waiting for in-flight commands must end early enough to leave time for closing connections inside the grace period. */
function drainTimeout(gracePeriodMs: number): number {
  return gracePeriodMs - Math.min(2_000, Math.floor(gracePeriodMs / 5));
}

/**
 * The idle time every answer announces (`Keep-Alive: timeout=4`): clients that honour it (undici, so
 * Node's fetch, and most HTTP libraries) stop reusing a connection a second or so before. The server
 * itself keeps idle connections as long as Fastify's default (72 s), so a proxy that ignores the hint
 * (an ingress) never meets a close in steady state.
 */
const KEEP_ALIVE_HINT_S = 4;
/** A connection idle this long has been given up by every client that honours the hint: closing it cannot meet a request. */
const ABANDONED_IDLE_MS = KEEP_ALIVE_HINT_S * 1_000 + 500;

/** At most this long for kept-alive HTTP connections to carry their last response, or be given up, after the NATS drain. */
function httpDrainTimeout(gracePeriodMs: number): number {
  return Math.min(ABANDONED_IDLE_MS + 1_500, Math.floor(gracePeriodMs / 2));
}

/**
 * The sockets that carried an HTTP request and are still open (WebSocket upgrades are not requests).
 * `drained` waits, bounded, until each is closed or has been idle past the keep-alive hint: a busy
 * client sends its next request sooner and gets the `Connection: close` answer; a quiet one has
 * given the connection up by then. Closing a socket the client is just writing to would fail its
 * request (the race of server.close() with keep-alive): only clients that ignore the hint still can.
 */
function trackRequestConnections(server: HttpServer): { drained(timeoutMs: number): Promise<void> } {
  const IDLE_MS = ABANDONED_IDLE_MS;
  const open = new Map<Socket, { busy: number; idleSince: number }>();
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    let state = open.get(socket);
    if (!state) {
      state = { busy: 0, idleSince: 0 };
      open.set(socket, state);
      socket.once('close', () => open.delete(socket));
    }
    state.busy += 1;
    const current = state;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      current.busy -= 1;
      current.idleSince = Date.now();
    };
    response.once('finish', settle);
    response.once('close', settle);
  });
  const quiet = () => [...open.values()].every((state) => state.busy === 0 && Date.now() - state.idleSince >= IDLE_MS);
  return {
    async drained(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!quiet() && Date.now() < deadline) await sleep(20);
    },
  };
}

/** The platform's version, from the root package.json (found upwards, so it works from source and from dist). */
function platformVersion(): string {
  for (let directory = new URL('.', import.meta.url); directory.pathname !== '/'; directory = new URL('..', directory)) {
    const manifest = new URL('package.json', directory);
    if (!existsSync(manifest)) continue;
    const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
    if (name === 'helpdesk' && version) return version;
  }
  return 'unknown';
}

/**
 * Creates and starts one service: HTTP (probes and, for the gateway, the API) on its port, Prometheus
 * metrics on a separate internal port, and the NATS command server in the service's queue group.
 * HTTP listens first so probes answer (not ready) while NATS is still unreachable.
 */
export async function startService<TConfig extends ServiceConfig>(
  definition: ServiceDefinition<TConfig>,
  config: TConfig,
  options: { logStream?: NodeJS.WritableStream } = {},
): Promise<RunningService> {
  const identity: ServiceIdentity = { service: definition.service, instanceId: randomUUID().slice(0, 8), version: platformVersion() };
  const logger = createLogger({ service: definition.service, config, stream: options.logStream });
  const lifecycle = new LifecycleService();
  const traced = await startTracing(identity, config);

  @Module({ imports: [CoreModule.forRoot(identity, config, lifecycle), definition.module] })
  class ServiceRootModule {}

  const adapter = new FastifyAdapter({
    ...definition.fastifyOptions?.(config),
    genReqId: (request: IncomingMessage) => {
      const id = acceptedRequestId(request.headers[REQUEST_ID_HEADER]) ?? randomUUID();
      // The request-id context of the logs reads this header, so HTTP logs and replies agree.
      request.headers[REQUEST_ID_HEADER] = id;
      return id;
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(ServiceRootModule, adapter, {
    logger: WinstonModule.createLogger({ instance: logger }),
    abortOnError: false,
  });
  const metrics = app.get(MetricsService);
  metrics.setDefaultLabels({ service: definition.service });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    // Keep-alive clients (a balancer, an ingress) open their next request elsewhere instead of meeting the close.
    if (lifecycle.isDraining) reply.header('connection', 'close');
    else reply.header('keep-alive', `timeout=${KEEP_ALIVE_HINT_S}`);
  });
  if (traced && definition.tracesHttpRequests) traceHttpRequests(fastify);
  const keptAlive = trackRequestConnections(fastify.server);
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequestDuration.observe({ method: request.method, route, status_code: reply.statusCode }, reply.elapsedTime / 1000);
    logger.http(`${request.method} ${request.url} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)} ms`, { context: 'HTTP', requestId: request.id });
  });

  const natsServer = new DrainingNatsServer(
    { ...natsConnectionOptions(config, definition.service, `${definition.service}-server-${identity.instanceId}`), queue: definition.service },
    lifecycle,
    drainTimeout(config.SHUTDOWN_GRACE_PERIOD_MS),
  );
  app.connectMicroservice({ strategy: natsServer }, { inheritAppConfig: true });
  const connections = app.get(NatsConnections);
  connections.expect(SERVER_ROLE);

  await definition.configureHttp?.(app, config);
  const port = Number(config[definition.port.variable]);
  await app.listen(port, config.HOST);
  logger.info(`HTTP listening on ${config.HOST}:${port}`, { context: 'Bootstrap' });
  const metricsListener = await startMetricsListener(metrics.registry, metricsPortFor(port, config.METRICS_PORT), config.HOST).catch(async (error: unknown) => {
    await app.close();
    throw error;
  });
  logger.info(`Metrics listening on ${config.HOST}:${metricsListener.port}/metrics`, { context: 'Bootstrap' });
  await app.startAllMicroservices();
  // Subscriptions are live only once the server has processed them: until then a request finds no responder.
  const serverConnection = natsServer.unwrap<NatsConnection>();
  await serverConnection.flush();
  connections.register(SERVER_ROLE, serverConnection);
  raiseAdminAlerts(logger, serverConnection, identity);
  lifecycle.markStarted();
  logger.info(`${definition.service} ${identity.version} started (instance ${identity.instanceId})${traced ? ', tracing exported over OTLP' : ''}`, { context: 'Bootstrap' });

  let closing: Promise<number> | undefined;
  const shutdown = (signal: string) => {
    closing ??= (async () => {
      lifecycle.beginDraining();
      logger.info(`${signal} received: draining`, { context: 'Shutdown', inFlight: lifecycle.inFlightCount });
      try {
        // Commands finish while HTTP still answers, so probes report 503 throughout the drain. Meanwhile, as
        // closing HTTP answers 503 to a request already sent on a kept-alive connection, each such connection
        // first carries an answer with `Connection: close` (bounded; idle ones are closed by app.close()).
        const [finished] = await Promise.all([natsServer.drain(), keptAlive.drained(Math.min(httpDrainTimeout(config.SHUTDOWN_GRACE_PERIOD_MS), drainTimeout(config.SHUTDOWN_GRACE_PERIOD_MS)))]);
        if (!finished) logger.warn(`Commands still running after ${drainTimeout(config.SHUTDOWN_GRACE_PERIOD_MS)} ms: closing anyway`, { context: 'Shutdown', inFlight: lifecycle.inFlightCount });
        await Promise.all([app.close(), metricsListener.close()]);
        // Last: the spans of the drained work are exported before the process exits.
        await stopTracing().catch((error: unknown) => logger.warn(`Could not export the last trace spans: ${String(error)}`, { context: 'Shutdown' }));
        logger.info('Stopped cleanly', { context: 'Shutdown' });
        return 0;
      } catch (error) {
        logger.error(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}`, { context: 'Shutdown' });
        return 1;
      }
    })();
    return closing;
  };
  return { app, metricsPort: metricsListener.port, logger, shutdown, flushNats: () => serverConnection.flush() };
}

/** The process entry point of a service: config, start, and signal handling within the grace period. */
export async function runService<TConfig extends ServiceConfig>(definition: ServiceDefinition<TConfig>): Promise<void> {
  let config: TConfig;
  try {
    config = loadConfig(definition.configClass);
    assertServiceNatsUser(config);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    process.stderr.write(`${definition.service}: ${error.message}\n`);
    process.exit(1);
  }
  const running = await startService(definition, config);
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // A terminal's Ctrl-C reaches a service twice (directly and through the dev runner): one drain is enough.
    if (stopping) return;
    stopping = true;
    const deadline = setTimeout(() => {
      running.logger.error(`Still busy ${config.SHUTDOWN_GRACE_PERIOD_MS} ms after ${signal}: exiting anyway`, { context: 'Shutdown' });
      process.exit(1);
    }, config.SHUTDOWN_GRACE_PERIOD_MS);
    deadline.unref();
    void running.shutdown(signal).then((code) => flushAndExit(running.logger, code));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // As Node does by default, a stray exception or rejection ends the process (its state is unknown and
  // the orchestrator restarts it), but first it is logged as critical, which mails the admins.
  let failing = false;
  const onFatal = (kind: string) => (error: unknown) => {
    // Only the first is logged and alerted: the logger is closing after it.
    if (failing) return void process.stderr.write(`${kind} while exiting: ${String(error)}\n`);
    failing = true;
    running.logger.error({ message: `CRITICAL: ${kind}: ${error instanceof Error ? error.message : String(error)}`, stack: error instanceof Error ? error.stack : undefined, critical: true, context: 'Process' });
    void Promise.race([running.flushNats(), sleep(FATAL_FLUSH_MS)])
      .catch(() => undefined)
      .finally(() => flushAndExit(running.logger, 1));
  };
  process.on('uncaughtException', onFatal('uncaught exception'));
  process.on('unhandledRejection', onFatal('unhandled promise rejection'));
}

const FATAL_FLUSH_MS = 1_000;

function flushAndExit(logger: WinstonLogger, code: number): void {
  logger.on('finish', () => process.exit(code));
  logger.end();
  // If a transport never finishes, do not hang on it.
  setTimeout(() => process.exit(code), 1_000).unref();
}
