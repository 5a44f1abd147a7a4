import { CommandClient, loadConfig, MetricsService, REDIS_CLIENT, startService, type RunningService } from '@helpdesk/common';
import type { Redis } from 'ioredis';
import { deleteRedisKeys, freePort } from '@helpdesk/testing';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { AI_COMMAND_TIMEOUT_MS } from '@helpdesk/contracts';
import { aiProxyApp } from '../ai-proxy.app.js';
import { AiProxyConfig } from '../ai-proxy.config.js';

/** The real ai-proxy, in this process, on a given nats-server and its own Redis key prefix. */
export class AiProxyHarness {
  private constructor(
    readonly config: AiProxyConfig,
    readonly service: RunningService,
    /** Every log line the service wrote, parsed (JSON in tests). */
    readonly logs: Array<Record<string, unknown>>,
  ) {}

  static async start(natsUrl: string, overrides: Record<string, string> = {}): Promise<AiProxyHarness> {
    const config = loadConfig(AiProxyConfig, {
      NODE_ENV: 'test',
      NATS_URL: natsUrl,
      HOST: '127.0.0.1',
      AI_PROXY_PORT: String(await freePort()),
      METRICS_PORT: '0',
      QUEUE_PREFIX: `test-ai-${randomBytes(4).toString('hex')}`,
      LOG_LEVEL: 'info',
      ...overrides,
    });
    const logs: Array<Record<string, unknown>> = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          logs.push({ message: line });
        }
      }
    });
    const service = await startService(aiProxyApp, config, { logStream: stream });
    return new AiProxyHarness(config, service, logs);
  }

  /** Sends a command as another service would, with the AI commands' timeout. */
  send<T>(subject: string, payload: object): Promise<T> {
    return this.service.app.get(CommandClient).request<T>(subject, payload, { timeoutMs: AI_COMMAND_TIMEOUT_MS });
  }

  async fail(subject: string, payload: object): Promise<{ code: string; message: string; details?: unknown }> {
    try {
      await this.send(subject, payload);
    } catch (error) {
      return error as { code: string; message: string; details?: unknown };
    }
    throw new Error(`${subject} was expected to fail but succeeded`);
  }

  /** Tokens an organization's pool (`agents` or `triage`) holds in Redis today: reserved and settled. */
  async budgetUsed(orgId: string, pool: 'agents' | 'triage'): Promise<number> {
    const redis = this.service.app.get<Redis>(REDIS_CLIENT);
    const keys = await redis.keys(`${this.config.QUEUE_PREFIX}:ai:budget:${orgId}:*:${pool}`);
    const values = keys.length > 0 ? await redis.mget(...keys) : [];
    return values.reduce((sum, value) => sum + Number(value ?? 0), 0);
  }

  metrics(): Promise<string> {
    return this.service.app.get(MetricsService).registry.metrics();
  }

  async stop(): Promise<void> {
    await this.service.shutdown('test end');
    await deleteRedisKeys(this.config.QUEUE_PREFIX);
  }
}
