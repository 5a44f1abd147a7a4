import type { RunningService } from '@helpdesk/common';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AiProxyHarness } from '../apps/ai-proxy/src/testing/ai-proxy-harness.js';
import { GatewayHarness } from '../apps/gateway/src/testing/gateway-harness.js';
import { NotificationHarness } from '../apps/notification/src/testing/notification-harness.js';
import { RealtimeReplica } from '../apps/realtime/src/testing/realtime-harness.js';
import { k8sTools } from './deploy/manifests.js';
import { exposedMetricNames, observedMetricNames } from './deploy/observability.js';

/**
 * No alert or panel on a metric that does not exist: the five services run (in process, on the
 * shared test infrastructure, as the services' own tests start them), each is scraped on its
 * metrics port, and every metric the chart's PrometheusRule and Grafana dashboard read must be there.
 */
describe("the metrics the chart's alerts and dashboard read", () => {
  let gateway: GatewayHarness;
  let notification: NotificationHarness;
  let realtime: RealtimeReplica;
  let aiProxy: AiProxyHarness;
  let services: Array<[string, RunningService]>;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('observability-metrics');
    notification = await NotificationHarness.start('observability-metrics', {}, { ticket: gateway.ticket });
    realtime = await RealtimeReplica.start(gateway.ticket.nats.url);
    aiProxy = await AiProxyHarness.start(gateway.ticket.nats.url);
    services = [
      ['gateway', gateway.service],
      ['ticket', gateway.ticket.service],
      ['notification', notification.service],
      ['realtime', realtime.service],
      ['ai-proxy', aiProxy.service],
    ];
  }, 120_000);

  afterAll(async () => {
    await aiProxy?.stop();
    await realtime?.stop();
    await notification?.stop();
    await gateway?.stop();
  });

  const scrape = async (service: RunningService) => (await fetch(`http://127.0.0.1:${service.metricsPort}/metrics`)).text();
  const readiness = async (service: RunningService) => (await fetch(`http://127.0.0.1:${(service.app.getHttpServer().address() as AddressInfo).port}/health/ready`)).status;

  it('are each exposed on /metrics by one of the five services', async () => {
    const exposed = new Set<string>();
    for (const [, service] of services) for (const name of exposedMetricNames(await scrape(service))) exposed.add(name);
    const observed = observedMetricNames(k8sTools().helm);
    expect(observed.length).toBeGreaterThan(15);
    expect(observed.filter((name) => !exposed.has(name))).toEqual([]);
  });

  it("include every service's readiness, as its last readiness probe answered", async () => {
    for (const [name, service] of services) {
      expect(await readiness(service), name).toBe(200);
      expect(await scrape(service)).toMatch(new RegExp(`^helpdesk_service_ready\\{service="${name}"\\} 1$`, 'm'));
    }
  });
});
