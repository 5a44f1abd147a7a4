import { connect, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './ports.js';

/**
 * A round-robin TCP load balancer for tests, in place of the Kubernetes Service or ingress in front
 * of gateway and realtime replicas: each new connection goes to the next backend that accepts it, and
 * a backend that dies takes its connections with it. Backends can be added and removed, as endpoints
 * are when pods become ready or start terminating; removing one keeps its open connections, as
 * kube-proxy does. Hand-written: a few lines of `net` instead of a proxy dependency used only by tests.
 */
export class TcpBalancer {
  private next = 0;
  private held: Socket[] | undefined;
  private readonly open = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private backends: number[],
  ) {}

  static async start(backends: number[]): Promise<TcpBalancer> {
    const port = await freePort();
    const server = createServer();
    const balancer = new TcpBalancer(server, port, [...backends]);
    server.on('connection', (client) => balancer.accept(client));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return balancer;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The ports new connections go to. */
  get endpoints(): readonly number[] {
    return this.backends;
  }

  add(port: number): void {
    if (!this.backends.includes(port)) this.backends = [...this.backends, port];
  }

  /** No new connections to this backend; those already open stay. */
  remove(port: number): void {
    this.backends = this.backends.filter((backend) => backend !== port);
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
    for (const client of this.open) client.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: Socket): void {
    this.open.add(client);
    client.on('close', () => this.open.delete(client));
    client.on('error', () => client.destroy());
    if (this.held) this.held.push(client);
    else this.route(client);
  }

  /** Tries the backends in turn from this connection's own starting point, so concurrent connections cannot make it skip one. */
  private route(client: Socket, start = this.next++, attempts = 0): void {
    if (client.destroyed) return;
    const backends = this.backends;
    if (attempts >= backends.length) return void client.destroy();
    const port = backends[(start + attempts) % backends.length]!;
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
