import { createTestDatabase, deleteRedisKeys, migrateBuilt, OTLP_SPAN_KIND, OtlpReceiver, SERVICE_SPECS, ServiceProcess, TestNatsServer, waitFor, type ReceivedSpan } from '@helpdesk/testing';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpSink } from '../apps/notification/src/testing/smtp-sink.js';

const spec = (name: string) => SERVICE_SPECS.find((candidate) => candidate.name === name)!;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

interface Stack {
  services: Map<string, ServiceProcess>;
  env: Record<string, string>;
  stop(): Promise<void>;
  /** Signs up an organization through the gateway; answers its admin's access token. */
  signup(): Promise<string>;
  createTicket(token: string, headers: Record<string, string>): Promise<{ status: number; headers: Headers; body: any }>;
  outboxTraceContext(ticketId: string): Promise<unknown>;
}

/** Gateway, ticket, notification and realtime as real processes on their own NATS server, database and Redis prefix. */
async function startStack(label: string, extraEnv: Record<string, string>): Promise<Stack> {
  const nats = await TestNatsServer.start({ serviceUsers: true });
  const database = await createTestDatabase(label);
  const sink = await SmtpSink.start();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    // http: the gateway's access line is the log line this test reads.
    LOG_LEVEL: 'http',
    NATS_URL: nats.url,
    DB_NAME: database.name,
    SECRET_KEY: hex(24),
    QUEUE_PREFIX: `${label}-${hex(4)}`,
    EMAIL_HOST: '127.0.0.1',
    EMAIL_PORT: String(sink.port),
    DEFAULT_FROM_EMAIL: 'Desk <support@desk.example.test>',
    SIGNUP_ENABLED: 'true',
    ...extraEnv,
  };
  const services = new Map<string, ServiceProcess>();
  const stop = async () => {
    for (const service of services.values()) await service.kill();
    await sink.stop();
    await nats.destroy();
    await database.drop();
    await deleteRedisKeys(env.QUEUE_PREFIX!);
  };
  try {
    migrateBuilt(['ticket', 'notification'], env);
    // The ticket service first: it creates the events stream the others consume.
    for (const name of ['ticket', 'gateway', 'notification', 'realtime'] as const) {
      const service = await ServiceProcess.start(spec(name), { ...env, NATS_URL: nats.urlFor(name) });
      services.set(name, service);
      if (name === 'ticket') await service.waitUntilReady(60_000);
    }
    await Promise.all([...services.values()].map((service) => service.waitUntilReady(60_000)));
  } catch (error) {
    await stop();
    throw error;
  }
  const gateway = services.get('gateway')!;
  const call = async (path: string, body: unknown, headers: Record<string, string>) => {
    const response = await fetch(`${gateway.url}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  };
  return {
    services,
    env,
    stop,
    async signup() {
      const response = await call('/auth/signup', { organizationName: `Traced ${hex(2)}`, name: 'Ada Admin', email: `admin-${hex(3)}@desk.example.test`, password: 'correct horse battery staple' }, {});
      expect(response.status).toBe(201);
      return response.body.accessToken as string;
    },
    createTicket: (token, headers) => call('/tickets', { subject: 'Printer on fire', description: 'Third floor' }, { authorization: `Bearer ${token}`, ...headers }),
    async outboxTraceContext(ticketId) {
      const client = new pg.Client({ host: process.env.DB_HOST || '127.0.0.1', port: Number(process.env.DB_PORT || 5432), user: process.env.DB_USER || 'postgres', password: process.env.DB_PASSWORD, database: database.name });
      await client.connect();
      try {
        const { rows } = await client.query(`SELECT trace_context FROM helpdesk.outbox WHERE aggregate_id = $1 AND type = 'ticket.created'`, [ticketId]);
        expect(rows).toHaveLength(1);
        return rows[0].trace_context;
      } finally {
        await client.end();
      }
    },
  };
}

/** The spans from `span` up to the root of what was received, the span itself first. */
function ancestry(spans: ReceivedSpan[], span: ReceivedSpan): ReceivedSpan[] {
  const chain = [span];
  for (let current = span; current.parentSpanId; ) {
    const parent = spans.find((candidate) => candidate.spanId === current.parentSpanId);
    if (!parent) break;
    chain.push(parent);
    current = parent;
  }
  return chain;
}

describe('OpenTelemetry traces across the platform, exported to a real OTLP receiver', () => {
  let receiver: OtlpReceiver;
  let stack: Stack;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    // A short batch delay, so the test does not wait the default 5 s for each export.
    stack = await startStack('tracing_on', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' });
  }, 150_000);

  afterAll(async () => {
    await stack?.stop();
    await receiver?.stop();
  });

  it('follows a ticket created with a client traceparent from the gateway through the ticket service, the outbox and its consumers', async () => {
    const token = await stack.signup();
    const traceId = hex(16);
    const clientSpanId = hex(8);
    const created = await stack.createTicket(token, { traceparent: `00-${traceId}-${clientSpanId}-01` });
    expect(created.status).toBe(201);
    // The answer names the trace (W3C traceresponse) and the gateway's span in it.
    const traceresponse = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(created.headers.get('traceresponse') ?? '');
    expect(traceresponse?.[1]).toBe(traceId);
    const gatewaySpanId = traceresponse![2]!;

    // The outbox row keeps the trace context it was written in.
    const stored = (await stack.outboxTraceContext(created.body.id)) as { traceparent?: string };
    expect(stored.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    const eventSubject = 'helpdesk.v1.events.ticket.created';
    const spans = await waitFor(
      'the spans of the ticket and of its event in every consumer',
      async () => {
        const received = receiver.trace(traceId);
        const consumers = received.filter((span) => span.kind === OTLP_SPAN_KIND.consumer && span.name === `process ${eventSubject}`).map((span) => span.service);
        const all = consumers.filter((service) => service === 'notification').length >= 2 && consumers.includes('realtime') && consumers.includes('ticket');
        return all ? received : undefined;
      },
      20_000,
    ).catch((error: unknown) => {
      const summary = receiver.trace(traceId).map(({ service, name, kind, spanId, parentSpanId }) => `${service} ${kind} ${name} ${spanId}<-${parentSpanId}`);
      throw new Error(`${String(error)}; received:\n${summary.join('\n')}`);
    });
    const one = (predicate: (span: ReceivedSpan) => boolean, what: string) => {
      const found = spans.filter(predicate);
      expect(found, `${what} in ${JSON.stringify(spans.map(({ service, name, kind }) => ({ service, name, kind })))}`).toHaveLength(1);
      return found[0]!;
    };

    // The gateway's request span is the child of the client's span.
    const request = one((span) => span.service === 'gateway' && span.kind === OTLP_SPAN_KIND.server, 'the gateway request span');
    expect(request).toMatchObject({ spanId: gatewaySpanId, parentSpanId: clientSpanId, name: 'POST /api/v1/tickets' });
    expect(request.attributes['http.response.status_code']).toBe(201);

    // The create command: the gateway's NATS request, and the ticket service's handler as its child.
    const handler = one((span) => span.service === 'ticket' && span.kind === OTLP_SPAN_KIND.server && span.name.endsWith('.ticket.tickets.create'), 'the ticket service handler span');
    const command = spans.find((span) => span.spanId === handler.parentSpanId)!;
    expect(command).toMatchObject({ service: 'gateway', kind: OTLP_SPAN_KIND.client, name: handler.name.replace(/^process /, 'send ') });
    expect(ancestry(spans, command).map((span) => span.spanId)).toContain(gatewaySpanId);

    // The outbox relay publishes the event in the trace of the transaction that recorded it.
    const publish = one((span) => span.service === 'ticket' && span.kind === OTLP_SPAN_KIND.producer, 'the outbox publish span');
    expect(publish.name).toBe(`publish ${eventSubject}`);
    expect(ancestry(spans, publish).map((span) => span.spanId)).toContain(handler.spanId);

    // Each consumer handles it in a span whose parent is the publish span: the durable ones name their
    // consumer (the notification service has two, mail and webhooks); realtime reads without one.
    const consumers = [
      ['notification', 'notification'],
      ['notification', 'notification-webhooks'],
      ['ticket', 'ticket-triggers'],
      ['realtime', undefined],
    ] as const;
    for (const [service, durable] of consumers) {
      const consumed = one(
        (span) => span.service === service && span.kind === OTLP_SPAN_KIND.consumer && span.name === `process ${eventSubject}` && span.attributes['messaging.consumer.group.name'] === durable,
        `${service}'s consumer span${durable ? ` (${durable})` : ''}`,
      );
      expect(consumed.parentSpanId).toBe(publish.spanId);
      expect(consumed.statusCode).not.toBe(2);
    }

    // Log lines in the request carry its trace id (the gateway's access line at level http).
    const gateway = stack.services.get('gateway')!;
    await waitFor('the access log line of the creation', async () => gateway.output.split('\n').find((line) => line.includes('POST /api/v1/tickets 201')));
    const accessLine = gateway.output.split('\n').find((line) => line.includes('POST /api/v1/tickets 201'))!;
    expect(accessLine).toContain(`trace ${traceId}`);
  });

  it('starts a new trace for a request without traceparent, and ignores a malformed one', async () => {
    const token = await stack.signup();
    const created = await stack.createTicket(token, { traceparent: 'not-a-traceparent' });
    expect(created.status).toBe(201);
    const traceId = /^00-([0-9a-f]{32})-/.exec(created.headers.get('traceresponse') ?? '')?.[1];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const request = await waitFor('the gateway span of the new trace', async () => receiver.trace(traceId!).find((span) => span.service === 'gateway' && span.kind === OTLP_SPAN_KIND.server));
    expect(request.parentSpanId).toBeUndefined();
    await waitFor('the ticket handler in the same trace', async () => receiver.trace(traceId!).find((span) => span.service === 'ticket' && span.kind === OTLP_SPAN_KIND.server));
  });
});

describe('OpenTelemetry off: OTEL_EXPORTER_OTLP_ENDPOINT unset', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack('tracing_off', {});
  }, 150_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('starts no SDK, answers no traceresponse, stores no trace context and logs no trace ids', async () => {
    expect(stack.env.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    const token = await stack.signup();
    const created = await stack.createTicket(token, { traceparent: `00-${hex(16)}-${hex(8)}-01` });
    expect(created.status).toBe(201);
    expect(created.headers.get('traceresponse')).toBeNull();
    expect(await stack.outboxTraceContext(created.body.id)).toBeNull();
    const gateway = stack.services.get('gateway')!;
    await waitFor('the access log line of the creation', async () => gateway.output.includes('POST /api/v1/tickets 201'));
    for (const service of stack.services.values()) {
      expect(service.output).toMatch(/started \(instance [0-9a-f]+\)\n/);
      expect(service.output).not.toContain('tracing exported over OTLP');
      expect(service.output).not.toMatch(/trace [0-9a-f]{32}/);
    }
  });
});
