import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** The port metrics listen on: METRICS_PORT, else the service port + 1000 (ephemeral when the service port is). */
export function metricsPortFor(servicePort: number, metricsPort: number | undefined): number {
  if (metricsPort !== undefined) return metricsPort;
  return servicePort === 0 ? 0 : servicePort + METRICS_PORT_OFFSET;
}

export const METRICS_PORT_OFFSET = 1000;

export interface MetricsListener {
  port: number;
  close(): Promise<void>;
}

/**
 * Serves /metrics on its own internal port, never on the public one. Plain node:http: it serves one
 * path, so it needs none of the app's guards, pipes or routing (whose path decoding the edge rules missed).
 */
export async function startMetricsListener(registry: Registry, port: number, host: string): Promise<MetricsListener> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not Found\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' }).end(text),
      (error: unknown) => response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${error instanceof Error ? error.message : String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => (server.off('error', reject), resolve()));
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
