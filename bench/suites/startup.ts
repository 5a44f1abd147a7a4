import { type Row } from '../lib/report.js';
import { BenchStack, type ServiceName } from '../lib/stack.js';
import type { BenchOptions } from '../run.js';

const SERVICES: ServiceName[] = ['ticket', 'gateway', 'notification', 'realtime', 'ai-proxy'];
const TARGET_MS = 5_000;

/**
 * Start-up: from process spawn to the first 200 of /health/ready, each service started `runs` times
 * against live dependencies. The baseline is a bare `node -e` process start on the same machine.
 */
export async function startup(options: BenchOptions): Promise<{ rows: Row[]; results: Record<string, unknown> }> {
  const stack = await BenchStack.start('startup', []);
  try {
    const nodeStart = await bareNodeStart(options.startupRuns);
    const results: Record<string, number[]> = {};
    for (const name of SERVICES) {
      results[name] = [];
      for (let run = 0; run < options.startupRuns; run += 1) results[name].push(Math.round(await timedStart(stack, name)));
    }
    const rows: Row[] = SERVICES.map((name) => {
      const median = medianOf(results[name]!);
      return { benchmark: 'start-up', measure: `${name}, spawn to ready, median ms`, platform: String(median), baseline: `${nodeStart} (bare node)`, ratio: `${(median / nodeStart).toFixed(1)}x`, target: `< ${TARGET_MS} ms`, met: median < TARGET_MS ? 'yes' : 'no' };
    });
    return { rows, results: { runsMs: results, bareNodeStartMs: nodeStart } };
  } finally {
    await stack.stop();
  }
}

async function timedStart(stack: BenchStack, name: ServiceName): Promise<number> {
  const startedAt = performance.now();
  const service = await stack.startService(name);
  const elapsed = performance.now() - startedAt;
  await service.kill();
  return elapsed;
}

async function bareNodeStart(runs: number): Promise<number> {
  const { spawn } = await import('node:child_process');
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const startedAt = performance.now();
    await new Promise((resolve) => spawn(process.execPath, ['-e', '0']).once('exit', resolve));
    times.push(Math.round(performance.now() - startedAt));
  }
  return medianOf(times);
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
