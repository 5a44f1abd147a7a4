import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { eventSubject, EVENTS_STREAM, WEBHOOK_HEADERS, type EventEnvelope } from '@helpdesk/contracts';
import { waitFor } from '../../test/support/index.js';
import { CpuMeter } from '../lib/cpu.js';
import { breakdown, ratio, type Row } from '../lib/report.js';
import { BenchStack } from '../lib/stack.js';
import type { BenchOptions } from '../run.js';

const TARGET_PER_SECOND = 500;
const TARGET_P99_MS = 1_000;
/** Publishes awaiting their JetStream acknowledgement at once in the throughput phase: enough to keep the stream ahead of the deliveries. */
const PUBLISH_WINDOW = 256;
const SECRET = 'bench-webhook-secret-0123456789';

interface Receipt {
  deliveryId: string;
  eventId: string;
  hook: string;
  occurredAt: number;
  receivedAt: number;
  signatureValid: boolean;
}

/**
 * Webhook deliveries with one notification worker (issue 20, "Measure"): `ticket.updated` events
 * published straight into the events stream (as the notification tests do; the ticket service's
 * create path is measured by `create`, and ticket.updated plans no mail, so only webhooks work on
 * them) to a receiver in this process on 127.0.0.1 that answers 200 at once over keep-alive.
 * Phase 1 publishes BENCH_WEBHOOK_EVENTS events as fast as the stream takes them and counts
 * deliveries/s from the first receipt to the last. Once every consumer of the events stream has
 * caught up, phase 2 publishes at an open-model rate (half of that, at most 250/s) for
 * 2 × BENCH_DURATION_S and takes latency from the event's occurredAt (set at publish) to its
 * receipt, split at JetStream's acknowledgement and at the delivery row's INSERT. Every delivery must arrive exactly once with a valid signature. The baseline is
 * Node's http client alone posting the same bodies with WEBHOOK_CONCURRENCY keep-alive connections.
 */
