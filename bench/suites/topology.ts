import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { FaultSmtpSink } from '../../test/faults/smtp-sink.js';
import { ClusterTopology, freePort, startPgBouncer, waitFor } from '../../test/support/index.js';
import { saturate, type HttpCall } from '../lib/load.js';
import { breakdown, ratio, type Row } from '../lib/report.js';
import type { BenchOptions } from '../run.js';

/** Cost per ticket may grow this much from one process per service on one NATS server to the clustered topology. */
const TARGET_CPU_RATIO = 1.15;
const CONCURRENCY = 16;
const TICKS_PER_SECOND = 100;

interface Measured {
  perSecond: number;
  tickets: number;
  errors: number;
  p99: number;
  cpuMsPerTicket: Record<string, number>;
  /** CPU ms per second of the deployment doing nothing (timers, heartbeats, Raft, polling). */
  idleCpuMsPerSecond: number;
  /** cpuMsPerTicket.total less the idle CPU of the measured span: what the tickets themselves cost. */
  cpuMsPerTicketAboveIdle: number;
}

const IDLE_WINDOW_MS = 5_000;
const sum = (totals: Map<string, number>) => [...totals.values()].reduce((total, value) => total + value, 0);

/**
 * The clustered topology (3 NATS nodes with R3 streams and buckets, two replicas of every service,
 * PgBouncer in transaction mode before PostgreSQL, the TCP balancer in front of the gateways) beside the same platform with one process per service on
 * one NATS server, both behind the same balancer, with mail flowing to a local SMTP sink. Tickets
 * are created at saturation; the CPU of every process of the deployment (services, nats-servers,
 * PostgreSQL and its backends, Redis) is counted until every ticket's confirmation mail is accepted,
 * per ticket; the balancer and the SMTP sink run in the benchmark's own process, not counted. On a
 * machine with few cores the point is the cost per ticket, not the throughput.
 */
export async function topologyBench(options: BenchOptions): Promise<{ rows: Row[]; results: Record<string, unknown> }> {
  const sink = await FaultSmtpSink.start(await freePort());
  const env = { EMAIL_HOST: '127.0.0.1', EMAIL_PORT: String(sink.port), DEFAULT_FROM_EMAIL: 'Helpdesk <support@bench.test>', LOG_LEVEL: 'warn' };
  try {
    const single = await measure(await ClusterTopology.start({ replicas: 1, natsNodes: 1, env }), sink, options);
    const clustered = await measure(
      await ClusterTopology.start({
        replicas: 2,
        natsNodes: 3,
        // PgBouncer 1.18 in transaction mode, as the drill runs it: no named prepared statements through it.
        pooler: (postgres) => startPgBouncer({ databaseName: 'helpdesk', upstream: postgres, poolSize: 40 }),
        env: { ...env, DB_PREPARED_STATEMENTS: 'false' },
      }),
      sink,
      options,
    );
    const cpuRatio = clustered.cpuMsPerTicket.total! / single.cpuMsPerTicket.total!;
    const rows: Row[] = [
      { benchmark: 'topology', measure: `tickets/s at saturation (c=${CONCURRENCY}), clustered vs single`, platform: String(clustered.perSecond), baseline: String(single.perSecond), ratio: ratio(clustered.perSecond, single.perSecond), target: '', met: '' },
      { benchmark: 'topology', measure: 'p99 ms at saturation, clustered vs single', platform: String(clustered.p99), baseline: String(single.p99), ratio: ratio(clustered.p99, single.p99), target: '', met: '' },
      {
        benchmark: 'topology',
        measure: `CPU ms per ticket until its mail, all processes (clustered: ${breakdown(clustered.cpuMsPerTicket)}; single: ${breakdown(single.cpuMsPerTicket)})`,
        platform: String(clustered.cpuMsPerTicket.total),
        baseline: String(single.cpuMsPerTicket.total),
        ratio: ratio(clustered.cpuMsPerTicket.total!, single.cpuMsPerTicket.total!),
        target: `<= ${TARGET_CPU_RATIO.toFixed(2)}x`,
        met: cpuRatio <= TARGET_CPU_RATIO ? 'yes' : 'no',
      },
      {
        benchmark: 'topology',
        measure: `CPU ms per ticket above idle (idle: clustered ${clustered.idleCpuMsPerSecond}, single ${single.idleCpuMsPerSecond} CPU ms/s)`,
        platform: String(clustered.cpuMsPerTicketAboveIdle),
        baseline: String(single.cpuMsPerTicketAboveIdle),
        ratio: ratio(clustered.cpuMsPerTicketAboveIdle, single.cpuMsPerTicketAboveIdle),
        target: '',
        met: '',
      },
    ];
    return { rows, results: { single, clustered, cpuRatio } };
  } finally {
    await sink.stop();
  }
}

