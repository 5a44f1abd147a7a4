import { createUser } from '@nats-io/nkeys';
import { subjects, type NatsIntegrationView, type Page, type PendingNatsUserRevocation, type Principal, type RevokedNatsIntegration, type TicketHistoryEntry, type TicketView, type VerifiedNatsIntegration } from '@helpdesk/contracts';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../testing/ticket-harness.js';

/** The NATS integration commands as the ticket service answers them, whoever sends them (the gateway's checks aside). */
describe('NATS integration commands', () => {
  let harness: TicketHarness;
  let admin: Principal;
  let otherAdmin: Principal;

  const create = (principal: Principal, name = 'billing') =>
    harness.send<NatsIntegrationView>(subjects.natsIntegrations.create, { principal, integrationId: randomUUID(), name, natsUser: createUser().getPublicKey() });
  const verify = (organizationId: string, integrationId: string) => harness.send<VerifiedNatsIntegration>(subjects.natsIntegrations.verify, { organizationId, integrationId });

  beforeAll(async () => {
    harness = await TicketHarness.start('nats-integrations');
    ({ admin } = await harness.signup('Acme Support'));
    ({ admin: otherAdmin } = await harness.signup('Globex Helpdesk'));
  });

  afterAll(() => harness?.stop());

  it('records an integration, lists the live ones newest first, and revokes one (answering its NATS user)', async () => {
    const first = await create(admin, 'CRM');
    const second = await create(admin, '<b>Billing</b>');
    expect(second).toMatchObject({ name: 'Billing', createdBy: admin.userId, lastUsedAt: null });
    expect(second.natsUser).toMatch(/^U[A-Z2-7]{55}$/);
    const listed = await harness.send<Page<NatsIntegrationView>>(subjects.natsIntegrations.list, { principal: admin });
    expect(listed.items.map((integration) => integration.id).slice(0, 2)).toEqual([second.id, first.id]);

    const revoked = await harness.send<RevokedNatsIntegration>(subjects.natsIntegrations.revoke, { principal: admin, integrationId: first.id });
    expect(revoked).toEqual({ revoked: true, natsUser: first.natsUser });
    const after = await harness.send<Page<NatsIntegrationView>>(subjects.natsIntegrations.list, { principal: admin });
    expect(after.items.map((integration) => integration.id)).not.toContain(first.id);
    // Sent again (the NATS side failed the first time), it answers the same NATS user.
    expect(await harness.send(subjects.natsIntegrations.revoke, { principal: admin, integrationId: first.id })).toEqual(revoked);
  });

  it('lists the live integrations a page at a time, newest first, until nextCursor is null', async () => {
    const { admin: pagedAdmin } = await harness.signup('Paged Desk');
    const [first, second, third] = [await create(pagedAdmin, 'one'), await create(pagedAdmin, 'two'), await create(pagedAdmin, 'three')];
    const revoked = await create(pagedAdmin, 'gone');
    await harness.send(subjects.natsIntegrations.revoke, { principal: pagedAdmin, integrationId: revoked.id });

    const page1 = await harness.send<Page<NatsIntegrationView>>(subjects.natsIntegrations.list, { principal: pagedAdmin, limit: 2 });
    expect(page1.items.map((integration) => integration.id)).toEqual([third.id, second.id]);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = await harness.send<Page<NatsIntegrationView>>(subjects.natsIntegrations.list, { principal: pagedAdmin, limit: 2, cursor: page1.nextCursor });
    expect(page2).toEqual({ items: [first], nextCursor: null });
  });

  it('answers VALIDATION for a cursor it did not make or a limit out of 1 to 100', async () => {
    const forged = Buffer.from(JSON.stringify(['yesterday', 'not-a-uuid'])).toString('base64url');
    for (const query of [{ cursor: 'not-a-cursor' }, { cursor: forged }, { limit: 0 }, { limit: 101 }]) {
      expect(await harness.fail(subjects.natsIntegrations.list, { principal: admin, ...query })).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/cursor|limit/) });
    }
  });

  it("never lists another organization's integrations, even given a cursor from that organization's list", async () => {
    const { admin: ours } = await harness.signup('Our Desk');
    const { admin: theirs } = await harness.signup('Their Desk');
    const their = await create(theirs, 'theirs');
    for (const name of ['a', 'b', 'c']) await create(ours, name);
    const page = await harness.send<Page<NatsIntegrationView>>(subjects.natsIntegrations.list, { principal: ours, limit: 2 });
    expect(await harness.send(subjects.natsIntegrations.list, { principal: theirs, cursor: page.nextCursor })).toEqual({ items: [their], nextCursor: null });
  });

  it('refuses agents and customers every management command', async () => {
    const integration = await create(admin);
    for (const role of ['agent', 'customer'] as const) {
      const principal = await harness.addUser(admin.orgId, role);
      expect(await harness.fail(subjects.natsIntegrations.create, { principal, integrationId: randomUUID(), name: 'mine', natsUser: createUser().getPublicKey() })).toMatchObject({ code: 'FORBIDDEN' });
      expect(await harness.fail(subjects.natsIntegrations.list, { principal })).toMatchObject({ code: 'FORBIDDEN' });
      expect(await harness.fail(subjects.natsIntegrations.revoke, { principal, integrationId: integration.id })).toMatchObject({ code: 'FORBIDDEN' });
    }
  });

  it("keeps organizations apart: another organization's admin neither lists nor revokes it, and it verifies only with its own organization", async () => {
    const integration = await create(admin);
    expect(await harness.fail(subjects.natsIntegrations.revoke, { principal: otherAdmin, integrationId: integration.id })).toMatchObject({ code: 'NOT_FOUND' });
    const theirs = await harness.send<Page<NatsIntegrationView>>(subjects.natsIntegrations.list, { principal: otherAdmin });
    expect(theirs.items.map((entry) => entry.id)).not.toContain(integration.id);
    expect(await harness.fail(subjects.natsIntegrations.verify, { organizationId: otherAdmin.orgId, integrationId: integration.id })).toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'The integration is unknown, revoked, or not of this organization',
    });
  });

  it("verifies an active integration as its creator with their current role and the fixed scopes, and refuses it once revoked or its creator deactivated", async () => {
    const creator = await harness.addUser(admin.orgId, 'admin');
    const integration = await create(creator, 'On-call bot');
    expect(await verify(admin.orgId, integration.id)).toEqual({
      principal: { orgId: admin.orgId, userId: creator.userId, role: 'admin', integration: { id: integration.id, name: 'On-call bot' } },
      integrationId: integration.id,
      name: 'On-call bot',
      scopes: ['tickets:read', 'tickets:write', 'users:read'],
    });
    const [row] = (await harness.dataSource.query(`SELECT last_used_at FROM helpdesk.nats_integrations WHERE id = $1`, [integration.id])) as Array<{ last_used_at: Date | null }>;
    expect(row!.last_used_at).not.toBeNull();

    await harness.dataSource.query(`UPDATE helpdesk.users SET role = 'agent' WHERE id = $1`, [creator.userId]);
    expect((await verify(admin.orgId, integration.id)).principal.role).toBe('agent');
    await harness.dataSource.query(`UPDATE helpdesk.users SET active = false WHERE id = $1`, [creator.userId]);
    expect(await harness.fail(subjects.natsIntegrations.verify, { organizationId: admin.orgId, integrationId: integration.id })).toMatchObject({ code: 'UNAUTHORIZED' });

    const other = await create(admin);
    await harness.send(subjects.natsIntegrations.revoke, { principal: admin, integrationId: other.id });
    expect(await harness.fail(subjects.natsIntegrations.verify, { organizationId: admin.orgId, integrationId: other.id })).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it("revokes a creator's integrations in the change that deactivates or demotes them (saying why and who), not another admin's, and lists them for the gateway until their NATS users are revoked", async () => {
    const deactivated = await harness.addUser(admin.orgId, 'admin');
    const demoted = await harness.addUser(admin.orgId, 'admin');
    const renamed = await harness.addUser(admin.orgId, 'admin');
    const [ofDeactivated, ofDemoted, ofRenamed, ofAdmin] = [await create(deactivated), await create(demoted), await create(renamed), await create(admin)];
    const pending = () => harness.send<PendingNatsUserRevocation[]>(subjects.natsIntegrations.pendingNatsUserRevocations, { organizationId: admin.orgId });

    await harness.send(subjects.users.deactivate, { principal: admin, userId: deactivated.userId });
    await harness.send(subjects.users.update, { principal: admin, userId: demoted.userId, changes: { role: 'agent' } });
    await harness.send(subjects.users.update, { principal: admin, userId: renamed.userId, changes: { name: 'Still an admin' } });

    const live = (await harness.send<Page<NatsIntegrationView>>(subjects.natsIntegrations.list, { principal: admin, limit: 100 })).items;
    expect(live.map((integration) => integration.id)).toEqual(expect.arrayContaining([ofRenamed.id, ofAdmin.id]));
    expect(live.map((integration) => integration.id)).not.toContain(ofDeactivated.id);
    expect(live.map((integration) => integration.id)).not.toContain(ofDemoted.id);
    expect(await harness.fail(subjects.natsIntegrations.verify, { organizationId: admin.orgId, integrationId: ofDemoted.id })).toMatchObject({ code: 'UNAUTHORIZED' });
    const rows = (await harness.dataSource.query(`SELECT id, revoked_by, revoked_reason FROM helpdesk.nats_integrations WHERE id = ANY($1) ORDER BY revoked_reason`, [[ofDeactivated.id, ofDemoted.id]])) as unknown[];
    expect(rows).toEqual([
      { id: ofDeactivated.id, revoked_by: admin.userId, revoked_reason: 'creator_deactivated' },
      { id: ofDemoted.id, revoked_by: admin.userId, revoked_reason: 'creator_demoted' },
    ]);

    expect(await pending()).toEqual(expect.arrayContaining([
      { integrationId: ofDeactivated.id, organizationId: admin.orgId, natsUser: ofDeactivated.natsUser },
      { integrationId: ofDemoted.id, organizationId: admin.orgId, natsUser: ofDemoted.natsUser },
    ]));
    expect((await pending()).map((entry) => entry.integrationId)).not.toContain(ofRenamed.id);
    await harness.send(subjects.natsIntegrations.natsUsersRevoked, { integrationIds: [ofDeactivated.id, ofDemoted.id] });
    expect((await pending()).map((entry) => entry.integrationId)).not.toEqual(expect.arrayContaining([ofDeactivated.id]));
    expect((await pending()).map((entry) => entry.integrationId)).not.toEqual(expect.arrayContaining([ofDemoted.id]));
    // Made an admin again, the creator does not bring them back.
    await harness.send(subjects.users.update, { principal: admin, userId: demoted.userId, changes: { role: 'admin' } });
    expect(await harness.fail(subjects.natsIntegrations.verify, { organizationId: admin.orgId, integrationId: ofDemoted.id })).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('names the integration in the history of a change made through it', async () => {
    const integration = await create(admin, 'Billing');
    const { principal } = await verify(admin.orgId, integration.id);
    const ticket = await harness.send<TicketView>(subjects.tickets.create, { principal, subject: 'Invoice unpaid', description: 'From billing' });
    const history = await harness.send<{ items: TicketHistoryEntry[] }>(subjects.tickets.history, { principal: admin, ticketId: ticket.id });
    expect(history.items[0]).toMatchObject({ action: 'created', actorId: admin.userId, apiToken: null, integration: { id: integration.id, name: 'Billing' } });
  });

  it('answers VALIDATION for a NATS user that is not a user public key, and CONFLICT for a reused one', async () => {
    expect(await harness.fail(subjects.natsIntegrations.create, { principal: admin, integrationId: randomUUID(), name: 'x', natsUser: 'not-a-key' })).toMatchObject({ code: 'VALIDATION' });
    const integration = await create(admin);
    expect(await harness.fail(subjects.natsIntegrations.create, { principal: admin, integrationId: randomUUID(), name: 'x', natsUser: integration.natsUser })).toMatchObject({ code: 'CONFLICT' });
  });
});
