import { randomBytes, randomUUID } from 'node:crypto';
import { promises as dns } from 'node:dns';
import type { Counter } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsService } from '@helpdesk/common';
import { waitFor } from '@helpdesk/testing';
import type { EventEnvelope, Page, TicketView, WebhookDeliveryView, WebhookView } from '@helpdesk/contracts';
import { GatewayHarness, type SignedUpAdmin } from '../../../gateway/src/testing/gateway-harness.js';
import { guardLoopbackOnly, type ConnectGuard } from '../testing/loopback-connect-guard.js';
import { NotificationHarness } from '../testing/notification-harness.js';
import { startTestDnsServer } from '../testing/test-dns-server.js';
import { Receiver, verifySignature } from '../testing/webhook-receiver.js';
import { Webhooks } from './webhooks.service.js';

const SETTINGS = {
  DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  WEBHOOK_RETRY_BASE_MS: '20',
  WEBHOOK_RETRY_MAX_DELAY_MS: '100',
  // Retries stop a second after a delivery was made; a webhook failing 1.5 s is disabled.
  WEBHOOK_RETRY_WINDOW_MS: '1000',
  WEBHOOK_DISABLE_AFTER_MS: '1500',
  WEBHOOK_POLL_MS: '50',
};

describe('/api/v1/webhooks', () => {
  let gateway: GatewayHarness;
  let harness: NotificationHarness;
  let guard: ConnectGuard;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    guard = guardLoopbackOnly();
    gateway = await GatewayHarness.start('webhooks-api');
    harness = await NotificationHarness.start('webhooks-api', SETTINGS, { ticket: gateway.ticket });
  });

  afterAll(async () => {
    for (const receiver of receivers) await receiver.close();
    await harness?.stop();
    await gateway?.stop();
    guard?.restore();
    expect(guard?.takeViolations() ?? []).toEqual([]);
  });

  const receiver = async () => {
    const started = await Receiver.start();
    receivers.push(started);
    return started;
  };
  const secret = () => `whsec-${randomBytes(12).toString('hex')}`;
  const create = (admin: { accessToken: string }, body: object) => gateway.call('/webhooks', { token: admin.accessToken, body });
  const createWebhook = async (admin: { accessToken: string }, body: object): Promise<WebhookView> => {
    const response = await create(admin, body);
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()) as WebhookView;
  };
  const openTicket = async (admin: SignedUpAdmin, subject = 'Printer on fire') => {
    const response = await gateway.call('/tickets', { token: admin.accessToken, body: { subject, description: 'Smoke everywhere' } });
    expect(response.status).toBe(201);
    return (await response.json()) as TicketView;
  };
  const deliveries = async (admin: { accessToken: string }, webhookId: string, query = '') =>
    (await (await gateway.call(`/webhooks/${webhookId}/deliveries${query}`, { token: admin.accessToken })).json()) as Page<WebhookDeliveryView>;
  /** The error's message, or its list of messages for a malformed body, as one string. */
  const errorOf = async (response: Response) => {
    const { message } = (await response.json()) as { message: string | string[] };
    return Array.isArray(message) ? message.join('; ') : message;
  };

  it('creates, lists, reads, updates and deletes a webhook, never answering its secret, stored encrypted', async () => {
    const admin = await gateway.signup();
    const target = await receiver();
    const webhookSecret = secret();

    const created = await createWebhook(admin, { url: target.url, events: ['ticket.created', 'comment.created'], secret: webhookSecret, description: 'CRM sync' });

    expect(created).toMatchObject({ url: target.url, events: ['ticket.created', 'comment.created'], description: 'CRM sync', orderedPerTicket: false, active: true, disabledAt: null, failingSince: null });
    const [row] = (await gateway.ticket.dataSource.query(`SELECT secret_encrypted FROM notification.webhooks WHERE id = $1`, [created.id])) as Array<{ secret_encrypted: string }>;
    expect(row!.secret_encrypted).not.toContain(webhookSecret);
    const list = (await (await gateway.call('/webhooks', { token: admin.accessToken })).json()) as Page<WebhookView>;
    expect(list).toEqual({ items: [created], nextCursor: null });
    for (const path of ['/webhooks', `/webhooks/${created.id}`]) expect(await (await gateway.call(path, { token: admin.accessToken })).text()).not.toContain(webhookSecret);

    const updated = await gateway.call(`/webhooks/${created.id}`, { method: 'PATCH', token: admin.accessToken, body: { events: ['*'], orderedPerTicket: true, active: false, description: null } });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ events: ['*'], orderedPerTicket: true, active: false, description: null, disabledReason: 'disabled by an admin' });
    const enabled = (await (await gateway.call(`/webhooks/${created.id}`, { method: 'PATCH', token: admin.accessToken, body: { active: true } })).json()) as WebhookView;
    expect(enabled).toMatchObject({ active: true, disabledAt: null, disabledReason: null, failingSince: null });

    expect((await gateway.call(`/webhooks/${created.id}`, { method: 'DELETE', token: admin.accessToken })).status).toBe(204);
    expect((await gateway.call(`/webhooks/${created.id}`, { token: admin.accessToken })).status).toBe(404);
  });

  it('answers 400 naming the reason for a refused URL, an unknown event type or a short secret', async () => {
    const admin = await gateway.signup();
    const valid = { url: (await receiver()).url, events: ['ticket.created'], secret: secret() };

    const cases: Array<[object, RegExp]> = [
      [{ ...valid, url: 'http://10.1.2.3/hook' }, /private address/],
      [{ ...valid, url: 'http://169.254.169.254/latest/meta-data' }, /link-local/],
      [{ ...valid, url: 'http://[::1]:8080/hook' }, /loopback/],
      [{ ...valid, url: 'http://user:pw@127.0.0.1/hook' }, /credentials/],
      [{ ...valid, url: 'ftp://127.0.0.1/hook' }, /must use https or http/],
      [{ ...valid, url: 'not a url' }, /not a valid absolute URL/],
      [{ ...valid, events: ['ticket.created', 'ticket.exploded'] }, /unknown event type "ticket\.exploded"/],
      [{ ...valid, events: ['auth.password_reset_requested'] }, /unknown event type "auth\.password_reset_requested"/],
      [{ ...valid, events: [] }, /at least one event type/],
      [{ ...valid, events: ['*', 'ticket.created'] }, /stands alone/],
      [{ ...valid, secret: 'short' }, /secret must be 16 to 256 characters/],
    ];
    for (const [body, reason] of cases) {
      const response = await create(admin, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await errorOf(response)).toMatch(reason);
    }
    const existing = await createWebhook(admin, valid);
    const refusedChange = await gateway.call(`/webhooks/${existing.id}`, { method: 'PATCH', token: admin.accessToken, body: { url: 'https://192.168.1.10/hook' } });
    expect(refusedChange.status).toBe(400);
    expect(await errorOf(refusedChange)).toMatch(/private address/);
    for (const [changes, reason] of [
      [{ events: null }, /events must list at least one event type/],
      [{ secret: null }, /secret must be 16 to 256 characters/],
      [{ events: ['ticket.teleported'] }, /unknown event type "ticket\.teleported"/],
      [{ active: 'yes' }, /active must be a boolean/],
    ] as const) {
      const response = await gateway.call(`/webhooks/${existing.id}`, { method: 'PATCH', token: admin.accessToken, body: changes });
      expect(response.status, JSON.stringify(changes)).toBe(400);
      expect(await errorOf(response)).toMatch(reason);
    }
    expect(((await (await gateway.call(`/webhooks/${existing.id}`, { token: admin.accessToken })).json()) as WebhookView).events).toEqual(['ticket.created']);
  });

  it('answers 400 when the host name resolves to a refused address, and accepts a name that does not resolve yet', async () => {
    const admin = await gateway.signup();
    // A DNS server of the test's own on 127.0.0.1: the system resolver is never asked.
    const dnsServer = await startTestDnsServer((name) => (name === 'internal.webhook.test' ? ['93.184.216.34', '10.0.0.7'] : []));
    const webhooks = harness.service.app.get(Webhooks);
    const systemResolver = webhooks.resolveHost;
    const resolver = new dns.Resolver({ timeout: 1_000, tries: 1 });
    resolver.setServers([dnsServer.address]);
    webhooks.resolveHost = async (hostName) => (await resolver.resolve4(hostName)).map((address) => ({ address, family: 4 as const }));
    try {
      const body = { events: ['ticket.sla.breached'], secret: secret() };
      const refused = await create(admin, { ...body, url: 'https://internal.webhook.test/hook' });
      expect(refused.status).toBe(400);
      expect(await errorOf(refused)).toBe('url refused: internal.webhook.test resolves to a refused address: 10.0.0.7 is a private address');
      const existing = await createWebhook(admin, { ...body, url: (await receiver()).url });
      const refusedChange = await gateway.call(`/webhooks/${existing.id}`, { method: 'PATCH', token: admin.accessToken, body: { url: 'https://internal.webhook.test/hook' } });
      expect(refusedChange.status).toBe(400);
      expect(await errorOf(refusedChange)).toMatch(/internal\.webhook\.test resolves to a refused address: 10\.0\.0\.7/);

      // Not resolvable yet (a receiver set up later): accepted, and each delivery resolves and vets it again.
      const later = await createWebhook(admin, { ...body, url: 'https://later.webhook.test/hook' });
      expect(later.url).toBe('https://later.webhook.test/hook');
      expect(dnsServer.queries).toEqual(['internal.webhook.test', 'internal.webhook.test', 'later.webhook.test']);
      expect((await gateway.call(`/webhooks/${later.id}`, { method: 'DELETE', token: admin.accessToken })).status).toBe(204);
    } finally {
      webhooks.resolveHost = systemResolver;
      await dnsServer.close();
    }
  });

  it("refuses agents and customers (403) and answers 404 for another organization's webhook", async () => {
    const admin = await gateway.signup();
    const agent = await gateway.addUser(admin.organization.id, 'agent');
    const customer = await gateway.addUser(admin.organization.id, 'customer');
    const webhook = await createWebhook(admin, { url: (await receiver()).url, events: ['*'], secret: secret() });

    expect((await create(agent, { url: 'https://example.com/hook', events: ['*'], secret: secret() })).status).toBe(403);
    expect((await gateway.call('/webhooks', { token: agent.accessToken })).status).toBe(403);
    expect((await gateway.call(`/webhooks/${webhook.id}/deliveries`, { token: customer.accessToken })).status).toBe(403);

    const stranger = await gateway.signup('Elsewhere');
    const delivery = (await (await gateway.call(`/webhooks/${webhook.id}/test`, { method: 'POST', token: admin.accessToken })).json()) as WebhookDeliveryView;
    for (const [method, path] of [
      ['GET', `/webhooks/${webhook.id}`],
      ['PATCH', `/webhooks/${webhook.id}`],
      ['DELETE', `/webhooks/${webhook.id}`],
      ['GET', `/webhooks/${webhook.id}/deliveries`],
      ['GET', `/webhooks/${webhook.id}/deliveries/${delivery.id}`],
      ['POST', `/webhooks/${webhook.id}/deliveries/${delivery.id}/redeliver`],
      ['POST', `/webhooks/${webhook.id}/test`],
    ] as const) {
      const response = await gateway.call(path, { method, token: stranger.accessToken, ...(method === 'PATCH' ? { body: { active: false } } : {}) });
      expect(response.status, `${method} ${path}`).toBe(404);
    }
    expect(((await (await gateway.call(`/webhooks/${webhook.id}`, { token: admin.accessToken })).json()) as WebhookView).active).toBe(true);
  });

  it('delivers a ticket event signed with the secret, with the event and delivery headers, and logs the delivery', async () => {
    const admin = await gateway.signup();
    const target = await receiver();
    const webhookSecret = secret();
    const longAnswer = `accepted ${'x'.repeat(3_000)}`;
    target.answer = () => ({ status: 200, body: longAnswer });
    const webhook = await createWebhook(admin, { url: target.url, events: ['ticket.created'], secret: webhookSecret });

    const ticket = await openTicket(admin);

    await waitFor('the ticket.created delivery', async () => target.requests.length >= 1);
    const [request] = target.requests;
    const event = JSON.parse(request!.body) as EventEnvelope;
    expect(event).toMatchObject({ type: 'ticket.created', orgId: admin.organization.id, aggregateId: ticket.id });
    expect(request!.headers['x-helpdesk-event']).toBe('ticket.created');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['user-agent']).toMatch(/^Helpdesk-Webhooks\//);
    expect(verifySignature(String(request!.headers['x-helpdesk-signature']), request!.body, webhookSecret)).toBe(true);
    expect(verifySignature(String(request!.headers['x-helpdesk-signature']), request!.body, secret())).toBe(false);

    const deliveryId = String(request!.headers['x-helpdesk-delivery']);
    const logged = await waitFor('the delivery to be logged', async () => (await deliveries(admin, webhook.id, '?status=succeeded')).items.find((item) => item.id === deliveryId));
    expect(logged).toMatchObject({ webhookId: webhook.id, eventId: event.id, eventType: 'ticket.created', ticketId: ticket.id, status: 'succeeded', attempts: 1, responseStatus: 200, error: null, nextAttemptAt: null });
    expect(logged.latencyMs).toEqual(expect.any(Number));
    expect(logged.lastAttemptAt).toEqual(expect.any(String));
    expect(logged.responseExcerpt).toBe(longAnswer.slice(0, 1_024));
    expect(await (await gateway.call(`/webhooks/${webhook.id}/deliveries/${deliveryId}`, { token: admin.accessToken })).json()).toEqual(logged);
    expect((await deliveries(admin, webhook.id, '?status=failed')).items).toEqual([]);
    expect(((await (await gateway.call(`/webhooks/${webhook.id}`, { token: admin.accessToken })).json()) as WebhookView).lastDeliveryAt).not.toBeNull();
    // Neither the secret nor a signature is ever written to the log.
    const logs = JSON.stringify(harness.logs());
    expect(logs).not.toContain(webhookSecret);
    expect(logs).not.toContain(String(request!.headers['x-helpdesk-signature']).split('v1=')[1]);
  });

  it('retries a delivery the receiver answered 500, and the retry succeeds', async () => {
    const admin = await gateway.signup();
    const target = await receiver();
    target.answer = (_request, index) => (index === 0 ? { status: 500, body: 'database down' } : { status: 204 });
    const webhook = await createWebhook(admin, { url: target.url, events: ['ticket.created'], secret: secret() });

    await openTicket(admin);

    const done = await waitFor('the retried delivery to succeed', async () => (await deliveries(admin, webhook.id, '?status=succeeded')).items[0]);
    expect(done).toMatchObject({ attempts: 2, responseStatus: 204, error: null });
    expect(target.requests).toHaveLength(2);
    expect(target.requests[1]!.headers['x-helpdesk-delivery']).toBe(target.requests[0]!.headers['x-helpdesk-delivery']);
    expect(((await (await gateway.call(`/webhooks/${webhook.id}`, { token: admin.accessToken })).json()) as WebhookView).failingSince).toBeNull();
  });

  it('gives a delivery up (dead) once the retry window has passed, keeping the last answer', async () => {
    const admin = await gateway.signup();
    const target = await receiver();
    target.answer = () => ({ status: 503, body: 'maintenance' });
    const webhook = await createWebhook(admin, { url: target.url, events: ['ticket.created'], secret: secret() });

    await openTicket(admin);

    const dead = await waitFor('the delivery to die', async () => (await deliveries(admin, webhook.id, '?status=dead')).items[0]);
    expect(dead).toMatchObject({ responseStatus: 503, responseExcerpt: 'maintenance', error: 'the receiver answered 503', nextAttemptAt: null });
    expect(dead.attempts).toBeGreaterThan(1);
    expect(dead.attempts).toBe(target.requests.length);
    expect(Date.parse(dead.lastAttemptAt!) - Date.parse(dead.createdAt)).toBeLessThanOrEqual(1_000 + 500);
    expect(((await (await gateway.call(`/webhooks/${webhook.id}`, { token: admin.accessToken })).json()) as WebhookView).failingSince).not.toBeNull();
  });

  it('sends the deliveries of one ticket one at a time in event order when orderedPerTicket is set', async () => {
    const admin = await gateway.signup();
    const target = await receiver();
    // The first delivery fails twice: the later ones of that ticket must wait for it.
    target.answer = (_request, index) => (index < 2 ? { status: 500 } : { status: 200 });
    const webhook = await createWebhook(admin, { url: target.url, events: ['ticket.created', 'comment.created'], secret: secret(), orderedPerTicket: true });

    const ticket = await openTicket(admin);
    for (const body of ['first', 'second', 'third']) {
      expect((await gateway.call(`/tickets/${ticket.id}/comments`, { token: admin.accessToken, body: { body, internal: false } })).status).toBe(201);
    }

    await waitFor('all four events to be delivered', async () => (await deliveries(admin, webhook.id, '?status=succeeded')).items.length === 4);
    const received = target.events().map((event) => (event.type === 'comment.created' ? (event.data as { comment: { body: string } }).comment.body : event.type));
    expect(received).toEqual(['ticket.created', 'ticket.created', 'ticket.created', 'first', 'second', 'third']);
  });

  it('redelivers a delivery by hand as a new delivery of the same event', async () => {
    const admin = await gateway.signup();
    const target = await receiver();
    const webhook = await createWebhook(admin, { url: target.url, events: ['ticket.created'], secret: secret() });
    await openTicket(admin);
    const original = await waitFor('the first delivery', async () => (await deliveries(admin, webhook.id, '?status=succeeded')).items[0]);

    const response = await gateway.call(`/webhooks/${webhook.id}/deliveries/${original.id}/redeliver`, { method: 'POST', token: admin.accessToken });

    expect(response.status).toBe(202);
    const again = (await response.json()) as WebhookDeliveryView;
    expect(again).toMatchObject({ eventId: original.eventId, eventType: 'ticket.created', redeliveryOf: original.id, status: 'pending' });
    expect(again.id).not.toBe(original.id);
    await waitFor('the redelivery', async () => target.requests.length === 2);
    expect(target.requests[1]!.headers['x-helpdesk-delivery']).toBe(again.id);
    expect(target.requests[1]!.body).toBe(target.requests[0]!.body);
    expect((await deliveries(admin, webhook.id)).items.map((item) => item.id)).toEqual([again.id, original.id]);
  });

  it('sends a webhook.test event on request, whatever the subscription lists', async () => {
    const admin = await gateway.signup();
    const target = await receiver();
    const webhookSecret = secret();
    const webhook = await createWebhook(admin, { url: target.url, events: ['ticket.sla.breached'], secret: webhookSecret });

    const response = await gateway.call(`/webhooks/${webhook.id}/test`, { method: 'POST', token: admin.accessToken });

    expect(response.status).toBe(202);
    const delivery = (await response.json()) as WebhookDeliveryView;
    expect(delivery).toMatchObject({ webhookId: webhook.id, eventType: 'webhook.test', status: 'pending' });
    await waitFor('the test event', async () => target.requests.length === 1);
    expect(target.requests[0]!.headers['x-helpdesk-event']).toBe('webhook.test');
    expect(target.requests[0]!.headers['x-helpdesk-delivery']).toBe(delivery.id);
    expect(JSON.parse(target.requests[0]!.body)).toMatchObject({ type: 'webhook.test', orgId: admin.organization.id, data: { webhookId: webhook.id } });
    expect(verifySignature(String(target.requests[0]!.headers['x-helpdesk-signature']), target.requests[0]!.body, webhookSecret)).toBe(true);
  });

  it('disables a webhook whose deliveries keep failing and mails the admins once', async () => {
    const admin = await gateway.signup('Failing Hooks Inc');
    const target = await receiver();
    target.answer = () => ({ status: 500, body: 'still broken' });
    const webhook = await createWebhook(admin, { url: target.url, events: ['*'], secret: secret() });

    // Events keep coming while the receiver fails: after WEBHOOK_DISABLE_AFTER_MS of failures the webhook is turned off.
    const disabled = await waitFor(
      'the webhook to be disabled',
      async () => {
        const current = (await (await gateway.call(`/webhooks/${webhook.id}`, { token: admin.accessToken })).json()) as WebhookView;
        if (current.active) await gateway.call(`/webhooks/${webhook.id}/test`, { method: 'POST', token: admin.accessToken });
        return current.active ? undefined : current;
      },
      15_000,
      200,
    );

    expect(disabled.disabledAt).not.toBeNull();
    expect(disabled.disabledReason).toMatch(/^every delivery failed since /);
    const disabledMails = () => harness.sink.mailsTo(admin.user.email).filter((mail) => mail.subject.startsWith('Webhook disabled'));
    const mail = await waitFor('the mail to the admin', async () => disabledMails()[0]);
    expect(mail.subject).toBe(`Webhook disabled: ${target.url}`);
    expect(mail.text).toContain('/admin/webhooks');
    await harness.settled();
    expect(disabledMails()).toHaveLength(1);
    // Nothing but the test events asked by hand after the disabling goes out; enabling clears the failure state.
    const enabled = (await (await gateway.call(`/webhooks/${webhook.id}`, { method: 'PATCH', token: admin.accessToken, body: { active: true } })).json()) as WebhookView;
    expect(enabled).toMatchObject({ active: true, disabledAt: null, disabledReason: null, failingSince: null });
  });

  it('never sends a delivery twice with two notification replicas working', async () => {
    const second = await NotificationHarness.start('webhooks-api-replica', SETTINGS, { ticket: gateway.ticket });
    try {
      const admin = await gateway.signup();
      const target = await receiver();
      const webhook = await createWebhook(admin, { url: target.url, events: ['ticket.updated'], secret: secret() });
      const total = 150;

      const published = await Promise.all(
        Array.from({ length: total }, () => harness.publishEvent({ type: 'ticket.updated', orgId: admin.organization.id, aggregateId: randomUUID(), actor: { system: 'test' }, data: {} })),
      );

      const succeeded = async () =>
        ((await gateway.ticket.dataSource.query(`SELECT count(*)::int AS succeeded FROM notification.webhook_deliveries WHERE webhook_id = $1 AND status = 'succeeded'`, [webhook.id])) as Array<{ succeeded: number }>)[0]!
          .succeeded;
      // The receiver has a request a moment before its replica records the delivery as succeeded: both are awaited.
      await waitFor('every event to be delivered', async () => (await deliveries(admin, webhook.id, '?status=succeeded&limit=100')).items.length === 100 && target.requests.length >= total && (await succeeded()) >= total, 20_000);
      expect(await succeeded()).toBe(total);
      const deliveryIds = target.requests.map((request) => request.headers['x-helpdesk-delivery']);
      expect(new Set(deliveryIds).size).toBe(total);
      expect(deliveryIds).toHaveLength(total);
      expect(new Set(target.events().map((event) => event.id))).toEqual(new Set(published.map((event) => event.id)));
      const sent = async (replica: NotificationHarness) => {
        const counter = replica.service.app.get(MetricsService).registry.getSingleMetric('helpdesk_webhook_deliveries_total') as Counter;
        return (await counter.get()).values.filter((value) => value.labels.outcome === 'succeeded').reduce((sum, value) => sum + value.value, 0);
      };
      expect((await sent(second)) + (await sent(harness))).toBeGreaterThanOrEqual(total);
    } finally {
      await second.stop();
    }
  });
});
