import pg from 'pg';
import { STACK_SECRET_KEY } from './api-stack.js';
import { TestPostgresServer, TestRedisServer } from './fault-servers.js';
import { TestNatsCluster } from './nats-cluster.js';
import { freePort } from './ports.js';
import { migrateBuilt, SERVICE_SPECS, ServiceProcess } from './service-processes.js';
import { TcpBalancer } from './tcp-balancer.js';

export const TOPOLOGY_SERVICES = ['ticket', 'ai-proxy', 'notification', 'realtime', 'gateway'] as const;
export type TopologyService = (typeof TOPOLOGY_SERVICES)[number];

/** A connection pooler (PgBouncer in transaction mode) in front of PostgreSQL: where the services connect instead. */
export interface Pooler {
  host: string;
  port: number;
  stop(): Promise<void>;
}

export interface ClusterTopologyOptions {
  /** Variables for every service (SMTP, limits, ...), over the topology's own. */
  env?: Record<string, string>;
  /** Replicas of each service; 2 unless given. */
  replicas?: number;
  /** Starts the pooler the services connect through (migrations still go to PostgreSQL directly, as the chart's Job does). */
  pooler?: (postgres: { host: string; port: number }) => Promise<Pooler>;
  /** NATS servers: 3 unless given; with 1, a single server and streams and buckets of one replica (a benchmark's baseline). */
  natsNodes?: number;
  /** Node flags per replica (the benchmark's --cpu-prof). */
  nodeFlags?: string[];
}

/**
 * The deployment of Kubernetes on one machine: a 3-node NATS JetStream cluster (events stream and
 * object store buckets with 3 replicas), PostgreSQL (optionally behind a pooler) and Redis of its
 * own, several replicas of every service, and a TCP balancer (the Service/ingress) in front of the
 * gateways and of the realtime replicas. Replicas can be killed, terminated and rolled as pods are.
 */
export class ClusterTopology {
  readonly replicas = new Map<TopologyService, ServiceProcess[]>(TOPOLOGY_SERVICES.map((name) => [name, []]));
  /** Every replica ever started, for the output of a failure report. */
  readonly retired: ServiceProcess[] = [];

  private constructor(
    readonly postgres: TestPostgresServer,
    readonly redis: TestRedisServer,
    readonly nats: TestNatsCluster,
    readonly pooler: Pooler | undefined,
    readonly gateway: TcpBalancer,
    readonly realtime: TcpBalancer,
    readonly env: Record<string, string>,
    private readonly nodeFlags: string[],
  ) {}

  /** The slow-command warnings every replica ever started logged, each with its service and port. */
  slowCommands(): string[] {
    return this.retired.flatMap((replica) =>
      replica.output
        .split('\n')
        .filter((line) => line.includes('Slow command'))
        .map((line) => `${replica.spec.name}:${replica.port} ${line}`),
    );
  }

  static async start(options: ClusterTopologyOptions = {}): Promise<ClusterTopology> {
    const [postgres, redis, nats] = await Promise.all([TestPostgresServer.start(), TestRedisServer.start(), TestNatsCluster.start({ serviceUsers: true, size: options.natsNodes ?? 3 })]);
    const jetStreamReplicas = String(Math.min(3, options.natsNodes ?? 3));
    const maintenance = new pg.Client({ host: '127.0.0.1', port: postgres.port, user: 'postgres', database: 'postgres' });
    await maintenance.connect();
    await maintenance.query('CREATE DATABASE helpdesk');
    await maintenance.end();
    const pooler = await options.pooler?.({ host: '127.0.0.1', port: postgres.port });
    const [gateway, realtime] = await Promise.all([TcpBalancer.start([]), TcpBalancer.start([])]);
    const env: Record<string, string> = {
      NODE_ENV: 'production',
      // Warnings too: a failure report shows the slow commands (RpcTrackingInterceptor) around it.
      LOG_LEVEL: 'warn',
      SECRET_KEY: STACK_SECRET_KEY,
      ALLOWED_HOSTS: '127.0.0.1,localhost',
      APP_BASE_URL: gateway.url,
      DB_HOST: '127.0.0.1',
      DB_PORT: String(postgres.port),
      DB_NAME: 'helpdesk',
      REDIS_URL: redis.url,
      QUEUE_PREFIX: 'topology',
      EVENTS_STREAM_REPLICAS: jetStreamReplicas,
      OBJECT_STORE_REPLICAS: jetStreamReplicas,
      RATE_LIMIT_ANON_PER_HOUR: '1000000',
      RATE_LIMIT_AUTH_PER_HOUR: '1000000',
      ORG_MAIL_PER_HOUR: '1000000',
      SIGNUP_ENABLED: 'true',
      ...options.env,
    };
    migrateBuilt(['ticket', 'notification'], env);
    if (pooler) Object.assign(env, { DB_HOST: pooler.host, DB_PORT: String(pooler.port) });
    const topology = new ClusterTopology(postgres, redis, nats, pooler, gateway, realtime, env, options.nodeFlags ?? []);
    try {
      // In dependency order, as the chart's readiness gates traffic: the ticket service creates the events stream.
      for (const name of TOPOLOGY_SERVICES) await Promise.all(Array.from({ length: options.replicas ?? 2 }, () => topology.startReplica(name)));
    } catch (error) {
      await topology.destroy();
      throw error;
    }
    return topology;
  }

