import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness } from '../../../gateway/src/testing/gateway-harness.js';
import { NotificationHarness } from '../testing/notification-harness.js';

describe('POST /api/v1/admin/notifications/dead-letters/replay', () => {
  let gateway: GatewayHarness;
  let harness: NotificationHarness;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('notification-replay-api');
    harness = await NotificationHarness.start('notification-replay-api', {}, { ticket: gateway.ticket });
  });

  afterEach(() => harness.sink.recover());

  afterAll(async () => {
    await harness?.stop();
    await gateway?.stop();
  });

  /** An organization whose confirmation mail to its customer died on a permanent SMTP failure. */
  async function organizationWithDeadMail() {
    const admin = await gateway.signup();
    const customer = await gateway.addUser(admin.organization.id, 'customer');
    await harness.ticket.dataSource.query(`UPDATE helpdesk.users SET notification_preferences = '{"newTicket": false}' WHERE id = $1`, [admin.user.id]);
    const customerEmail = await harness.emailOf(customer.principal.userId);
    harness.sink.failWith('rcpt', 550);
    await harness.openTicket(customer.principal);
    await harness.settled();
    harness.sink.recover();
    const [dead] = await harness.deliveriesTo(customerEmail);
    expect(dead).toMatchObject({ status: 'dead' });
    return { admin, customer, customerEmail, dead: dead! };
  }

  const replay = (token: string, body: object = {}) => gateway.call('/admin/notifications/dead-letters/replay', { token, body });

  it("lets an admin replay their organization's dead mail, which is then delivered once", async () => {
    const { admin, customerEmail, dead } = await organizationWithDeadMail();

    const response = await replay(admin.accessToken, { deliveryIds: [dead.id] });
    await harness.settled();

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ deliveryIds: [dead.id] });
    expect(harness.sink.mailsTo(customerEmail)).toHaveLength(1);
    expect(await harness.deliveriesTo(customerEmail)).toMatchObject([{ id: dead.id, status: 'sent' }]);
  });

  it("never replays another organization's dead mail, even when named by id or when replaying everything", async () => {
    const victim = await organizationWithDeadMail();
    const other = await gateway.signup('Other Desk');

    const byId = await replay(other.accessToken, { deliveryIds: [victim.dead.id] });
    const everything = await replay(other.accessToken);
    await harness.settled();

    expect(await byId.json()).toEqual({ deliveryIds: [] });
    expect(await everything.json()).toEqual({ deliveryIds: [] });
    expect(harness.sink.mailsTo(victim.customerEmail)).toEqual([]);
    expect(await harness.deliveriesTo(victim.customerEmail)).toMatchObject([{ status: 'dead' }]);
  });

  it('refuses agents, customers and anonymous callers, and malformed ids', async () => {
    const { admin } = await organizationWithDeadMail();
    const agent = await gateway.addUser(admin.organization.id, 'agent');
    const customer = await gateway.addUser(admin.organization.id, 'customer');

    expect((await replay(agent.accessToken)).status).toBe(403);
    expect((await replay(customer.accessToken)).status).toBe(403);
    expect((await gateway.call('/admin/notifications/dead-letters/replay', { body: {} })).status).toBe(401);
    const malformed = await replay(admin.accessToken, { deliveryIds: ['not-a-uuid'] });
    expect(malformed.status).toBe(400);
    expect((await replay(admin.accessToken, { deliveryIds: [], extra: true })).status).toBe(400);
  });

  it('re-checks the admin with the ticket service: a demoted or deactivated admin whose token still says admin replays nothing', async () => {
    const { admin, customerEmail, dead } = await organizationWithDeadMail();
    const demoted = await gateway.addUser(admin.organization.id, 'admin');
    const deactivated = await gateway.addUser(admin.organization.id, 'admin');
    await harness.ticket.dataSource.query(`UPDATE helpdesk.users SET role = 'agent' WHERE id = $1`, [demoted.principal.userId]);
    await harness.ticket.dataSource.query(`UPDATE helpdesk.users SET active = false WHERE id = $1`, [deactivated.principal.userId]);

    const byDemoted = await replay(demoted.accessToken, { deliveryIds: [dead.id] });
    const byDeactivated = await replay(deactivated.accessToken, { deliveryIds: [dead.id] });
    await harness.settled();

    expect(byDemoted.status).toBe(403);
    expect(byDeactivated.status).toBe(401);
    expect(harness.sink.mailsTo(customerEmail)).toEqual([]);
    expect(await harness.deliveriesTo(customerEmail)).toMatchObject([{ id: dead.id, status: 'dead' }]);
  });

  it('is documented in the OpenAPI document, with its body', async () => {
    const document = (await (await fetch(`${gateway.url}/api/docs-json`)).json()) as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    const operation = document.paths['/api/v1/admin/notifications/dead-letters/replay']?.post;
    expect(operation).toBeDefined();
    expect(JSON.stringify(operation!.requestBody)).toContain('ReplayDeadLettersBody');
  });
});
