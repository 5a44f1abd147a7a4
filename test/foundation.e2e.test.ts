import { spawnSync } from 'node:child_process';
import { createTestDatabase, deleteRedisKeys, ROOT, SERVICE_SPECS, ServiceProcess, TestNatsServer, waitFor } from '@helpdesk/testing';
import type { ServiceName } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const HEALTH_TOKEN = 'e2e-health-token-0123456789abcdef';
const GRACE_PERIOD_MS = 5_000;

describe('the platform as five processes, each with its own NATS user', () => {
  let nats: TestNatsServer;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let services: ServiceProcess[] = [];
  let queuePrefix: string | undefined;
  const service = (name: string) => services.find((candidate) => candidate.spec.name === name)!;

  beforeAll(async () => {
    nats = await TestNatsServer.start({ serviceUsers: true });
    database = await createTestDatabase('e2e');
    const env = {
      NATS_URL: nats.url,
      DB_NAME: database.name,
      SECRET_KEY: 'e2e-secret-key-0123456789abcdef0123456789',
      HEALTH_DETAILS_TOKEN: HEALTH_TOKEN,
      SHUTDOWN_GRACE_PERIOD_MS: String(GRACE_PERIOD_MS),
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      QUEUE_PREFIX: `e2e-${database.name}`,
    };
    queuePrefix = env.QUEUE_PREFIX;
    for (const entry of ['dist/apps/ticket/src/database/migrate.js', 'dist/apps/notification/src/database/migrate.js']) {
      const migration = spawnSync(process.execPath, [`${ROOT}/${entry}`, 'up'], { env: { ...process.env, ...env }, encoding: 'utf8' });
      expect(migration.status, migration.stderr).toBe(0);
    }
    services = await Promise.all(SERVICE_SPECS.map((spec) => ServiceProcess.start(spec, { ...env, NATS_URL: nats.urlFor(spec.name as ServiceName) })));
    await Promise.all(services.map((running) => running.waitUntilReady()));
  }, 90_000);

  afterAll(async () => {
    await Promise.all(services.map((running) => running.kill()));
    await nats?.destroy();
    await database?.drop();
    if (queuePrefix) await deleteRedisKeys(queuePrefix);
  });

  it('every service answers its basic, liveness and readiness probes', async () => {
    for (const running of services) {
      expect(await running.get('/health')).toMatchObject({ status: 200, body: { status: 'ok', service: running.spec.name } });
      expect((await running.get('/health/live')).status).toBe(200);
      const ready = await running.get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.info.nats.status).toBe('up');
    }
  });

  it('readiness checks exactly the dependencies each service uses', async () => {
    const checked = async (name: string) => Object.keys((await service(name).get('/health/ready')).body.info).sort();
    expect(await checked('gateway')).toEqual(['lifecycle', 'nats', 'redis']);
    expect(await checked('ticket')).toEqual(['database', 'lifecycle', 'nats', 'redis']);
    expect(await checked('notification')).toEqual(['database', 'lifecycle', 'nats', 'redis']);
    // 'events': the replica's JetStream consumer, without which it pushes nothing.
    expect(await checked('realtime')).toEqual(['events', 'lifecycle', 'nats', 'redis']);
    expect(await checked('ai-proxy')).toEqual(['lifecycle', 'nats']);
  });

  it('every service exports Prometheus metrics on its metrics port, not on its public port', async () => {
    for (const running of services) {
      expect((await running.get('/metrics')).status).toBe(404);
      const body = await running.metrics();
      expect(body).toContain(`process_resident_memory_bytes{service="${running.spec.name}"}`);
      expect(body).toMatch(new RegExp(`helpdesk_http_request_duration_seconds_count\\{service="${running.spec.name}",method="GET",route="/health/ready",status_code="200"\\} \\d+`));
    }
  });

  it('the gateway reaches every other service over NATS, shown in its protected details', async () => {
    const gateway = service('gateway');
    expect((await gateway.get('/health/details')).status).toBe(401);
    expect((await gateway.get('/health/details', { 'x-health-token': 'wrong-token-0123456789' })).status).toBe(401);
    const details = await gateway.get('/health/details', { 'x-health-token': HEALTH_TOKEN });
    expect(details.status).toBe(200);
    for (const name of ['ticket', 'notification', 'realtime', 'ai-proxy']) {
      expect(details.body.info.services[name]).toMatchObject({ status: 'up', version: expect.any(String), instanceId: expect.any(String) });
    }
    const metrics = await gateway.metrics();
    expect(metrics).toMatch(/helpdesk_nats_request_duration_seconds_count\{service="gateway",subject="helpdesk\.v1\.ticket\.system\.ping",outcome="ok"\} [1-9]/);
  });

  it('when NATS stops every service turns unready but stays live, and recovers by itself when NATS returns', async () => {
    await nats.stop();
    await Promise.all(
      services.map((running) => waitFor(`${running.spec.name} to turn unready`, async () => (await running.get('/health/ready')).status === 503, 15_000, 200)),
    );
    for (const running of services) {
      const ready = await running.get('/health/ready');
      expect(ready.body.error.nats.status).toBe('down');
      expect((await running.get('/health/live')).status).toBe(200);
      expect(running.running).toBe(true);
      // What the chart's HelpdeskServiceNotReady alert reads.
      expect(await running.metrics()).toMatch(new RegExp(`^helpdesk_service_ready\\{service="${running.spec.name}"\\} 0$`, 'm'));
    }
    const duringOutage = await service('gateway').get('/health/details', { 'x-health-token': HEALTH_TOKEN });
    expect(duringOutage.status).toBe(503);
    expect(duringOutage.body.error.services.ticket.status).toBe('down');

    await nats.resume();
    await Promise.all(services.map((running) => running.waitUntilReady(30_000)));
    for (const running of services) expect(await running.metrics()).toMatch(new RegExp(`^helpdesk_service_ready\\{service="${running.spec.name}"\\} 1$`, 'm'));
    await waitFor(
      'the gateway to ping ticket again',
      async () => (await service('gateway').get('/health/details', { 'x-health-token': HEALTH_TOKEN })).body.info?.services?.ticket?.status === 'up',
      15_000,
      250,
    );
    expect(services.every((running) => running.running)).toBe(true);
  }, 90_000);

  it('SIGTERM stops each service within its grace period with exit code 0', async () => {
    const results = await Promise.all(
      services.map(async (running) => {
        const started = Date.now();
        running.signal('SIGTERM');
        const code = await running.exited(GRACE_PERIOD_MS + 2_000);
        return { name: running.spec.name, code, elapsedMs: Date.now() - started };
      }),
    );
    for (const result of results) {
      expect(result, JSON.stringify(result)).toMatchObject({ code: 0 });
      expect(result.elapsedMs, JSON.stringify(results)).toBeLessThan(GRACE_PERIOD_MS);
    }
  }, 30_000);
});
