import { waitFor } from '../../test/support/index.js';
import { CpuMeter } from '../lib/cpu.js';
import { arriveAtConstantRate, saturate, type HttpCall } from '../lib/load.js';
import { breakdown, ratio, type Row } from '../lib/report.js';
import { BenchStack, startScript } from '../lib/stack.js';
import type { BenchOptions } from '../run.js';

const CONCURRENCY_LEVELS = [16, 64];

function ticketBody(sequence: number): string {
  return JSON.stringify({ subject: `Printer on floor ${sequence % 7} is jammed again`, description: '<p>It shows <b>error 41</b> and the tray light blinks.</p>', priority: 'high' });
}

/**
 * Ticket creation through the whole path (HTTP, gateway, NATS, ticket service, PostgreSQL with the
 * outbox) against a single-process Fastify + pg endpoint doing the same writes, on the same database.
 */
export async function ticketCreation(options: BenchOptions): Promise<{ rows: Row[]; results: Record<string, unknown> }> {
  // The ai-proxy too: every new ticket is triaged in the background, as in production (without it the triage jobs fail and retry).
  const stack = await BenchStack.start('create', ['ticket', 'gateway', 'ai-proxy']);
  try {
    const admin = await stack.signup();
    const baseline = await startScript('bench/baseline/fastify-pg.ts', { DB_NAME: stack.database.name, ORG_ID: admin.orgId, REQUESTER_ID: admin.userId });
    const database = await stack.connectDatabase();
    // Only this stack's PostgreSQL backends and nats-server are metered (not other databases' clients on a shared machine), without the suite's own polling connection.
    const ownBackend = (await database.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const scope = { database: stack.database.name, natsPid: stack.nats.pid, exclude: [ownBackend] };
    let platformCreated = 0;
    // Each platform ticket is triaged in the background; the next measurement starts once that work is done,
    // so it is charged to the platform's run and never to the one after it.
    const settle = async () => {
      await waitFor(
        'the background triage of the tickets created so far',
        async () => Number((await database.query<{ count: string }>('SELECT count(*) FROM helpdesk.tickets WHERE ai_triage IS NOT NULL')).rows[0]!.count) >= platformCreated,
        300_000,
        500,
      );
    };
    const platformProcesses = Object.fromEntries([...stack.services].map(([name, service]) => [name, service.pid]));
    /** Runs a platform measurement and lets its background work finish, charging that work's CPU to it. */
    type Metered<T> = T & { cpuMsPerRequest: Record<string, number>; ioCallsPerRequest: Record<string, number> };
    const onPlatform = async <T extends { count: number }>(run: () => Promise<T>): Promise<Metered<T>> => {
      const meter = CpuMeter.begin(platformProcesses, scope);
      const result = await run();
      platformCreated += result.count;
      await settle();
      return { ...result, cpuMsPerRequest: meter.perUnit(result.count), ioCallsPerRequest: meter.ioCallsPerUnit(result.count) };
    };
    const onBaseline = async <T extends { count: number }>(run: () => Promise<T>): Promise<Metered<T>> => {
      const meter = CpuMeter.begin({ baseline: baseline.child.pid }, { ...scope, servers: ['postgres'] });
      const result = await run();
      return { ...result, cpuMsPerRequest: meter.perUnit(result.count), ioCallsPerRequest: meter.ioCallsPerUnit(result.count) };
    };
    try {
      let sequence = 0;
      const platformCall = (): HttpCall => ({ method: 'POST', path: '/api/v1/tickets', headers: { authorization: `Bearer ${admin.token}` }, body: ticketBody(sequence++), expect: 201 });
      const baselineCall = (): HttpCall => ({ method: 'POST', path: '/tickets', body: ticketBody(sequence++), expect: 201 });
      const platformOrigin = stack.url('gateway');
      const baselineOrigin = `http://127.0.0.1:${baseline.port}`;

      // Warm both up (JIT, connection pools, caches) before anything is measured.
      await onPlatform(() => saturate(platformOrigin, platformCall, 8, options.warmupMs));
      await saturate(baselineOrigin, baselineCall, 8, options.warmupMs);

      const platformRuns = [];
      const baselineRuns = [];
      for (const concurrency of CONCURRENCY_LEVELS) {
        platformRuns.push({ concurrency, ...(await onPlatform(() => saturate(platformOrigin, platformCall, concurrency, options.durationMs))) });
        baselineRuns.push({ concurrency, ...(await onBaseline(() => saturate(baselineOrigin, baselineCall, concurrency, options.durationMs))) });
      }
      const best = <T extends { perSecond: number }>(runs: T[]) => runs.reduce((top, run) => (run.perSecond > top.perSecond ? run : top));
      const platformPeak = best(platformRuns);
      const baselinePeak = best(baselineRuns);

      // Open model at half the platform's own saturation rate, the same arrivals for both.
      const rate = Math.max(1, Math.round(platformPeak.perSecond / 2));
      const platformOpen = await onPlatform(() => arriveAtConstantRate(platformOrigin, platformCall, rate, options.durationMs));
      const baselineOpen = await arriveAtConstantRate(baselineOrigin, baselineCall, rate, options.durationMs);

      const throughputShare = platformPeak.perSecond / baselinePeak.perSecond;
      const rows: Row[] = [
        {
          benchmark: 'ticket creation',
          measure: 'saturation, req/s',
          platform: `${platformPeak.perSecond} (c=${platformPeak.concurrency})`,
          baseline: `${baselinePeak.perSecond} (c=${baselinePeak.concurrency})`,
          ratio: ratio(platformPeak.perSecond, baselinePeak.perSecond),
          target: '>= 0.50x',
          met: throughputShare >= 0.5 ? 'yes' : 'no',
        },
        ...(['p50', 'p95', 'p99'] as const).map(
          (percentile): Row => ({
            benchmark: 'ticket creation',
            measure: `${percentile} at ${rate}/s open model, ms`,
            platform: String(platformOpen[percentile]),
            baseline: String(baselineOpen[percentile]),
            ratio: ratio(platformOpen[percentile], baselineOpen[percentile]),
            target: percentile === 'p99' ? '< 100 ms' : '',
            met: percentile === 'p99' ? (platformOpen.p99 < 100 ? 'yes' : 'no') : '',
          }),
        ),
        {
          benchmark: 'ticket creation',
          measure: `CPU ms per ticket at saturation (c=${platformPeak.concurrency}): ${breakdown(platformPeak.cpuMsPerRequest)}`,
          platform: String(platformPeak.cpuMsPerRequest.total),
          baseline: String(baselinePeak.cpuMsPerRequest.total),
          ratio: ratio(platformPeak.cpuMsPerRequest.total!, baselinePeak.cpuMsPerRequest.total!),
          target: '',
          met: '',
        },
        {
          benchmark: 'ticket creation',
          measure: `read and write system calls per ticket: ${breakdown(platformPeak.ioCallsPerRequest)}`,
          platform: String(platformPeak.ioCallsPerRequest.total),
          baseline: String(baselinePeak.ioCallsPerRequest.total),
          ratio: ratio(platformPeak.ioCallsPerRequest.total!, baselinePeak.ioCallsPerRequest.total!),
          target: '',
          met: '',
        },
        {
          benchmark: 'ticket creation',
          measure: 'errors (all runs)',
          platform: String([...platformRuns, platformOpen].reduce((sum, run) => sum + run.errors, 0)),
          baseline: String([...baselineRuns, baselineOpen].reduce((sum, run) => sum + run.errors, 0)),
          ratio: '',
          target: '0',
          met: '',
        },
      ];
      return { rows, results: { platformRuns, baselineRuns, openModel: { ratePerSecond: rate, platform: platformOpen, baseline: baselineOpen } } };
    } finally {
      await database.end();
      await baseline.stop();
    }
  } finally {
    await stack.stop();
  }
}
