import { connect, createServer, type Server, type Socket } from 'node:net';
import { freePort } from '@helpdesk/testing';

/**
 * A round-robin TCP load balancer for tests, in place of the Kubernetes Service or ingress in front
 * of realtime replicas: each new connection goes to the next backend that accepts it, and a
 * backend that dies takes its connections with it. Hand-written: a few lines of `net` instead of a
 * proxy dependency used only by tests.
 */
export class TcpBalancer {
  private next = 0;
  private held: Socket[] | undefined;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly backends: number[],
  ) {}

  static async start(backends: number[]): Promise<TcpBalancer> {
    const port = await freePort();
    const server = createServer();
    const balancer = new TcpBalancer(server, port, backends);
    server.on('connection', (client) => balancer.accept(client));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return balancer;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** New connections wait (as in a slow network) until `release()`. */
  hold(): void {
    this.held ??= [];
  }

  release(): void {
    const waiting = this.held ?? [];
    this.held = undefined;
    for (const client of waiting) this.route(client);
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: Socket): void {
    client.on('error', () => client.destroy());
    if (this.held) this.held.push(client);
    else this.route(client);
  }

  /** Tries the backends in turn from this connection's own starting point, so concurrent connections cannot make it skip one. */
  private route(client: Socket, start = this.next++, attempts = 0): void {
    if (client.destroyed) return;
    if (attempts === this.backends.length) return void client.destroy();
    const port = this.backends[(start + attempts) % this.backends.length]!;
    const upstream = connect({ host: '127.0.0.1', port });
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      client.pipe(upstream).pipe(client);
    });
    upstream.on('error', () => (connected ? client.destroy() : this.route(client, start, attempts + 1)));
    upstream.on('close', () => connected && client.destroy());
    client.on('close', () => upstream.destroy());
  }
}