export async function webhooksBench(options: BenchOptions): Promise<{ rows: Row[]; results: Record<string, unknown> }> {
  const count = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 10_000);
  const subscriptions = Number(process.env.BENCH_WEBHOOK_SUBSCRIPTIONS ?? 1);
  const concurrency = Number(process.env.BENCH_WEBHOOK_CONCURRENCY ?? 100);
  const receiver = await Receiver.start();
  const stack = await BenchStack.start('webhooks', ['ticket', 'gateway', 'notification'], {
    DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    WEBHOOK_CONCURRENCY: String(concurrency),
  });
  const nats = await connect({ servers: stack.nats.url });
  try {
    const admin = await stack.signup();
    for (let index = 0; index < subscriptions; index++) {
      const response = await fetch(`${stack.url('gateway')}/api/v1/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
        body: JSON.stringify({ url: `${receiver.url}/hook/${index}`, events: ['ticket.updated'], secret: SECRET }),
      });
      if (response.status !== 201) throw new Error(`webhook creation failed: ${response.status} ${await response.text()}`);
    }
    const client = jetstream(nats);
    /** When JetStream acknowledged each event (stored, so deliverable to the consumers), by event id. */
    const storedAt = new Map<string, number>();
    const publish = (): Promise<unknown> => {
      const event: EventEnvelope = { id: randomUUID(), version: 1, type: 'ticket.updated', occurredAt: new Date().toISOString(), orgId: admin.orgId, aggregateId: randomUUID(), actor: { system: 'bench' }, data: {} };
      return client.publish(eventSubject(event.type), JSON.stringify(event), { msgID: event.id }).then(() => storedAt.set(event.id, Date.now()));
    };

    // Phase 1: throughput.
    const expected = count * subscriptions;
    const meter = CpuMeter.begin(Object.fromEntries([...stack.services].map(([name, service]) => [name, service.pid])), { database: stack.database.name, natsPid: stack.nats.pid });
    const publishStartedAt = Date.now();
    await windowed(count, PUBLISH_WINDOW, publish);
    const publishSeconds = (Date.now() - publishStartedAt) / 1000;
    await waitFor(`${expected} webhook deliveries`, async () => receiver.receipts.length >= expected, 600_000, 20);
    const cpuMsPerDelivery = meter.perUnit(expected);
    const throughputReceipts = receiver.take();
    const spanSeconds = span(throughputReceipts);
    const deliveriesPerSecond = Math.round((expected - 1) / spanSeconds);
    const endToEndPerSecond = Math.round(expected / ((Math.max(...throughputReceipts.map((receipt) => receipt.receivedAt)) - publishStartedAt) / 1000));
    const throughputCheck = verify(throughputReceipts, count, subscriptions);

    // Phase 2: latency at an open-model rate.
    // Measured on a settled stack: every consumer of the events stream (the webhooks', the mail planner's, the
    // trigger engine's) done with phase 1, so phase 2's latencies are not phase 1's backlog.
    const settleStartedAt = Date.now();
    const manager = await jetstreamManager(nats);
    await waitFor('every events consumer to finish phase 1', async () => {
      for await (const consumer of manager.consumers.list(EVENTS_STREAM)) if (consumer.num_pending > 0 || consumer.num_ack_pending > 0) return false;
      return true;
    }, 120_000, 50);
    const settleSeconds = (Date.now() - settleStartedAt) / 1000;
    const loadAtLatencyStart = loadavg()[0]!;
    const rate = Math.max(1, Math.min(250, Math.floor(deliveriesPerSecond / 2 / subscriptions)));
    const latencySeconds = (options.durationMs * 2) / 1000;
    const latencyEvents = Math.round(rate * latencySeconds);
    // With BENCH_WEBHOOK_TIMELINE, each consumer's backlog every 500 ms: not yet delivered to it (pending), delivered
    // and not acknowledged (ack pending), and its waiting pull requests, to tell a queue in NATS from one in a service.
    const consumerSamples: string[] = [];
    const sampling = process.env.BENCH_WEBHOOK_TIMELINE
      ? setInterval(() => {
          void (async () => {
            const at = Date.now();
            for await (const consumer of manager.consumers.list(EVENTS_STREAM)) consumerSamples.push(`${at} ${consumer.name} ${consumer.num_pending} ${consumer.num_ack_pending} ${consumer.num_waiting}`);
          })();
        }, 500)
      : undefined;
    const latencyStartedAt = performance.now();
    const pending: Promise<unknown>[] = [];
    let publishLagMaxMs = 0;
    for (let sent = 0; sent < latencyEvents; sent++) {
      const due = latencyStartedAt + (sent * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      // The load generator's own lateness (a starved process publishes late and would hide that wait from the latencies).
      publishLagMaxMs = Math.max(publishLagMaxMs, performance.now() - due);
      pending.push(publish());
    }
    await Promise.all(pending);
    clearInterval(sampling);
    await waitFor(`${latencyEvents * subscriptions} webhook deliveries`, async () => receiver.receipts.length >= latencyEvents * subscriptions, 120_000, 20);
    const latencyReceipts = receiver.take();
    const latencyCheck = verify(latencyReceipts, latencyEvents, subscriptions);
    const latencies = latencyReceipts.map((receipt) => receipt.receivedAt - receipt.occurredAt).sort((a, b) => a - b);
    const [p50, p95, p99] = [0.5, 0.95, 0.99].map((quantile) => latencies[Math.min(latencies.length - 1, Math.floor(quantile * latencies.length))]!);

    // The database agrees: every delivery succeeded at its first attempt.
    const database = await stack.connectDatabase();
    // Where each latency was spent: JetStream's acknowledgement of the publish, then the delivery row's created_at
    // (clock_timestamp() at its INSERT) split it into event to stored (the publish), stored to row written (delivery
    // to the webhook consumer, recordEvent) and row written to receipt (the deliverer's claim and the request).
    const written = new Map(
      ((await database.query(`SELECT id::text, (extract(epoch FROM created_at) * 1000)::float8 AS written_ms FROM notification.webhook_deliveries WHERE id = ANY ($1::uuid[])`, [latencyReceipts.map((receipt) => receipt.deliveryId)])).rows as Array<{ id: string; written_ms: number }>).map(
        (row) => [row.id, row.written_ms],
      ),
    );
    // BENCH_WEBHOOK_TIMELINE=<file>: one line per delivery, in publish order: publish time (epoch ms), then ms from
    // the first publish, event to stored, stored to row written, row written to receipt (to see when a tail happened).
    if (process.env.BENCH_WEBHOOK_TIMELINE) {
      const ordered = [...latencyReceipts].sort((a, b) => a.occurredAt - b.occurredAt);
      const lines = ordered.map((receipt) => {
        const stored = storedAt.get(receipt.eventId)!;
        const rowWritten = written.get(receipt.deliveryId)!;
        return [receipt.occurredAt, receipt.occurredAt - ordered[0]!.occurredAt, stored - receipt.occurredAt, rowWritten - stored, receipt.receivedAt - rowWritten].map(Math.round).join(' ');
      });
      writeFileSync(process.env.BENCH_WEBHOOK_TIMELINE, `${lines.join('\n')}\n`);
      writeFileSync(`${process.env.BENCH_WEBHOOK_TIMELINE}.consumers`, `${consumerSamples.join('\n')}\n`);
    }
    const stages = {
      eventToStored: quantiles(latencyReceipts.map((receipt) => storedAt.get(receipt.eventId)! - receipt.occurredAt)),
      storedToWritten: quantiles(latencyReceipts.map((receipt) => written.get(receipt.deliveryId)! - storedAt.get(receipt.eventId)!)),
      writtenToReceipt: quantiles(latencyReceipts.map((receipt) => receipt.receivedAt - written.get(receipt.deliveryId)!)),
    };
    const [outcome] = (await database.query(`SELECT count(*) FILTER (WHERE status <> 'succeeded' OR attempts <> 1)::int AS odd, count(*)::int AS total FROM notification.webhook_deliveries`)).rows as Array<{ odd: number; total: number }>;
    await database.end();
    if (outcome!.odd > 0 || outcome!.total !== expected + latencyEvents * subscriptions) throw new Error(`delivery log: ${outcome!.odd} not succeeded at the first attempt, ${outcome!.total} rows for ${expected + latencyEvents * subscriptions} deliveries`);

    // Baseline: the same bodies over keep-alive with the same concurrency, nothing else.
    const baselineSeconds = await baselinePosts(receiver, expected, concurrency);
    receiver.take();
    const baselineRate = Math.round(expected / baselineSeconds);

    const rows: Row[] = [
      {
        benchmark: 'webhooks',
        measure: `${count} events x ${subscriptions} webhook(s) to a local receiver, deliveries/s (1 worker, ${concurrency} concurrent)`,
        platform: String(deliveriesPerSecond),
        baseline: `${baselineRate} (node:http keep-alive alone)`,
        ratio: ratio(deliveriesPerSecond, baselineRate),
        target: `>= ${TARGET_PER_SECOND}/s`,
        met: deliveriesPerSecond >= TARGET_PER_SECOND ? 'yes' : 'no',
      },
      {
        benchmark: 'webhooks',
        measure: `event to receipt at ${rate * subscriptions} deliveries/s for ${latencySeconds} s, p50 / p95 / p99 ms`,
        platform: `${p50} / ${p95} / ${p99}`,
        baseline: '',
        ratio: '',
        target: `p99 < ${TARGET_P99_MS} ms`,
        met: p99 < TARGET_P99_MS ? 'yes' : 'no',
      },
      {
        benchmark: 'webhooks',
        measure: 'the same latency split, p50 / p95 / p99 ms: event to stored (JetStream\'s acknowledgement) | stored to delivery row written | row written to receipt',
        platform: [stages.eventToStored, stages.storedToWritten, stages.writtenToReceipt].map((stage) => `${stage.p50} / ${stage.p95} / ${stage.p99}`).join(' | '),
        baseline: '',
        ratio: '',
        target: '',
        met: '',
      },
      {
        benchmark: 'webhooks',
        measure: `CPU ms per delivery: ${breakdown(cpuMsPerDelivery)}`,
        platform: String(cpuMsPerDelivery.total),
        baseline: '',
        ratio: '',
        target: '',
        met: '',
      },
    ];
    return {
      rows,
      results: {
        events: count,
        subscriptions,
        concurrency,
        publishSeconds,
        spanSeconds,
        deliveriesPerSecond,
        endToEndPerSecond,
        baselineRate,
        cpuMsPerDelivery,
        latency: {
          rate: rate * subscriptions,
          seconds: latencySeconds,
          deliveries: latencies.length,
          p50,
          p95,
          p99,
          max: latencies.at(-1),
          stages,
          settleSeconds,
          publishLagMaxMs: Math.round(publishLagMaxMs),
          loadAverage: { start: loadAtLatencyStart, end: loadavg()[0]! },
        },
        checks: { throughput: throughputCheck, latency: latencyCheck },
        connections: receiver.connections,
      },
    };
  } finally {
    await nats.close();
    await stack.stop();
    await receiver.stop();
  }
}

/** Runs `total` calls with at most `window` unsettled at once. */
async function windowed(total: number, window: number, call: () => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(window, total) }, async () => {
      while (next < total) {
        next++;
        await call();
      }
    }),
  );
}

/** p50 / p95 / p99 / max of some milliseconds, rounded. */
function quantiles(values: number[]): { p50: number; p95: number; p99: number; max: number } {
  const sorted = values.map(Math.round).sort((a, b) => a - b);
  const at = (quantile: number) => sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))]!;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1)! };
}

/** From the first receipt to the last. */
function span(receipts: Receipt[]): number {
  let first = Infinity;
  let last = -Infinity;
  for (const receipt of receipts) {
    first = Math.min(first, receipt.receivedAt);
    last = Math.max(last, receipt.receivedAt);
  }
  return (last - first) / 1000;
}

/** Each event reached each webhook exactly once, under a delivery id of its own, correctly signed; throws otherwise. */
function verify(receipts: Receipt[], events: number, subscriptions: number): { deliveries: number; duplicates: number; badSignatures: number } {
  const perEventAndHook = new Set(receipts.map((receipt) => `${receipt.eventId} ${receipt.hook}`));
  const deliveryIds = new Set(receipts.map((receipt) => receipt.deliveryId));
  const badSignatures = receipts.filter((receipt) => !receipt.signatureValid).length;
  const duplicates = receipts.length - perEventAndHook.size;
  if (perEventAndHook.size !== events * subscriptions || duplicates > 0 || deliveryIds.size !== receipts.length || badSignatures > 0) {
    throw new Error(`deliveries: ${perEventAndHook.size} distinct of ${events * subscriptions} expected, ${duplicates} duplicate(s), ${receipts.length - deliveryIds.size} repeated delivery id(s), ${badSignatures} bad signature(s)`);
  }
  return { deliveries: receipts.length, duplicates, badSignatures };
}

/** Posts signed bodies like the deliveries' to the receiver with `concurrency` keep-alive connections; the seconds it took. */
async function baselinePosts(receiver: Receiver, total: number, concurrency: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const startedAt = performance.now();
  try {
    await windowed(total, concurrency, () => {
      const event = { id: randomUUID(), version: 1, type: 'ticket.updated', occurredAt: new Date().toISOString(), orgId: randomUUID(), aggregateId: randomUUID(), actor: { system: 'bench' }, data: {} };
      const body = JSON.stringify(event);
      const t = Math.floor(Date.now() / 1000);
      return new Promise<void>((resolve, reject) => {
        const request = http.request(`${receiver.url}/hook/baseline`, {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
            [WEBHOOK_HEADERS.event]: event.type,
            [WEBHOOK_HEADERS.delivery]: randomUUID(),
            [WEBHOOK_HEADERS.signature]: `t=${t},v1=${createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex')}`,
          },
        });
        request.on('response', (response) => response.resume().on('end', resolve));
        request.on('error', reject);
        request.end(body);
      });
    });
    return (performance.now() - startedAt) / 1000;
  } finally {
    agent.destroy();
  }
}

