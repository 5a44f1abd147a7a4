import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { integrationInboxPrefix } from '@helpdesk/common';
import type { CreatedApiTokenView, CreatedNatsIntegrationView, EventEnvelope, NatsIntegrationView, Page, PublicCommandReply, TicketView } from '@helpdesk/contracts';
import { startPublicNatsServer, type TestPublicNatsServer } from '@helpdesk/testing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type SignedUpAdmin, type TestCaller } from '../testing/gateway-harness.js';

/** NATS integrations over HTTP (issue 21): an admin gets credentials once, an integration uses them, and revocation ends them. */
describe('NATS integrations API', () => {
  let publicServer: TestPublicNatsServer;
  let credsDir: string;
  let gateway: GatewayHarness;
  let interfaceOff: GatewayHarness;
  let admin: SignedUpAdmin;
  const clients: NatsConnection[] = [];

  const json = async <T>(response: Response, status: number): Promise<T> => {
    const text = await response.text();
    const body = (text ? JSON.parse(text) : undefined) as T;
    expect({ status: response.status, body }).toMatchObject({ status });
    return body;
  };
  const createIntegration = async (name: string, token = admin.accessToken) => json<CreatedNatsIntegrationView>(await gateway.call('/integrations/nats', { token, body: { name } }), 201);
  const list = async (token: string, query = '', via = gateway) => json<Page<NatsIntegrationView>>(await via.call(`/integrations/nats${query}`, { token }), 200);
  const connectAs = async (created: CreatedNatsIntegrationView) => {
    const client = await connect({ servers: created.access.serverUrl, authenticator: credsAuthenticator(new TextEncoder().encode(created.credentials)), inboxPrefix: created.access.inboxPrefix, reconnect: false });
    clients.push(client);
    return client;
  };

  /** The integration's events as a plain subscriber with its credentials receives them, from now on. */
  const follow = async (created: CreatedNatsIntegrationView) => {
    const client = await connectAs(created);
    const received: EventEnvelope[] = [];
    const subscription = client.subscribe(created.access.events, {
      callback: (error, message) => {
        if (!error) received.push(message.json<EventEnvelope>());
      },
    });
    await client.flush();
    return { client, received, subscription, closed: client.closed() };
  };
  const openTicket = async (subject: string) => json<TicketView>(await gateway.call('/tickets', { token: admin.accessToken, body: { subject, description: 'Seen by integrations' } }), 201);
  const ticketsIn = (received: EventEnvelope[]) => received.filter((event) => event.type === 'ticket.created').map((event) => (event.data as { ticket?: { subject?: string } }).ticket?.subject);
  /** A public command on the integration's subject, sent as the gateway's bridge user (which the server lets publish there), as its client would. */
  const commandAs = async (created: CreatedNatsIntegrationView) => {
    const bridge = await connect({ servers: publicServer.url, authenticator: credsAuthenticator(new TextEncoder().encode(publicServer.bridgeCreds)), reconnect: false });
    clients.push(bridge);
    const reply = await bridge.request(created.access.commands['tickets.create'], JSON.stringify({ subject: 'After losing access', description: 'x' }), {
      timeout: 10_000,
      noMux: true,
      reply: `${integrationInboxPrefix(created.integration.id)}.${randomUUID()}`,
    });
    return reply.json<PublicCommandReply<'tickets.create'>>();
  };
  const revocationOf = async (integrationId: string) => {
    const [row] = (await gateway.ticket.dataSource.query(`SELECT revoked_at, revoked_by, revoked_reason, nats_user_revoked_at FROM helpdesk.nats_integrations WHERE id = $1`, [integrationId])) as Array<{
      revoked_at: Date | null;
      revoked_by: string | null;
      revoked_reason: string | null;
      nats_user_revoked_at: Date | null;
    }>;
    return row!;
  };
  const publicSettings = () => ({
    INTEGRATIONS_NATS_URL: publicServer.url,
    INTEGRATIONS_NATS_CREDS_FILE: join(credsDir, 'bridge.creds'),
    INTEGRATIONS_NATS_SYSTEM_CREDS_FILE: join(credsDir, 'system.creds'),
    INTEGRATIONS_NATS_ACCOUNT_SIGNING_SEED: publicServer.accountSigningSeed,
    INTEGRATIONS_NATS_OPERATOR_SIGNING_SEED: publicServer.operatorSigningSeed,
  });

  beforeAll(async () => {
    publicServer = await startPublicNatsServer();
    credsDir = mkdtempSync(join(tmpdir(), 'helpdesk-integrations-'));
    writeFileSync(join(credsDir, 'bridge.creds'), publicServer.bridgeCreds);
    writeFileSync(join(credsDir, 'system.creds'), publicServer.systemCreds);
    gateway = await GatewayHarness.start('nats-integrations', publicSettings());
    interfaceOff = await gateway.startReplica();
    admin = await gateway.signup('Integrated Desk');
  });

  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    await gateway?.stop();
    await publicServer?.destroy();
    if (credsDir) rmSync(credsDir, { recursive: true, force: true });
  });

  it('answers the credentials once with the subjects to use, and an integration opens a ticket with them over the public server', async () => {
    const created = await createIntegration('Billing');
    const orgId = admin.organization.id;
    const id = created.integration.id;
    expect(created.integration).toMatchObject({ name: 'Billing', createdBy: admin.user.id, lastUsedAt: null });
    expect(created.credentials).toContain('BEGIN NATS USER JWT');
    expect(created.access).toEqual({
      serverUrl: publicServer.url,
      inboxPrefix: `_INBOX_${id}`,
      events: `helpdesk.v1.public.events.${orgId}.>`,
      stream: `HELPDESK_PUBLIC_${orgId.replaceAll('-', '')}`,
      commands: {
        'tickets.create': `helpdesk.v1.public.commands.${orgId}.${id}.tickets.create`,
        'tickets.get': `helpdesk.v1.public.commands.${orgId}.${id}.tickets.get`,
        'comments.create': `helpdesk.v1.public.commands.${orgId}.${id}.comments.create`,
        'users.find-by-email': `helpdesk.v1.public.commands.${orgId}.${id}.users.find-by-email`,
      },
    });

    const client = await connectAs(created);
    const reply = await client.request(created.access.commands['tickets.create'], JSON.stringify({ subject: 'Refund due', description: 'Order 77' }), { timeout: 10_000 });
    const ticket = reply.json<PublicCommandReply<'tickets.create'>>();
    expect(ticket).toMatchObject({ result: { subject: 'Refund due', requesterId: admin.user.id } });
    const viaRest = await json<TicketView>(await gateway.call(`/tickets/${(ticket as { result: TicketView }).result.id}`, { token: admin.accessToken }), 200);
    expect(viaRest.subject).toBe('Refund due');

    const listed = (await list(admin.accessToken)).items;
    const entry = listed.find((integration) => integration.id === id)!;
    expect(entry).toMatchObject({ name: 'Billing', natsUser: created.integration.natsUser });
    expect(entry.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(created.credentials.split('\n')[1]!);
  });

  it('pages the list with ?limit and ?cursor, newest first, until nextCursor is null, and keeps organizations apart', async () => {
    const desk = await gateway.signup('Paged Integrations Desk');
    const [first, second, third] = [await createIntegration('first', desk.accessToken), await createIntegration('second', desk.accessToken), await createIntegration('third', desk.accessToken)];
    const page1 = await list(desk.accessToken, '?limit=2');
    expect(page1.items.map((entry) => entry.id)).toEqual([third.integration.id, second.integration.id]);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = await list(desk.accessToken, `?limit=2&cursor=${page1.nextCursor}`, interfaceOff);
    expect(page2).toEqual({ items: [first.integration], nextCursor: null });
    // Another organization's cursor is only a position: it never reaches this organization's integrations.
    const desks = [first, second, third].map((created) => created.integration.id);
    for (const query of ['', `?limit=100&cursor=${page1.nextCursor}`]) {
      expect((await list(admin.accessToken, query)).items.filter((entry) => desks.includes(entry.id))).toEqual([]);
    }
  });

  it('answers 400 naming a malformed cursor or a limit out of 1 to 100', async () => {
    const forged = Buffer.from(JSON.stringify(['yesterday', 'not-a-uuid'])).toString('base64url');
    for (const [query, named] of [[`cursor=${forged}`, 'cursor'], ['cursor=nonsense', 'cursor'], ['limit=0', 'limit'], ['limit=101', 'limit']] as const) {
      const refused = await json<{ message: string | string[] }>(await gateway.call(`/integrations/nats?${query}`, { token: admin.accessToken }), 400);
      expect({ query, message: [refused.message].flat().join('; ') }).toEqual({ query, message: expect.stringContaining(named) });
    }
  });

  it('revokes the integration and its NATS user: commands are refused and the credentials no longer connect', async () => {
    const created = await createIntegration('Short-lived');
    const client = await connectAs(created);
    const closed = client.closed();
    await json(await gateway.call(`/integrations/nats/${created.integration.id}`, { method: 'DELETE', token: admin.accessToken }), 204);
    // The server disconnects a revoked user.
    await closed;
    await expect(connectAs(created)).rejects.toThrow(/authorization/i);
    const listed = (await list(admin.accessToken)).items;
    expect(listed.map((integration) => integration.id)).not.toContain(created.integration.id);
    // Sent again (as after a failure on the NATS side), it succeeds again.
    await json(await gateway.call(`/integrations/nats/${created.integration.id}`, { method: 'DELETE', token: admin.accessToken }), 204);
  });

  describe('when its creator loses admin rights', () => {
    let creator: TestCaller;
    let theirs: CreatedNatsIntegrationView;
    let kept: CreatedNatsIntegrationView;

    beforeAll(async () => {
      creator = await gateway.addUser(admin.organization.id, 'admin');
    });

    const lose = async (change: 'deactivated' | 'demoted') => {
      theirs = await createIntegration(`Made by the ${change} admin`, creator.accessToken);
      kept = await createIntegration(`Another admin's (${change})`);
      const following = await follow(theirs);
      const others = await follow(kept);
      await openTicket(`Before the creator was ${change}`);
      await expect.poll(() => ticketsIn(following.received), { timeout: 15_000 }).toEqual([`Before the creator was ${change}`]);

      if (change === 'deactivated') await json(await gateway.call(`/users/${creator.principal.userId}`, { method: 'DELETE', token: admin.accessToken }), 204);
      else await json(await gateway.call(`/users/${creator.principal.userId}`, { method: 'PATCH', token: admin.accessToken, body: { role: 'agent' } }), 200);
      // The public server disconnects the revoked user before the change's own event goes out.
      await following.closed;
      await openTicket(`After the creator was ${change}`);
      await expect.poll(() => ticketsIn(others.received), { timeout: 15_000 }).toContain(`After the creator was ${change}`);
      return { following, others };
    };

    it("is revoked when they are deactivated: its subscriber is disconnected and cannot come back, its commands are refused, another admin's integration goes on", async () => {
      const { following, others } = await lose('deactivated');
      expect(following.received.map((event) => event.type)).toEqual(['ticket.created']);
      await expect(connectAs(theirs)).rejects.toThrow(/authorization/i);
      expect(await commandAs(theirs)).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      expect(others.client.isClosed()).toBe(false);
      expect(others.received.map((event) => event.type)).toContain('user.deactivated');
      expect(await commandAs(kept)).toMatchObject({ result: { subject: 'After losing access' } });

      const listed = (await list(admin.accessToken, '?limit=100')).items;
      expect(listed.map((integration) => integration.id)).not.toContain(theirs.integration.id);
      expect(listed.map((integration) => integration.id)).toContain(kept.integration.id);
      expect(await revocationOf(theirs.integration.id)).toMatchObject({ revoked_by: admin.user.id, revoked_reason: 'creator_deactivated', nats_user_revoked_at: expect.any(Date) });
      expect(await revocationOf(kept.integration.id)).toMatchObject({ revoked_at: null, nats_user_revoked_at: null });
    });

    it("is revoked when they are made an agent: its subscriber is disconnected and cannot come back, its commands are refused (not answered as the agent), another admin's integration goes on", async () => {
      await json(await gateway.call(`/users/${creator.principal.userId}`, { method: 'PATCH', token: admin.accessToken, body: { active: true, role: 'admin' } }), 200);
      const { following, others } = await lose('demoted');
      expect(following.received.map((event) => event.type)).toEqual(['ticket.created']);
      await expect(connectAs(theirs)).rejects.toThrow(/authorization/i);
      expect(await commandAs(theirs)).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      expect(others.received.map((event) => event.type)).toContain('user.role_changed');
      expect(await commandAs(kept)).toMatchObject({ result: { subject: 'After losing access' } });

      const listed = (await list(admin.accessToken, '?limit=100')).items;
      expect(listed.map((integration) => integration.id)).not.toContain(theirs.integration.id);
      expect(await revocationOf(theirs.integration.id)).toMatchObject({ revoked_by: admin.user.id, revoked_reason: 'creator_demoted', nats_user_revoked_at: expect.any(Date) });
    });
  });

  it('revokes at start the NATS users of integrations revoked while no gateway could (public server out of reach, or no keys)', async () => {
    const created = await createIntegration('Revoked while no gateway could');
    // As the ticket service leaves it after a change whose event no gateway has handled yet (and as the migration leaves older ones).
    await gateway.ticket.dataSource.query(`UPDATE helpdesk.nats_integrations SET revoked_at = now(), revoked_reason = 'creator_deactivated' WHERE id = $1`, [created.integration.id]);
    const following = await follow(created);
    await gateway.startReplica(publicSettings());
    await following.closed;
    await expect(connectAs(created)).rejects.toThrow(/authorization/i);
    await expect.poll(async () => (await revocationOf(created.integration.id)).nats_user_revoked_at, { timeout: 10_000 }).toEqual(expect.any(Date));
  });

  it("lets only admins manage integrations, and answers 404 for another organization's", async () => {
    const created = await createIntegration('Admin only');
    const agent = await gateway.addUser(admin.organization.id, 'agent');
    await json(await gateway.call('/integrations/nats', { token: agent.accessToken, body: { name: 'mine' } }), 403);
    await json(await gateway.call('/integrations/nats', { token: agent.accessToken }), 403);
    await json(await gateway.call(`/integrations/nats/${created.integration.id}`, { method: 'DELETE', token: agent.accessToken }), 403);
    const reader = await json<CreatedApiTokenView>(await gateway.call('/api-tokens', { token: admin.accessToken, body: { name: 'reader', scopes: ['tickets:read'] } }), 201);
    expect((await json<{ message: string }>(await gateway.call('/integrations/nats', { token: reader.token }), 403)).message).toMatch(/scope admin/);
    const other = await gateway.signup('Elsewhere');
    await json(await gateway.call(`/integrations/nats/${created.integration.id}`, { method: 'DELETE', token: other.accessToken }), 404);
  });

  it('answers 400 naming a bad name or an unknown field', async () => {
    const empty = await json<{ message: string[] }>(await gateway.call('/integrations/nats', { token: admin.accessToken, body: { name: '' } }), 400);
    expect(empty.message).toEqual(['name must be longer than or equal to 1 characters']);
    await json(await gateway.call('/integrations/nats', { token: admin.accessToken, body: { name: 'x'.repeat(101) } }), 400);
    const extra = await json<{ message: string[] }>(await gateway.call('/integrations/nats', { token: admin.accessToken, body: { name: 'x', natsUser: 'UABC' } }), 400);
    expect(extra.message).toEqual(['property natsUser should not exist']);
    await json(await gateway.call('/integrations/nats/not-an-id', { method: 'DELETE', token: admin.accessToken }), 400);
  });

  it('answers 503 naming the public server while it is out of reach, and creates again once it is back', async () => {
    const elsewhere = await gateway.signup('Outage Desk');
    await publicServer.stop();
    try {
      const refused = await json<{ message: string }>(await gateway.call('/integrations/nats', { token: elsewhere.accessToken, body: { name: 'During the outage' } }), 503);
      expect(refused.message).toMatch(/^The public NATS server failed while making the organization's events stream: .*; retry shortly$/);
    } finally {
      await publicServer.resume();
    }
    await expect.poll(async () => (await gateway.call('/integrations/nats', { token: elsewhere.accessToken, body: { name: 'After the outage' } })).status, { timeout: 30_000, interval: 1_000 }).toBe(201);
    const listed = (await list(elsewhere.accessToken)).items;
    expect(listed.map((integration) => integration.name)).toContain('After the outage');
  });

  it('answers 503 saying the interface is off when INTEGRATIONS_NATS_URL is unset, and still lists', async () => {
    const refused = await json<{ message: string }>(await interfaceOff.call('/integrations/nats', { token: admin.accessToken, body: { name: 'CRM' } }), 503);
    expect(refused.message).toMatch(/^The public NATS interface is off on this platform: INTEGRATIONS_NATS_URL/);
    expect((await list(admin.accessToken, '', interfaceOff)).items.length).toBeGreaterThan(0);
  });

  it('answers 503 naming the missing keys when the public server is set but the signing keys are not (outside production)', async () => {
    const withoutKeys = await gateway.startReplica({ INTEGRATIONS_NATS_URL: publicServer.url, INTEGRATIONS_NATS_CREDS_FILE: join(credsDir, 'bridge.creds') });
    const refused = await json<{ message: string }>(await withoutKeys.call('/integrations/nats', { token: admin.accessToken, body: { name: 'CRM' } }), 503);
    expect(refused.message).toMatch(/^This platform answers public NATS commands but cannot issue credentials: INTEGRATIONS_NATS_ACCOUNT_SIGNING_SEED/);
  });
});
