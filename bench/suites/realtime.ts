import { io, type Socket } from 'socket.io-client';
import * as hdr from 'hdr-histogram-js';
import { ratio, type Row } from '../lib/report.js';
import { BenchStack, startScript } from '../lib/stack.js';
import type { BenchOptions } from '../run.js';

const ORGANIZATIONS = 10;
const EVENTS = 20;
const TARGET_P99_MS = 250;
const CONNECT_BATCH = 200;

interface Receipts {
  /** Event key to the moment its trigger was sent. */
  sentAt: Map<string, number>;
  latencies: ReturnType<typeof hdr.build>;
  received: number;
}

function receipts(): Receipts {
  return { sentAt: new Map(), latencies: hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 }), received: 0 };
}

async function connectAll(url: string, count: number, auth: (index: number) => Record<string, string>, onEvent: (socket: Socket, payload: any) => void): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let start = 0; start < count; start += CONNECT_BATCH) {
    const batch = Array.from({ length: Math.min(CONNECT_BATCH, count - start) }, (_, offset) => {
      const socket = io(url, { path: '/socket.io', transports: ['websocket'], auth: auth(start + offset), reconnection: false, timeout: 60_000 });
      socket.on('ticket.created', (payload) => onEvent(socket, payload));
      sockets.push(socket);
      return new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', (error) => reject(new Error(`socket ${start + offset} refused: ${error.message}`)));
      });
    });
    await Promise.all(batch);
  }
  return sockets;
}

async function waitForReceipts(state: Receipts, expected: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (state.received < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

async function residentMegabytes(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const match = /^process_resident_memory_bytes(?:\{[^}]*\})? (\S+)/m.exec(text);
  return match ? Number(match[1]) / 2 ** 20 : Number.NaN;
}

/**
 * Realtime fan-out: thousands of sockets over several organizations; for each ticket created, the
 * time from the API request to receipt at every socket of that organization. The baseline is a bare
 * Socket.IO server emitting to a room of the same size in one process.
 */
export async function realtimeFanout(options: BenchOptions): Promise<{ rows: Row[]; results: Record<string, unknown> }> {
  // Every socket of an organization holds its admin's token: one user with thousands of connections, past the per-user cap.
  const stack = await BenchStack.start('realtime', ['ticket', 'gateway', 'realtime'], { REALTIME_MAX_CONNECTIONS_PER_USER: String(options.sockets) });
  const sockets: Socket[] = [];
  try {
    const organizations = await Promise.all(Array.from({ length: ORGANIZATIONS }, () => stack.signup()));
    const perOrganization = Math.floor(options.sockets / ORGANIZATIONS);
    const realtimeUrl = stack.url('realtime');
    const idleBefore = await residentMegabytes(stack.metricsUrl('realtime'));

    const platform = receipts();
    const platformSockets = await connectAll(realtimeUrl, perOrganization * ORGANIZATIONS, (index) => ({ token: organizations[index % ORGANIZATIONS]!.token }), (_, envelope: { aggregateId: string; data: { ticket: { subject: string } } }) => {
      const sentAt = platform.sentAt.get(envelope.data.ticket.subject);
      if (sentAt === undefined) return;
      platform.latencies.recordValue(Math.max(1, Math.round((performance.now() - sentAt) * 1000)));
      platform.received += 1;
    });
    sockets.push(...platformSockets);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const idleAfter = await residentMegabytes(stack.metricsUrl('realtime'));

    for (let event = 0; event < EVENTS; event += 1) {
      const organization = organizations[event % ORGANIZATIONS]!;
      const subject = `Fan-out ${event}`;
      platform.sentAt.set(subject, performance.now());
      const response = await fetch(`${stack.url('gateway')}/api/v1/tickets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${organization.token}` },
        body: JSON.stringify({ subject, description: 'Live update.' }),
      });
      if (response.status !== 201) throw new Error(`ticket creation failed: ${response.status}`);
      await waitForReceipts(platform, (event + 1) * perOrganization, 10_000);
    }
    for (const socket of platformSockets) socket.close();

    const baselineServer = await startScript('bench/baseline/socketio-broadcast.ts', {});
    const baseline = receipts();
    try {
      const baselineUrl = `http://127.0.0.1:${baselineServer.port}`;
      const baselineSockets = await connectAll(baselineUrl, perOrganization * ORGANIZATIONS, (index) => ({ room: `org-${index % ORGANIZATIONS}` }), (_, payload: { id: string }) => {
        const sentAt = baseline.sentAt.get(payload.id);
        if (sentAt === undefined) return;
        baseline.latencies.recordValue(Math.max(1, Math.round((performance.now() - sentAt) * 1000)));
        baseline.received += 1;
      });
      sockets.push(...baselineSockets);
      for (let event = 0; event < EVENTS; event += 1) {
        const id = `event-${event}`;
        baseline.sentAt.set(id, performance.now());
        await fetch(`${baselineUrl}/emit?room=org-${event % ORGANIZATIONS}&id=${id}`, { method: 'POST' });
        await waitForReceipts(baseline, (event + 1) * perOrganization, 10_000);
      }
      for (const socket of baselineSockets) socket.close();
    } finally {
      await baselineServer.stop();
    }

    const ms = (state: Receipts, percentile: number) => Math.round(state.latencies.getValueAtPercentile(percentile) / 10) / 100;
    const expected = EVENTS * perOrganization;
    const perConnectionKiB = Math.round(((idleAfter - idleBefore) * 1024) / (perOrganization * ORGANIZATIONS));
    const rows: Row[] = [
      ...([50, 95, 99] as const).map(
        (percentile): Row => ({
          benchmark: `realtime, ${perOrganization * ORGANIZATIONS} sockets`,
          measure: `state change to receipt, p${percentile} ms`,
          platform: String(ms(platform, percentile)),
          baseline: String(ms(baseline, percentile)),
          ratio: ratio(ms(platform, percentile), ms(baseline, percentile)),
          target: percentile === 99 ? `< ${TARGET_P99_MS} ms` : '',
          met: percentile === 99 ? (ms(platform, 99) < TARGET_P99_MS && platform.received === expected ? 'yes' : 'no') : '',
        }),
      ),
      { benchmark: `realtime, ${perOrganization * ORGANIZATIONS} sockets`, measure: 'receipts / expected', platform: `${platform.received} / ${expected}`, baseline: `${baseline.received} / ${expected}`, ratio: '', target: 'all', met: platform.received === expected ? 'yes' : 'no' },
      { benchmark: `realtime, ${perOrganization * ORGANIZATIONS} sockets`, measure: 'resident memory per idle connection, KiB', platform: String(perConnectionKiB), baseline: '', ratio: '', target: '', met: '' },
    ];
    return { rows, results: { sockets: perOrganization * ORGANIZATIONS, organizations: ORGANIZATIONS, events: EVENTS, platform: { received: platform.received, p50: ms(platform, 50), p95: ms(platform, 95), p99: ms(platform, 99) }, baseline: { received: baseline.received, p50: ms(baseline, 50), p95: ms(baseline, 95), p99: ms(baseline, 99) }, residentMiB: { before: idleBefore, after: idleAfter }, perConnectionKiB } };
  } finally {
    for (const socket of sockets) socket.close();
    await stack.stop();
  }
}
