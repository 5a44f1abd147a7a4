import { Pool } from 'undici';
import * as hdr from 'hdr-histogram-js';

export interface HttpCall {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** The status a successful call answers; anything else counts as an error. */
  expect: number;
  /** Given the parsed JSON answer of a successful call and when the call was due (performance.now()). */
  onAnswer?: (body: any, dueAt: number) => void;
}

export interface Latencies {
  count: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

function histogram() {
  // Microsecond resolution up to 60 s, 3 significant digits.
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
}

function summarize(recorded: ReturnType<typeof histogram>, errors: number): Latencies {
  const ms = (percentile: number) => Math.round(recorded.getValueAtPercentile(percentile) / 10) / 100;
  return { count: recorded.totalCount, errors, p50: ms(50), p95: ms(95), p99: ms(99), max: Math.round(recorded.maxValue / 10) / 100 };
}

async function send(pool: Pool, call: HttpCall, dueAt = performance.now()): Promise<boolean> {
  try {
    const response = await pool.request({ method: call.method, path: call.path, headers: { 'content-type': 'application/json', ...call.headers }, body: call.body });
    if (call.onAnswer && response.statusCode === call.expect) {
      call.onAnswer(await response.body.json(), dueAt);
      return true;
    }
    await response.body.dump();
    return response.statusCode === call.expect;
  } catch {
    return false;
  }
}

/**
 * Closed model: `concurrency` callers each send their next request as soon as the last one answers,
 * for `durationMs`. Its throughput is the server's saturation rate at that concurrency.
 */
export async function saturate(origin: string, makeCall: () => HttpCall, concurrency: number, durationMs: number): Promise<{ perSecond: number } & Latencies> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  const recorded = histogram();
  let errors = 0;
  const deadline = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const sentAt = performance.now();
        if (await send(pool, makeCall(), sentAt)) recorded.recordValue(Math.max(1, Math.round((performance.now() - sentAt) * 1000)));
        else errors += 1;
      }
    }),
  );
  const elapsedSeconds = (performance.now() - started) / 1000;
  await pool.close();
  return { perSecond: Math.round(recorded.totalCount / elapsedSeconds), ...summarize(recorded, errors) };
}

/**
 * Open model: requests arrive at a constant `ratePerSecond` whatever the server does, and each
 * latency is measured from the moment the request was due, so time spent queueing (in the client's
 * pool or the server) is counted rather than hidden (no coordinated omission).
 */
export async function arriveAtConstantRate(origin: string, makeCall: () => HttpCall, ratePerSecond: number, durationMs: number): Promise<Latencies> {
  const pool = new Pool(origin, { connections: 256, pipelining: 1 });
  const recorded = histogram();
  let errors = 0;
  const total = Math.round((ratePerSecond * durationMs) / 1000);
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let sent = 0; sent < total; ) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * ratePerSecond) + 1);
    for (; sent < due; sent += 1) {
      const dueAt = started + (sent / ratePerSecond) * 1000;
      inFlight.push(
        send(pool, makeCall(), dueAt).then((ok) => {
          if (ok) recorded.recordValue(Math.max(1, Math.round((performance.now() - dueAt) * 1000)));
          else errors += 1;
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(inFlight);
  await pool.close();
  return summarize(recorded, errors);
}

/** Latencies of `runs` sequential calls to an async function (for SQL baselines and other non-HTTP work). */
export async function timeSequential(runs: number, work: () => Promise<unknown>): Promise<Latencies> {
  const recorded = histogram();
  for (let run = 0; run < runs; run += 1) {
    const startedAt = performance.now();
    await work();
    recorded.recordValue(Math.max(1, Math.round((performance.now() - startedAt) * 1000)));
  }
  return summarize(recorded, 0);
}

/** Latencies of `runs` sequential HTTP calls. */
export async function httpSequential(origin: string, runs: number, makeCall: () => HttpCall): Promise<Latencies> {
  const pool = new Pool(origin, { connections: 1 });
  let errors = 0;
  const result = await timeSequential(runs, async () => {
    if (!(await send(pool, makeCall()))) errors += 1;
  });
  await pool.close();
  return { ...result, errors };
}