  /** The gateway's address behind the balancer. */
  get url(): string {
    return this.gateway.url;
  }

  of(name: TopologyService): ServiceProcess[] {
    return this.replicas.get(name)!;
  }

  /** A new replica: started, ready, then added to its balancer (a pod passing its readiness probe). */
  async startReplica(name: TopologyService): Promise<ServiceProcess> {
    const spec = SERVICE_SPECS.find((candidate) => candidate.name === name)!;
    const replica = await ServiceProcess.start(spec, { ...this.env, [spec.portVariable]: String(await freePort()), NATS_URL: this.nats.urlFor(name) }, this.nodeFlags);
    this.retired.push(replica);
    try {
      await replica.waitUntilReady(90_000);
    } catch (error) {
      await replica.kill();
      throw error;
    }
    this.of(name).push(replica);
    this.balancerOf(name)?.add(replica.port);
    return replica;
  }

  /** SIGKILL: a crashed process or a lost node. Its open connections break; the balancer stops choosing it. */
  async kill(replica: ServiceProcess): Promise<void> {
    this.forget(replica);
    await replica.kill();
  }

  /**
   * Termination as Kubernetes does it: out of the endpoints, the preStop sleep (open connections
   * still served), SIGTERM, and the exit within the grace period.
   */
  async terminate(replica: ServiceProcess, preStopMs: number): Promise<number | null> {
    this.forget(replica);
    await new Promise((resolve) => setTimeout(resolve, preStopMs));
    replica.signal('SIGTERM');
    return replica.exited(30_000);
  }

  /** A rolling update with maxSurge 1, maxUnavailable 0: a new replica ready before each old one terminates. */
  async roll(name: TopologyService, preStopMs: number, onStep?: (what: string) => void): Promise<void> {
    for (const old of [...this.of(name)]) {
      await this.startReplica(name);
      onStep?.(`${name}: new replica ready`);
      const code = await this.terminate(old, preStopMs);
      onStep?.(`${name}: old replica exited with ${code}`);
      if (code !== 0) throw new Error(`${name} replica exited with ${code} on SIGTERM\n${old.output.slice(-3000)}`);
    }
  }

  async destroy(): Promise<void> {
    await Promise.all(this.retired.map((replica) => replica.kill()));
    await Promise.all([this.gateway.close(), this.realtime.close()]);
    await this.pooler?.stop();
    await Promise.all([this.postgres.destroy(), this.redis.destroy(), this.nats.destroy()]);
  }

  private forget(replica: ServiceProcess): void {
    const name = replica.spec.name as TopologyService;
    this.replicas.set(name, this.of(name).filter((candidate) => candidate !== replica));
    this.balancerOf(name)?.remove(replica.port);
  }

  private balancerOf(name: TopologyService): TcpBalancer | undefined {
    return name === 'gateway' ? this.gateway : name === 'realtime' ? this.realtime : undefined;
  }
}
