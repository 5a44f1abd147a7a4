import { randomUUID } from 'node:crypto';
import * as hdr from 'hdr-histogram-js';
import pg from 'pg';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { TestNatsCluster, TestNatsServer, waitFor } from '../../test/support/index.js';
import { CpuMeter } from '../lib/cpu.js';
import { saturate, type HttpCall, type Latencies } from '../lib/load.js';
import { breakdown, ratio, type Row } from '../lib/report.js';
import { BenchStack } from '../lib/stack.js';
import type { BenchOptions } from '../run.js';

/** Organizations the "spread" runs create tickets in (one admin each). */
const ORGANIZATIONS = 32;
/** Callers of the API runs: the create suite's best concurrency. */
const API_CONCURRENCY = 64;
/** PostgreSQL connections of the bare-SQL runs: the ticket service's pool is 10 per replica, so this is a bit under two replicas. */
const SQL_CONNECTIONS = 16;
const OUTBOX_EVENTS = Number(process.env.BENCH_LIMITS_OUTBOX_EVENTS ?? 20_000);
/** In-flight publishes: one at a time as the outbox relay publishes, and a pipelined window. */
const STREAM_IN_FLIGHT = [1, 64];

function histogram() {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
}

function summarize(recorded: ReturnType<typeof histogram>, elapsedMs: number, errors = 0): { perSecond: number } & Latencies {
  const ms = (percentile: number) => Math.round(recorded.getValueAtPercentile(percentile) / 10) / 100;
  return { perSecond: Math.round(recorded.totalCount / (elapsedMs / 1000)), count: recorded.totalCount, errors, p50: ms(50), p95: ms(95), p99: ms(99), max: Math.round(recorded.maxValue / 10) / 100 };
}

/** Closed model over any async operation: `workers` loops, each starting its next call as soon as the last one finished. */
async function saturateCalls(workers: number, durationMs: number, call: (worker: number) => Promise<unknown>): Promise<{ perSecond: number } & Latencies> {
  const recorded = histogram();
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (performance.now() < deadline) {
        const sentAt = performance.now();
        try {
          await call(worker);
          recorded.recordValue(Math.max(1, Math.round((performance.now() - sentAt) * 1000)));
        } catch {
          errors += 1;
        }
      }
    }),
  );
  return summarize(recorded, performance.now() - started, errors);
}

/**
 * Samples pg_stat_activity every 20 ms while `run` goes: how many of the database's backends are
 * running a statement, and how many of those wait for a heavyweight lock (the organization's row,
 * whose holder's transaction id they wait on).
 */