async function measure(topology: ClusterTopology, sink: FaultSmtpSink, options: BenchOptions): Promise<Measured> {
  try {
    const signup = await fetch(`${topology.url}/api/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ organizationName: 'Topology Bench', name: 'Bench Admin', email: 'admin@bench.test', password: 'correct horse battery staple' }),
    });
    const admin = (await signup.json()) as { accessToken: string; organization: { id: string } };
    const database = new pg.Client({ host: '127.0.0.1', port: topology.postgres.port, user: 'postgres', database: 'helpdesk' });
    await database.connect();
    await database.query('UPDATE helpdesk.organizations SET email_verified_at = now() WHERE id = $1', [admin.organization.id]);
    await database.end();
    let sequence = 0;
    const call = (): HttpCall => ({
      method: 'POST',
      path: '/api/v1/tickets',
      headers: { authorization: `Bearer ${admin.accessToken}` },
      body: JSON.stringify({ subject: `Topology bench ${(sequence += 1)}`, description: 'The printer is jammed again.', requesterEmail: `reader-${sequence}@bench.test` }),
      expect: 201,
    });
    const confirmations = () => sink.mails.filter((mail) => mail.subject.startsWith('We received')).length;
    const drained = (count: number) => waitFor(`${count} confirmation mails`, async () => confirmations() >= count, 300_000, 100);

    const warmup = await saturate(topology.url, call, CONCURRENCY, options.warmupMs);
    await drained(warmup.count);
    sink.mails.length = 0;
    // Once the warm-up's background work (triage, SLA timers) has settled: what the deployment costs doing nothing.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const idleFrom = cpuOfDeployment(topology);
    await new Promise((resolve) => setTimeout(resolve, IDLE_WINDOW_MS));
    const idleCpuMsPerSecond = ((sum(cpuOfDeployment(topology)) - sum(idleFrom)) * 1000) / (IDLE_WINDOW_MS / 1000);
    const before = cpuOfDeployment(topology);
    const startedAt = performance.now();
    const run = await saturate(topology.url, call, CONCURRENCY, options.durationMs);
    await drained(run.count);
    const spanSeconds = (performance.now() - startedAt) / 1000;
    const after = cpuOfDeployment(topology);
    sink.mails.length = 0;
    const cpuMsPerTicket: Record<string, number> = {};
    for (const [component, seconds] of after) cpuMsPerTicket[component] = Math.round(((seconds - (before.get(component) ?? 0)) * 1000 * 100) / run.count) / 100;
    cpuMsPerTicket.total = Math.round(Object.values(cpuMsPerTicket).reduce((sum, value) => sum + value, 0) * 100) / 100;
    const cpuMsPerTicketAboveIdle = Math.round(((cpuMsPerTicket.total - (idleCpuMsPerSecond * spanSeconds) / run.count) * 100)) / 100;
    return { perSecond: run.perSecond, tickets: run.count, errors: run.errors, p99: run.p99, cpuMsPerTicket, idleCpuMsPerSecond: Math.round(idleCpuMsPerSecond), cpuMsPerTicketAboveIdle };
  } finally {
    await topology.destroy();
  }
}

/**
 * CPU seconds (user + system) of every process of this deployment, by component: the service
 * replicas by pid, and the servers and PostgreSQL backends among this process's descendants (never
 * another run's servers on the same machine). A process that ended meanwhile is missed.
 */
function cpuOfDeployment(topology: ClusterTopology): Map<string, number> {
  const replicas = new Map<number, string>();
  for (const [name, running] of topology.replicas) for (const replica of running) if (replica.pid) replicas.set(replica.pid, name);
  const stats = new Map<number, { parent: number; command: string; seconds: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { parent: Number(fields[1]), command: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND });
    } catch {
      // Ended while we looked.
    }
  }
  const descends = (pid: number): boolean => {
    for (let current = stats.get(pid)?.parent; current && current > 1; current = stats.get(current)?.parent) if (current === process.pid) return true;
    return false;
  };
  const totals = new Map<string, number>();
  for (const [pid, stat] of stats) {
    if (!descends(pid)) continue;
    const component = replicas.get(pid) ?? (['nats-server', 'postgres', 'redis-server', 'pgbouncer'].includes(stat.command) ? stat.command : undefined);
    if (component) totals.set(component, (totals.get(component) ?? 0) + stat.seconds);
  }
  return totals;
}
