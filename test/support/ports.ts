import { connect, createServer } from 'node:net';

/**
 * Below Linux's ephemeral range (32768-60999): a port the kernel handed out for listen(0) can be
 * taken by any outgoing connection before the service binds it (a CI run lost a console stack that
 * way), while a port from here is only ever taken by a test that picked the same number.
 */
const PORTS_FROM = 20_000;
const PORTS_TO = 32_767;
/**
 * Two picks of one number before either bound it still cost stacks a service (EADDRINUSE): each
 * Vitest worker draws from its own slice, and a worker never hands a port out twice within REUSE_AFTER_MS.
 */
const SLICES = 4;
const REUSE_AFTER_MS = 10 * 60_000;
const slice = Number(process.env.VITEST_POOL_ID ?? 0) % SLICES;
const sliceSize = Math.floor((PORTS_TO - PORTS_FROM + 1) / SLICES);
const handedOut = new Map<number, number>();

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A TCP port that was free a moment ago on 127.0.0.1, and not handed out by this process lately. */
export async function freePort(): Promise<number> {
  const now = Date.now();
  for (const [port, at] of handedOut) if (now - at > REUSE_AFTER_MS) handedOut.delete(port);
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = PORTS_FROM + slice * sliceSize + Math.floor(Math.random() * sliceSize);
    if (handedOut.has(port) || !(await bindable(port))) continue;
    handedOut.set(port, now);
    return port;
  }
  throw new Error(`no free port in ${PORTS_FROM + slice * sliceSize}-${PORTS_FROM + (slice + 1) * sliceSize - 1} after 100 tries`);
}

export async function waitFor<T>(description: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}${lastError ? `: ${String(lastError)}` : ''}`);
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
