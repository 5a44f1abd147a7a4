import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@helpdesk/testing';
import type { AutomationView, Page, TicketHistoryEntry, TicketView, TicketWebhookRequestedData, TriggerView, WebhookDeliveryView, WebhookView } from '@helpdesk/contracts';
import { GatewayHarness, type SignedUpAdmin } from '../../../gateway/src/testing/gateway-harness.js';
import { AutomationScheduler } from '../../../ticket/src/automations/automation-scheduler.js';
import { TriggerEngine } from '../../../ticket/src/triggers/trigger-engine.js';
import { guardLoopbackOnly, type ConnectGuard } from '../testing/loopback-connect-guard.js';
import { NotificationHarness } from '../testing/notification-harness.js';
import { Receiver, verifySignature } from '../testing/webhook-receiver.js';

const SETTINGS = {
  DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  WEBHOOK_POLL_MS: '50',
};

/**
 * A trigger's or automation's "send webhook" action (issue 20) through the real gateway, ticket and
 * notification services: checked on write against the organization's webhooks, delivered signed to
 * that one webhook when the trigger fires, skipped (nothing crashes) when the webhook is gone.
 */
describe('webhook actions of triggers and automations', () => {
  let gateway: GatewayHarness;
  let notification: NotificationHarness | undefined;
  let guard: ConnectGuard;
  let admin: SignedUpAdmin;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    guard = guardLoopbackOnly();
    gateway = await GatewayHarness.start('webhook-rule-actions');
    await gateway.ticket.service.app.get(TriggerEngine).ready;
    notification = await NotificationHarness.start('webhook-rule-actions', SETTINGS, { ticket: gateway.ticket });
    admin = await gateway.signup('Webhook Rules Desk');
  }, 90_000);

  afterAll(async () => {
    for (const receiver of receivers) await receiver.close();
    await notification?.stop();
    await gateway?.stop();
    guard?.restore();
    expect(guard?.takeViolations() ?? []).toEqual([]);
  });

  const secret = () => `whsec-${randomBytes(12).toString('hex')}`;
  const tag = () => `wh${randomBytes(3).toString('hex')}`;
  async function json<T>(response: Response, status: number): Promise<T> {
    const text = await response.text();
    expect(response.status, text).toBe(status);
    return (text ? JSON.parse(text) : undefined) as T;
  }
  const errorOf = async (response: Response, status: number) => [(await json<{ message: string | string[] }>(response, status)).message].flat().join('; ');
  async function newWebhook(owner: SignedUpAdmin, events: string[] = ['user.invited']): Promise<{ webhook: WebhookView; receiver: Receiver; secret: string }> {
    const receiver = await Receiver.start();
    receivers.push(receiver);
    const webhookSecret = secret();
    // Subscribed to an unrelated event: the rule's delivery goes out whatever the subscription lists.
    const webhook = await json<WebhookView>(await gateway.call('/webhooks', { token: owner.accessToken, body: { url: receiver.url, events, secret: webhookSecret } }), 201);
    return { webhook, receiver, secret: webhookSecret };
  }
  const createTrigger = (body: object, owner = admin) => gateway.call('/triggers', { token: owner.accessToken, body: { name: `Hook ${randomBytes(3).toString('hex')}`, all: [], ...body } });
  const openTicket = async (tags: string[]) => json<TicketView>(await gateway.call('/tickets', { token: admin.accessToken, body: { subject: 'Printer on fire', description: 'Smoke', tags } }), 201);
  const update = async (id: string, changes: object) => json<TicketView>(await gateway.call(`/tickets/${id}`, { method: 'PATCH', token: admin.accessToken, body: changes }), 200);
  const history = async (id: string) => (await json<Page<TicketHistoryEntry>>(await gateway.call(`/tickets/${id}/events?limit=100`, { token: admin.accessToken }), 200)).items;

  it('delivers one signed ticket.webhook_requested naming the trigger to that webhook when the trigger fires, logged like any delivery', async () => {
    const { webhook, receiver, secret: webhookSecret } = await newWebhook(admin);
    const marker = tag();
    const trigger = await json<TriggerView>(
      await createTrigger({ event: 'ticket.updated', all: [{ field: 'tags', op: 'contains', value: marker }, { field: 'priority', op: 'is', value: 'urgent' }], actions: [{ type: 'webhook', webhookId: webhook.id.toUpperCase() }] }),
      201,
    );
    expect(trigger.actions).toEqual([{ type: 'webhook', webhookId: webhook.id }]);

    const ticket = await openTicket([marker]);
    const updated = await update(ticket.id, { priority: 'urgent' });

    await waitFor('the rule delivery', async () => receiver.requests.length >= 1);
    await sleep(500);
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request!.headers['x-helpdesk-event']).toBe('ticket.webhook_requested');
    expect(verifySignature(String(request!.headers['x-helpdesk-signature']), request!.body, webhookSecret)).toBe(true);
    const [event] = receiver.events();
    const data = event!.data as unknown as TicketWebhookRequestedData;
    expect(event).toMatchObject({ type: 'ticket.webhook_requested', orgId: admin.organization.id, aggregateId: ticket.id, actor: { system: `trigger:${trigger.id}` } });
    expect(data).toMatchObject({ webhookId: webhook.id, rule: { kind: 'trigger', id: trigger.id, name: trigger.name }, chain: { depth: 1 }, ticket: { id: ticket.id, number: ticket.number, priority: 'urgent', version: updated.version } });
    expect(data.triggeringEvent).toMatchObject({ type: 'ticket.updated' });
    expect(request!.body).not.toContain(webhookSecret);

    const log = await json<Page<WebhookDeliveryView>>(await gateway.call(`/webhooks/${webhook.id}/deliveries`, { token: admin.accessToken }), 200);
    expect(log.items).toHaveLength(1);
    expect(log.items[0]).toMatchObject({ eventId: event!.id, eventType: 'ticket.webhook_requested', ticketId: ticket.id, status: 'succeeded', responseStatus: 200 });
    const fired = (await history(ticket.id)).find((entry) => entry.action === 'trigger.fired');
    expect(fired?.changes.webhooks).toEqual({ from: null, to: [webhook.id] });
  });

  it('refuses on write (422 naming the id) a webhook that is unknown or another organization\'s, for triggers and automations', async () => {
    const unknown = randomUUID();
    const message = await errorOf(await createTrigger({ event: 'ticket.created', actions: [{ type: 'addTags', value: ['x'] }, { type: 'webhook', webhookId: unknown }] }), 422);
    expect(message).toBe(`actions[1]: webhook ${unknown} is not a webhook of this organization`);

    const stranger = await gateway.signup('Elsewhere');
    const { webhook: foreign } = await newWebhook(stranger);
    expect(await errorOf(await createTrigger({ event: 'ticket.created', actions: [{ type: 'webhook', webhookId: foreign.id }] }), 422)).toBe(`actions[0]: webhook ${foreign.id} is not a webhook of this organization`);
    const automation = await gateway.call('/automations', { token: admin.accessToken, body: { name: `Hook ${randomBytes(3).toString('hex')}`, all: [{ field: 'hoursSince.pending', op: 'gt', value: 48 }], actions: [{ type: 'webhook', webhookId: foreign.id }] } });
    expect(await errorOf(automation, 422)).toBe(`actions[0]: webhook ${foreign.id} is not a webhook of this organization`);
    expect(await errorOf(await createTrigger({ event: 'ticket.created', actions: [{ type: 'webhook', webhookId: 'not-a-uuid' }] }), 400)).toBe("actions[0]: webhookId must be the id (a UUID) of one of the organization's webhooks");

    // The same webhook is accepted for its own organization, on an update too.
    const own = await json<TriggerView>(await createTrigger({ event: 'ticket.created', actions: [{ type: 'webhook', webhookId: foreign.id }] }, stranger), 201);
    const changed = await gateway.call(`/triggers/${own.id}`, { method: 'PATCH', token: stranger.accessToken, body: { actions: [{ type: 'webhook', webhookId: unknown }] } });
    expect(await errorOf(changed, 422)).toBe(`actions[0]: webhook ${unknown} is not a webhook of this organization`);
    const created = await json<AutomationView>(
      await gateway.call('/automations', { token: stranger.accessToken, body: { name: 'Stale to CRM', all: [{ field: 'hoursSince.pending', op: 'gt', value: 48 }], actions: [{ type: 'webhook', webhookId: foreign.id }] } }),
      201,
    );
    expect(created.actions).toEqual([{ type: 'webhook', webhookId: foreign.id }]);
  });

  it('skips the delivery of a webhook deleted after the trigger was written: the ticket change stands, nothing crashes', async () => {
    const { webhook, receiver } = await newWebhook(admin);
    const marker = tag();
    await json<TriggerView>(await createTrigger({ event: 'ticket.updated', all: [{ field: 'tags', op: 'contains', value: marker }], actions: [{ type: 'webhook', webhookId: webhook.id }, { type: 'addTags', value: [`${marker}done`] }] }), 201);
    expect((await gateway.call(`/webhooks/${webhook.id}`, { method: 'DELETE', token: admin.accessToken })).status).toBe(204);

    const ticket = await openTicket([marker]);
    await update(ticket.id, { priority: 'high' });
    await waitFor('the trigger to fire', async () => (await history(ticket.id)).some((entry) => entry.action === 'trigger.fired'));
    const [requested] = (await gateway.ticket.dataSource.query(`SELECT envelope FROM helpdesk.outbox WHERE aggregate_id = $1 AND type = 'ticket.webhook_requested'`, [ticket.id])) as Array<{ envelope: { id: string } }>;
    expect(requested).toBeDefined();
    // The notification service has handled (acknowledged) the event once it has handled a later one of the same stream.
    const { webhook: witness, receiver: witnessReceiver } = await newWebhook(admin, ['ticket.updated']);
    await update(ticket.id, { priority: 'low' });
    await waitFor('a later event delivered', async () => witnessReceiver.requests.length >= 1);
    expect(receiver.requests).toHaveLength(0);
    const written = (await gateway.ticket.dataSource.query(`SELECT count(*)::int AS n FROM notification.webhook_deliveries WHERE event_id = $1`, [requested!.envelope.id])) as Array<{ n: number }>;
    expect(written[0]!.n).toBe(0);
    expect((await json<TicketView>(await gateway.call(`/tickets/${ticket.id}`, { token: admin.accessToken }), 200)).tags).toContain(`${marker}done`);
    expect((await gateway.call(`/webhooks/${witness.id}`, { method: 'DELETE', token: admin.accessToken })).status).toBe(204);
  });

  it('delivers an automation\'s webhook action the same way, with no triggering event', async () => {
    const { webhook, receiver } = await newWebhook(admin);
    const automation = await json<AutomationView>(
      await gateway.call('/automations', { token: admin.accessToken, body: { name: `Stale ${randomBytes(3).toString('hex')}`, all: [{ field: 'hoursSince.pending', op: 'gt', value: 48 }], actions: [{ type: 'webhook', webhookId: webhook.id }] } }),
      201,
    );
    const ticket = await openTicket([tag()]);
    await update(ticket.id, { status: 'pending' });
    // Moving pending_since back is a change no user can make: stamped as one (updated_at), so the scheduler's window sees it.
    await gateway.ticket.dataSource.query(`UPDATE helpdesk.tickets SET pending_since = now() - interval '72 hours', updated_at = now() WHERE id = $1`, [ticket.id]);
    await gateway.ticket.service.app.get(AutomationScheduler).runPass();

    await waitFor('the automation\'s delivery', async () => receiver.requests.length >= 1);
    const [event] = receiver.events();
    expect(event).toMatchObject({ type: 'ticket.webhook_requested', aggregateId: ticket.id, actor: { system: `automation:${automation.id}` } });
    expect(event!.data).toMatchObject({ webhookId: webhook.id, rule: { kind: 'automation', id: automation.id, name: automation.name }, triggeringEvent: null, ticket: { id: ticket.id, status: 'pending' } });
    expect((await gateway.call(`/automations/${automation.id}`, { method: 'DELETE', token: admin.accessToken })).status).toBe(200);
  });

  it('answers 503 (not 500) when the notification service cannot check the webhook', async () => {
    const { webhook } = await newWebhook(admin);
    await notification!.stop();
    notification = undefined;
    const response = await createTrigger({ event: 'ticket.created', actions: [{ type: 'webhook', webhookId: webhook.id }] });
    expect(await errorOf(response, 503)).toMatch(/notification service.*unavailable/);
  });
});
