import { Module } from '@nestjs/common';
import { TestNatsServer, freePort } from '@helpdesk/testing';
import { IsInt } from 'class-validator';
import { request } from 'node:http';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../bootstrap.js';
import { EnvInt } from '../config/env-transforms.js';
import { loadConfig } from '../config/load-config.js';
import { ServiceConfig } from '../config/service-config.js';

class FixtureConfig extends ServiceConfig {
  @EnvInt()
  @IsInt()
  TEST_PORT = 0;
}

@Module({})
class EmptyModule {}

/** A raw GET, so the path reaches the server exactly as written (fetch would normalize it). */
function get(port: number, path: string): Promise<{ status: number; body: string; contentType?: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, method: 'GET' }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, contentType: response.headers['content-type'] }));
    })
      .on('error', reject)
      .end();
  });
}

describe('Prometheus metrics on their own internal port', () => {
  let nats: TestNatsServer;
  let service: RunningService;
  let publicPort: number;

  beforeAll(async () => {
    nats = await TestNatsServer.start();
    publicPort = await freePort();
    const config = loadConfig(FixtureConfig, { NATS_URL: nats.url, HOST: '127.0.0.1', TEST_PORT: String(publicPort), METRICS_PORT: '0', LOG_LEVEL: 'warn' });
    service = await startService({ service: 'ticket', configClass: FixtureConfig, module: EmptyModule, port: { variable: 'TEST_PORT' } }, config, { logStream: new PassThrough() });
  });

  afterAll(async () => {
    await service?.shutdown('test end');
    await nats?.destroy();
  });

  it.each(['/metrics', '/%6Detrics', '/metrics/', '/Metrics'])('the public port answers 404 for %s', async (path) => {
    expect((await get(publicPort, path)).status).toBe(404);
  });

  it('the metrics port answers the registry text, and 404 for any other path', async () => {
    expect(service.metricsPort).not.toBe(publicPort);
    const scrape = await get(service.metricsPort, '/metrics');
    expect(scrape.status).toBe(200);
    expect(scrape.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(scrape.body).toMatch(/^# HELP helpdesk_http_request_duration_seconds /m);
    expect(scrape.body).toMatch(/^process_resident_memory_bytes\{service="ticket"\} \d+/m);
    expect((await get(service.metricsPort, '/health/ready')).status).toBe(404);
    expect((await get(service.metricsPort, '/%6Detrics')).status).toBe(404);
  });

  it('defaults the metrics port to the service port + 1000', async () => {
    const config = loadConfig(FixtureConfig, { TEST_PORT: '8081' });
    expect(config.METRICS_PORT).toBeUndefined();
    const { metricsPortFor } = await import('./metrics-server.js');
    expect(metricsPortFor(8081, config.METRICS_PORT)).toBe(9081);
    expect(metricsPortFor(0, undefined)).toBe(0);
    expect(metricsPortFor(8081, 9100)).toBe(9100);
  });
});