async function withLockSampling<T>(database: pg.Client, databaseName: string, run: () => Promise<T>): Promise<{ result: T; lockWaits: { samples: number; meanActive: number; meanWaitingOnLock: number; waitingShare: number; events: Record<string, number> } }> {
  let done = false;
  let samples = 0;
  let active = 0;
  let waiting = 0;
  const events: Record<string, number> = {};
  const sampler = (async () => {
    while (!done) {
      const { rows } = await database.query<{ wait_event_type: string | null; wait_event: string | null }>(
        `SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid()`,
        [databaseName],
      );
      samples += 1;
      active += rows.length;
      for (const row of rows) {
        if (row.wait_event_type === 'Lock') waiting += 1;
        const key = row.wait_event_type ? `${row.wait_event_type}:${row.wait_event}` : 'on CPU';
        events[key] = (events[key] ?? 0) + 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    const result = await run();
    return {
      result,
      lockWaits: {
        samples,
        meanActive: Math.round((active / Math.max(1, samples)) * 100) / 100,
        meanWaitingOnLock: Math.round((waiting / Math.max(1, samples)) * 100) / 100,
        waitingShare: Math.round((waiting / Math.max(1, active)) * 1000) / 1000,
        events,
      },
    };
  } finally {
    done = true;
    await sampler;
  }
}

/** The creation statement the ticket service sends (number reservation under the organization's row lock, ticket, history and outbox rows), as the request-path baseline writes it. */
const CREATE_STATEMENT = `WITH reserved AS (
   UPDATE helpdesk.organizations SET next_ticket_number = next_ticket_number + 1 WHERE id = $1 RETURNING next_ticket_number - 1 AS number
 ), ticket AS (
   INSERT INTO helpdesk.tickets (organization_id, number, subject, description, priority, channel, requester_id, created_at, updated_at, triage_pending)
   SELECT $1::uuid, reserved.number, $2::text, $3::text, 'high', 'api', $4::uuid, now(), now(), false FROM reserved
   RETURNING id, organization_id, number
 ), history AS (
   INSERT INTO helpdesk.ticket_events (organization_id, ticket_id, actor_id, action, changes)
   SELECT organization_id, id, $4::uuid, 'created', jsonb_build_object('subject', jsonb_build_array(NULL, $2::text)) FROM ticket
 ), outbox AS (
   INSERT INTO helpdesk.outbox (id, organization_id, aggregate_id, type, envelope, attempts, published_at)
   SELECT $5::uuid, organization_id, id, 'ticket.created', $6::jsonb, 0, now() FROM ticket
 )
 SELECT number FROM ticket`;

function ticketBody(sequence: number): string {
  return JSON.stringify({ subject: `Printer on floor ${sequence % 7} is jammed again`, description: '<p>It shows <b>error 41</b> and the tray light blinks.</p>', priority: 'high' });
}

/**
 * The ceilings of the three candidate bottlenecks of a large desk, each measured on its own
 * (docs/capacity.md is built on them):
 *   a. ticket numbering: creation through the API and the bare creation statement, all tickets in
 *      one organization against spread over 32, with the PostgreSQL lock waits sampled;
 *   b. the outbox relay: how fast one relay drains a backlog of ticket.created events;
 *   c. one JetStream stream: acknowledged publishes per second at 1 and 3 replicas.
 * Also the storage each ticket and event takes, for the per-day arithmetic.
 */
export async function limits(options: BenchOptions): Promise<{ rows: Row[]; results: Record<string, unknown> }> {
  const durationMs = Math.min(options.durationMs, 8_000);
  const results: Record<string, unknown> = {};
  const rows: Row[] = [];
  const stack = await BenchStack.start('limits', ['ticket', 'gateway', 'ai-proxy']);
  let envelope: string;
  try {
    // A few signups at a time: each hashes a password, and 32 at once outlast the gateway's 5 s command timeout on a loaded machine.
    const admins: Awaited<ReturnType<BenchStack['signup']>>[] = [];
    while (admins.length < ORGANIZATIONS) admins.push(...(await Promise.all(Array.from({ length: Math.min(4, ORGANIZATIONS - admins.length) }, () => stack.signup()))));
    const database = await stack.connectDatabase();
    try {
      const ownBackend = (await database.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const scope = { database: stack.database.name, natsPid: stack.nats.pid, exclude: [ownBackend] };
      const countTickets = async () => Number((await database.query<{ count: string }>('SELECT count(*) FROM helpdesk.tickets')).rows[0]!.count);
      const settleTriage = () =>
        waitFor('the background triage of the tickets created so far', async () => Number((await database.query<{ count: string }>('SELECT count(*) FROM helpdesk.tickets WHERE triage_pending')).rows[0]!.count) === 0, 300_000, 500);

      // a. Numbering through the API: the real creation path, one organization against 32.
      let sequence = 0;
      const callFor = (pick: () => (typeof admins)[number]) => (): HttpCall => ({ method: 'POST', path: '/api/v1/tickets', headers: { authorization: `Bearer ${pick().token}` }, body: ticketBody(sequence++), expect: 201 });
      const oneOrganization = callFor(() => admins[0]!);
      const spread = callFor(() => admins[sequence % ORGANIZATIONS]!);
      const origin = stack.url('gateway');
      await saturate(origin, spread, 8, options.warmupMs);
      await settleTriage();
      const platformProcesses = Object.fromEntries([...stack.services].map(([name, service]) => [name, service.pid]));
      const apiRun = async (makeCall: () => HttpCall) => {
        const meter = CpuMeter.begin(platformProcesses, scope);
        const { result, lockWaits } = await withLockSampling(database, stack.database.name, () => saturate(origin, makeCall, API_CONCURRENCY, durationMs));
        await settleTriage();
        return { ...result, lockWaits, cpuMsPerTicket: meter.perUnit(result.count) };
      };
      const apiOne = await apiRun(oneOrganization);
      const apiSpread = await apiRun(spread);
      results.numberingApi = { concurrency: API_CONCURRENCY, oneOrganization: apiOne, spreadOver: ORGANIZATIONS, spread: apiSpread };
      rows.push(
        {
          benchmark: 'limits: numbering, API',
          measure: `saturation (c=${API_CONCURRENCY}), tickets/s; platform = 1 organization, baseline = spread over ${ORGANIZATIONS}`,
          platform: String(apiOne.perSecond),
          baseline: String(apiSpread.perSecond),
          ratio: ratio(apiOne.perSecond, apiSpread.perSecond),
          target: '',
          met: '',
        },
        { benchmark: 'limits: numbering, API', measure: 'p50 / p99 at saturation, ms (1 org / spread)', platform: `${apiOne.p50} / ${apiOne.p99}`, baseline: `${apiSpread.p50} / ${apiSpread.p99}`, ratio: '', target: '', met: '' },
        {
          benchmark: 'limits: numbering, API',
          measure: 'active PostgreSQL backends / of them waiting on a lock, mean of 20 ms samples (1 org / spread)',
          platform: `${apiOne.lockWaits.meanActive} / ${apiOne.lockWaits.meanWaitingOnLock}`,
          baseline: `${apiSpread.lockWaits.meanActive} / ${apiSpread.lockWaits.meanWaitingOnLock}`,
          ratio: '',
          target: '',
          met: '',
        },
        { benchmark: 'limits: numbering, API', measure: `CPU ms per ticket (1 org): ${breakdown(apiOne.cpuMsPerTicket)}`, platform: String(apiOne.cpuMsPerTicket.total), baseline: String(apiSpread.cpuMsPerTicket.total), ratio: '', target: '', met: '' },
      );

      // What agents do besides creating: public replies (a comment, its history and outbox rows, a status change) and queue reads.
      const ticketsByOrganization = (await database.query<{ id: string; organization_id: string }>('SELECT id, organization_id FROM helpdesk.tickets ORDER BY random() LIMIT 2000')).rows;
      const tokenOf = new Map(admins.map((admin) => [admin.orgId, admin.token]));
      const commentsBefore = Number((await database.query<{ count: string }>('SELECT count(*) FROM helpdesk.comments')).rows[0]!.count);
      const replyCall = (): HttpCall => {
        const target = ticketsByOrganization[sequence++ % ticketsByOrganization.length]!;
        return { method: 'POST', path: `/api/v1/tickets/${target.id}/comments`, headers: { authorization: `Bearer ${tokenOf.get(target.organization_id)}` }, body: JSON.stringify({ body: '<p>Thanks, we have ordered a new fuser unit; it arrives tomorrow.</p>' }), expect: 201 };
      };
      const replyMeter = CpuMeter.begin(platformProcesses, scope);
      const replies = await saturate(origin, replyCall, 16, Math.min(durationMs, 5_000));
      await settleTriage();
      const repliesCpu = replyMeter.perUnit(replies.count);
      const queueCall = (): HttpCall => ({ method: 'GET', path: '/api/v1/tickets?limit=50&sort=-updatedAt', headers: { authorization: `Bearer ${admins[sequence++ % ORGANIZATIONS]!.token}` }, expect: 200 });
      const readMeter = CpuMeter.begin(platformProcesses, scope);
      const reads = await saturate(origin, queueCall, 16, Math.min(durationMs, 5_000));
      const readsCpu = readMeter.perUnit(reads.count);
      results.agentWork = { replies: { ...replies, cpuMsPerReply: repliesCpu }, queueReads: { ...reads, cpuMsPerRead: readsCpu } };
      rows.push(
        { benchmark: 'limits: agent work, API', measure: `public replies (c=16), replies/s; CPU ms per reply: ${breakdown(repliesCpu)}`, platform: `${replies.perSecond}; ${repliesCpu.total}`, baseline: '', ratio: '', target: '', met: replies.errors > 0 ? 'no' : '' },
        { benchmark: 'limits: agent work, API', measure: `queue page of 50 (c=16), reads/s; CPU ms per read: ${breakdown(readsCpu)}`, platform: `${reads.perSecond}; ${readsCpu.total}`, baseline: '', ratio: '', target: '', met: reads.errors > 0 ? 'no' : '' },
      );

      // Storage per ticket and per reply, from what the API wrote (outbox rows published and kept, as in production).
      const apiTickets = await countTickets();
      const apiComments = Number((await database.query<{ count: string }>('SELECT count(*) FROM helpdesk.comments')).rows[0]!.count) - commentsBefore;
      await database.query('VACUUM ANALYZE helpdesk.tickets, helpdesk.ticket_events, helpdesk.outbox');
      const sizes = (
        await database.query<{ relation: string; bytes: string; rows: string }>(
          `SELECT relation, pg_total_relation_size(('helpdesk.' || relation)::regclass) AS bytes,
                  (SELECT reltuples::bigint FROM pg_class WHERE oid = ('helpdesk.' || relation)::regclass) AS rows
             FROM unnest(ARRAY['tickets', 'ticket_events', 'outbox', 'comments']) AS relation`,
        )
      ).rows;
      const envelopeRow = (await database.query<{ envelope: string; bytes: number }>(`SELECT envelope::text AS envelope, octet_length(envelope::text) AS bytes FROM helpdesk.outbox WHERE type = 'ticket.created' ORDER BY id DESC LIMIT 1`)).rows[0]!;
      envelope = envelopeRow.envelope;
      const bytesOf = (relation: string) => Number(sizes.find((size) => size.relation === relation)!.bytes);
      const bytesPerComment = Math.round(bytesOf('comments') / Math.max(1, apiComments));
      // Each ticket wrote one history and one outbox row and each reply about one of each (two when it changed the status), so the two are apportioned by rows.
      const eventRows = Number((await database.query<{ count: string }>('SELECT count(*) FROM helpdesk.outbox')).rows[0]!.count);
      const historyRows = Number((await database.query<{ count: string }>('SELECT count(*) FROM helpdesk.ticket_events')).rows[0]!.count);
      const bytesPerOutboxRow = Math.round(bytesOf('outbox') / eventRows);
      const bytesPerHistoryRow = Math.round(bytesOf('ticket_events') / historyRows);
      const bytesPerTicketRow = Math.round(bytesOf('tickets') / apiTickets);
      results.storage = { tickets: apiTickets, comments: apiComments, outboxRows: eventRows, historyRows, relations: sizes, bytesPerTicketRow, bytesPerComment, bytesPerOutboxRow, bytesPerHistoryRow, ticketCreatedEnvelopeBytes: envelopeRow.bytes };
      rows.push({
        benchmark: 'limits: storage',
        measure: `PostgreSQL bytes with indexes (${apiTickets} tickets, ${apiComments} replies): ticket row / comment / outbox row / history row; ticket.created envelope ${envelopeRow.bytes} B`,
        platform: `${bytesPerTicketRow} / ${bytesPerComment} / ${bytesPerOutboxRow} / ${bytesPerHistoryRow}`,
        baseline: '',
        ratio: '',
        target: '',
        met: '',
      });

      // a'. The bare creation statement from 16 connections: the row lock's own ceiling, without the services' CPU.
      const clients = await Promise.all(Array.from({ length: SQL_CONNECTIONS }, () => stack.connectDatabase()));
      try {
        const statement = (organizationIndex: number) => {
          const admin = admins[organizationIndex]!;
          return { name: 'limits-create', text: CREATE_STATEMENT, values: [admin.orgId, 'Printer on floor 3 is jammed again', '<p>It shows <b>error 41</b>.</p>', admin.userId, randomUUID(), envelope] };
        };
        let statementSequence = 0;
        await saturateCalls(SQL_CONNECTIONS, 1_000, (worker) => clients[worker]!.query(statement(worker % ORGANIZATIONS)));
        const sqlMeter = () => CpuMeter.begin({}, { ...scope, servers: ['postgres'] });
        const single = await saturateCalls(1, Math.min(durationMs, 4_000), () => clients[0]!.query(statement(0)));
        const sqlRun = async (pick: () => number) => {
          const meter = sqlMeter();
          const { result, lockWaits } = await withLockSampling(database, stack.database.name, () => saturateCalls(SQL_CONNECTIONS, Math.min(durationMs, 5_000), (worker) => clients[worker]!.query(statement(pick()))));
          return { ...result, lockWaits, postgresCpuMsPerStatement: meter.perUnit(result.count).postgres };
        };
        const sqlOne = await sqlRun(() => 0);
        const sqlSpread = await sqlRun(() => statementSequence++ % ORGANIZATIONS);
        results.numberingSql = { connections: SQL_CONNECTIONS, single, oneOrganization: sqlOne, spreadOver: ORGANIZATIONS, spread: sqlSpread };
        rows.push(
          {
            benchmark: 'limits: numbering, bare SQL',
            measure: `creation statements/s from ${SQL_CONNECTIONS} connections; platform = 1 organization, baseline = spread over ${ORGANIZATIONS}`,
            platform: String(sqlOne.perSecond),
            baseline: String(sqlSpread.perSecond),
            ratio: ratio(sqlOne.perSecond, sqlSpread.perSecond),
            target: '',
            met: '',
          },
          { benchmark: 'limits: numbering, bare SQL', measure: 'p50 / p99 ms (1 org / spread)', platform: `${sqlOne.p50} / ${sqlOne.p99}`, baseline: `${sqlSpread.p50} / ${sqlSpread.p99}`, ratio: '', target: '', met: '' },
          {
            benchmark: 'limits: numbering, bare SQL',
            measure: 'active backends / of them waiting on a lock, mean (1 org / spread)',
            platform: `${sqlOne.lockWaits.meanActive} / ${sqlOne.lockWaits.meanWaitingOnLock}`,
            baseline: `${sqlSpread.lockWaits.meanActive} / ${sqlSpread.lockWaits.meanWaitingOnLock}`,
            ratio: '',
            target: '',
            met: '',
          },
          { benchmark: 'limits: numbering, bare SQL', measure: 'one connection, one organization: statements/s, p50 ms (the lock held per statement, commit included)', platform: `${single.perSecond}; ${single.p50}`, baseline: '', ratio: '', target: '', met: '' },
          { benchmark: 'limits: numbering, bare SQL', measure: 'PostgreSQL CPU ms per statement (1 org / spread)', platform: String(sqlOne.postgresCpuMsPerStatement), baseline: String(sqlSpread.postgresCpuMsPerStatement), ratio: '', target: '', met: '' },
        );
      } finally {
        await Promise.all(clients.map((client) => client.end()));
      }

      // b. The outbox relay: a backlog of ticket.created events written while the ticket service is down, drained by the one relay when
      // it starts; into the stack's one nats-server (a stream of one replica), then into a 3-node cluster with the stream in 3 replicas, as the chart runs it.
      const pending = async () => Number((await database.query<{ count: string }>('SELECT count(*) FROM helpdesk.outbox WHERE published_at IS NULL')).rows[0]!.count);
      const drain = async (extraEnv: Record<string, string>, natsServers: Record<string, number | undefined>) => {
        await stack.services.get('ticket')!.kill();
        await database.query(
          `INSERT INTO helpdesk.outbox (id, organization_id, aggregate_id, type, envelope, attempts)
           SELECT event.id, $1::uuid, gen_random_uuid(), 'ticket.created', jsonb_set($2::jsonb, '{id}', to_jsonb(event.id::text)), 0
             FROM (SELECT gen_random_uuid() AS id FROM generate_series(1, $3::int)) event`,
          [admins[0]!.orgId, envelope, OUTBOX_EVENTS],
        );
        const ticket = await stack.spawnService('ticket', extraEnv);
        let firstDrop: { at: number; pending: number } | undefined;
        await waitFor(
          'the relay to start draining the backlog',
          async () => {
            const left = await pending();
            if (left < OUTBOX_EVENTS) firstDrop = { at: performance.now(), pending: left };
            return firstDrop !== undefined;
          },
          120_000,
          20,
        );
        const meter = CpuMeter.begin({ ticket: ticket.pid, ...natsServers }, { ...scope, natsPid: undefined, servers: ['postgres'] });
        await waitFor('the relay to drain the backlog', async () => (await pending()) === 0, 300_000, 50);
        const drainSeconds = (performance.now() - firstDrop!.at) / 1000;
        const cpuMsPerEvent = meter.perUnit(firstDrop!.pending);
        await ticket.waitUntilReady(60_000);
        return { events: OUTBOX_EVENTS, measuredEvents: firstDrop!.pending, drainSeconds, eventsPerSecond: Math.round(firstDrop!.pending / drainSeconds), cpuMsPerEvent };
      };
      const relayR1 = await drain({}, { 'nats-server': stack.nats.pid });
      const natsCluster = await TestNatsCluster.start({ serviceUsers: true });
      let relayR3: Awaited<ReturnType<typeof drain>>;
      try {
        relayR3 = await drain(
          { NATS_URL: natsCluster.urlFor('ticket'), EVENTS_STREAM_REPLICAS: '3', OBJECT_STORE_REPLICAS: '3' },
          Object.fromEntries(natsCluster.nodes.map((node) => [`nats-server ${node.name}`, node.pid])),
        );
      } finally {
        await stack.services.get('ticket')!.kill();
        await natsCluster.destroy();
      }
      results.outboxRelay = { envelopeBytes: envelopeRow.bytes, oneReplica: relayR1, threeReplicas: relayR3 };
      for (const [replicas, relay] of [[1, relayR1], [3, relayR3]] as const) {
        rows.push(
          {
            benchmark: 'limits: outbox relay',
            measure: `one relay draining ${relay.measuredEvents} pending ticket.created events (${envelopeRow.bytes} B) into a stream of ${replicas} replica(s), events/s`,
            platform: String(relay.eventsPerSecond),
            baseline: '',
            ratio: '',
            target: '',
            met: '',
          },
          { benchmark: 'limits: outbox relay', measure: `R${replicas}: CPU ms per event while draining: ${breakdown(relay.cpuMsPerEvent)}`, platform: String(relay.cpuMsPerEvent.total), baseline: '', ratio: '', target: '', met: '' },
        );
      }
    } finally {
      await database.end();
    }
  } finally {
    await stack.stop();
  }

  // c. One JetStream stream, outside the platform: acknowledged publishes of a ticket.created-sized event.
  const streamRuns: Record<string, unknown>[] = [];
  const single = await TestNatsServer.start();
  try {
    streamRuns.push(...(await publishRuns(single.url, 1, [single.pid], envelope!, durationMs)));
  } finally {
    await single.destroy();
  }
  const cluster = await TestNatsCluster.start();
  try {
    streamRuns.push(...(await publishRuns(cluster.url, 3, cluster.nodes.map((node) => node.pid), envelope!, durationMs)));
  } finally {
    await cluster.destroy();
  }
  results.stream = streamRuns;
  for (const run of streamRuns as Array<{ replicas: number; inFlight: number; perSecond: number; p50: number; p99: number; natsCpuMsPerMessage: number; bytesPerMessage: number; errors: number }>) {
    rows.push({
      benchmark: 'limits: one JetStream stream',
      measure: `R${run.replicas}, ${run.inFlight} in flight, ${envelope!.length} B events: publishes/s; p50 / p99 ms; nats-server CPU ms per message; stored B per message`,
      platform: `${run.perSecond}; ${run.p50} / ${run.p99}; ${run.natsCpuMsPerMessage}; ${run.bytesPerMessage}`,
      baseline: '',
      ratio: '',
      target: '',
      met: run.errors > 0 ? 'no' : '',
    });
  }
  return { rows, results };
}

/** Publishes with acknowledgement and a message id (as the relay does) into a fresh stream of `replicas` replicas, at each in-flight window. */
async function publishRuns(url: string, replicas: number, natsPids: Array<number | undefined>, payload: string, durationMs: number): Promise<Record<string, unknown>[]> {
  const connection: NatsConnection = await connect({ servers: url.split(',') });
  try {
    const manager = await jetstreamManager(connection);
    const client = jetstream(connection);
    const data = new TextEncoder().encode(payload);
    const runs: Record<string, unknown>[] = [];
    for (const inFlight of STREAM_IN_FLIGHT) {
      const name = `LIMITS_R${replicas}_${inFlight}`;
      // A new cluster elects its meta leader before every peer is known to it: placement of 3 replicas is refused until then.
      await waitFor(
        `a stream of ${replicas} replica(s)`,
        () =>
          manager.streams
            .add({ name, subjects: [`limits.${replicas}.${inFlight}.>`], storage: StorageType.File, num_replicas: replicas, duplicate_window: 5 * 60 * 1_000_000_000 })
            .then(() => true)
            .catch(() => false),
        30_000,
        250,
      );
      const subject = `limits.${replicas}.${inFlight}.ticket.created`;
      await saturateCalls(inFlight, 1_000, () => client.publish(subject, data, { msgID: randomUUID() }));
      const named = Object.fromEntries(natsPids.map((pid, index) => [`nats-server ${index + 1}`, pid]));
      const meter = CpuMeter.begin(named, { servers: [] });
      const result = await saturateCalls(inFlight, Math.min(durationMs, 4_000), () => client.publish(subject, data, { msgID: randomUUID(), timeout: 5_000 }));
      const cpu = meter.perUnit(result.count);
      const natsCpu = Object.entries(cpu)
        .filter(([component]) => component.startsWith('nats-server'))
        .reduce((sum, [, value]) => sum + value, 0);
      const state = (await manager.streams.info(name)).state;
      runs.push({ replicas, inFlight, ...result, natsCpuMsPerMessage: Math.round(natsCpu * 1000) / 1000, clientCpuMsPerMessage: cpu['load generator'], bytesPerMessage: Math.round(state.bytes / Math.max(1, state.messages)), messages: state.messages });
      await manager.streams.delete(name);
    }
    return runs;
  } finally {
    await connection.close();
  }
}
