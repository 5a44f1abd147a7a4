import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsUser } from '@helpdesk/contracts';
import { NATS_SERVER_BINARY, natsAuthConfig } from './nats-server.js';
import { answers, freePort, waitFor } from './ports.js';

/** One server of a TestNatsCluster: killable and restartable on its own port and storage. */
export class TestNatsNode {
  private process?: ChildProcess;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly configFile: string,
  ) {}

  get pid(): number | undefined {
    return this.process?.pid;
  }

  get running(): boolean {
    return this.process !== undefined && this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Starts (or restarts) the node; a node that exits on the way (a port taken meanwhile, say) fails at once. */
  async resume(): Promise<void> {
    // Its log is not piped here: a node must never wait on a reader to write it.
    const child = spawn(NATS_SERVER_BINARY, ['-c', this.configFile], { stdio: 'ignore' });
    this.process = child;
    await waitFor(
      `nats-server ${this.name} on port ${this.port}`,
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`it exited (${child.exitCode ?? child.signalCode}); run its config (${this.configFile}) by hand to see why`);
        return answers(this.port);
      },
      // 10 s once ran out in CI on a busy machine (the cause was not captured then: hence the exit check).
      30_000,
      50,
    );
  }

  /** SIGKILL (a crashed node or a lost pod) or SIGTERM (lame-duck shutdown, as Kubernetes stops it). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
    this.process = undefined;
  }
}

/**
 * Three nats-servers clustered by routes with JetStream, as the NATS chart of k8s/nats/nats-values.yaml
 * runs them: streams with 3 replicas survive one node's loss. Each node on its own free ports and
 * storage, with the same per-service users as TestNatsServer.
 */
export class TestNatsCluster {
  private constructor(
    readonly nodes: TestNatsNode[],
    private readonly dir: string,
    private readonly passwords?: Map<string, string>,
  ) {}

  static async start(options: { serviceUsers?: boolean; size?: number } = {}): Promise<TestNatsCluster> {
    const size = options.size ?? 3;
    const dir = mkdtempSync(join(tmpdir(), 'helpdesk-nats-cluster-'));
    const { config: auth, passwords } = natsAuthConfig(options);
    const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await freePort(), route: await freePort() })));
    const nodes = ports.map(({ client, route }, index) => {
      const name = `n${index + 1}`;
      const config = {
        ...auth,
        server_name: name,
        listen: `127.0.0.1:${client}`,
        jetstream: { store_dir: join(dir, name) },
        // One node alone is a plain server (a benchmark's single-process baseline), not a cluster waiting for peers.
        ...(size > 1 ? { cluster: { name: 'helpdesk-test', listen: `127.0.0.1:${route}`, routes: ports.filter((_, other) => other !== index).map((other) => `nats://127.0.0.1:${other.route}`) } } : {}),
      };
      const configFile = join(dir, `${name}.conf`);
      // JSON is valid nats-server configuration.
      writeFileSync(configFile, JSON.stringify(config, null, 2));
      return new TestNatsNode(name, client, configFile);
    });
    const cluster = new TestNatsCluster(nodes, dir, passwords);
    try {
      await Promise.all(nodes.map((node) => node.resume()));
      await cluster.waitForJetStream();
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
    return cluster;
  }

  /** Every node's URL, comma-separated (NATS_URL's form), without credentials: the unrestricted test user. */
  get url(): string {
    return this.nodes.map((node) => `nats://127.0.0.1:${node.port}`).join(',');
  }

  /** The NATS_URL of one service: its own user on every node. */
  urlFor(service: NatsUser): string {
    const password = this.passwords?.get(service);
    return this.nodes.map((node) => (password ? `nats://${service}:${password}@127.0.0.1:${node.port}` : `nats://127.0.0.1:${node.port}`)).join(',');
  }

  node(name: string): TestNatsNode {
    const node = this.nodes.find((candidate) => candidate.name === name);
    if (!node) throw new Error(`no NATS node ${name}`);
    return node;
  }

  /** The node leading a stream's replicas (its cluster.leader in stream info). */
  async streamLeader(stream: string): Promise<TestNatsNode> {
    const leader = await waitFor(
      `a leader for stream ${stream}`,
      async () => {
        const connection = await connect({ servers: this.runningUrls() });
        try {
          const info = await (await jetstreamManager(connection)).streams.info(stream);
          return info.cluster?.leader;
        } finally {
          await connection.close();
        }
      },
      30_000,
      250,
    );
    return this.node(leader);
  }

  /** Waits until the meta group has a leader: until then JetStream API requests fail. */
  async waitForJetStream(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      'the JetStream meta leader',
      async () => {
        const connection = await connect({ servers: this.runningUrls() });
        try {
          await (await jetstreamManager(connection)).getAccountInfo();
          return true;
        } finally {
          await connection.close();
        }
      },
      timeoutMs,
      250,
    );
  }

  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop('SIGKILL')));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private runningUrls(): string[] {
    return this.nodes.filter((node) => node.running).map((node) => `nats://127.0.0.1:${node.port}`);
  }
}