/** The webhook receiver: 200 at once, keep-alive (Node's default), a receipt per delivery with its signature checked. */
class Receiver {
  receipts: Receipt[] = [];
  connections = 0;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<Receiver> {
    const server = http.createServer();
    // Longer than the client's idle sockets live, so a reused connection is never one the receiver is closing.
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiver = new Receiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('connection', () => receiver.connections++);
    server.on('request', (request, response) => receiver.handle(request, response));
    return receiver;
  }

  /** The receipts so far, and a fresh list for the next phase. */
  take(): Receipt[] {
    const taken = this.receipts;
    this.receipts = [];
    return taken;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const receivedAt = Date.now();
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok');
      const body = Buffer.concat(chunks).toString('utf8');
      const event = JSON.parse(body) as EventEnvelope;
      this.receipts.push({
        deliveryId: String(request.headers[WEBHOOK_HEADERS.delivery.toLowerCase()]),
        eventId: event.id,
        hook: request.url ?? '',
        occurredAt: Date.parse(event.occurredAt),
        receivedAt,
        signatureValid: signatureValid(String(request.headers[WEBHOOK_HEADERS.signature.toLowerCase()]), body),
      });
    });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** The check a receiver makes (docs/webhooks.md): HMAC-SHA256 of "<t>.<body>" with the shared secret. */
function signatureValid(header: string, body: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const expected = createHmac('sha256', SECRET).update(`${match[1]}.${body}`, 'utf8').digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}
