import { createUser } from '@nats-io/nkeys';
import { connect, credsAuthenticator, headers, type NatsConnection } from '@nats-io/transport-node';
import {
  publicSubjects,
  REQUEST_ID_HEADER,
  subjects,
  type CommentView,
  type NatsIntegrationView,
  type PublicCommandName,
  type PublicCommandReply,
  type TicketHistoryEntry,
  type TicketView,
  type UserView,
} from '@helpdesk/contracts';
import { integrationInboxPrefix } from '@helpdesk/common';
import { startPublicNatsServer, type TestPublicNatsServer } from '@helpdesk/testing';
import { AccessTokens } from '@helpdesk/common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type SignedUpAdmin } from '../testing/gateway-harness.js';
import { INTEGRATION_CACHE_TTL_MS } from './nats-integration-verifier.js';

const RATE_LIMIT = 5;

/**
 * Public commands (issue 21) as the gateway answers them: over a real public nats-server in operator
 * mode, answered by the real gateway in front of the real ticket service. Integrations are recorded
 * straight in the ticket service, and the commands are sent as the bridge user, which may publish any
 * command subject: so the gateway's own checks are shown apart from the server's permissions (which the
 * integrations API's test and the authority's cover), as defence in depth.
 */
describe('public NATS commands', () => {
  let publicServer: TestPublicNatsServer;
  let credsDir: string;
  let gateway: GatewayHarness;
  let client: NatsConnection;
  let admin: SignedUpAdmin;
  let other: SignedUpAdmin;
  let integration: NatsIntegrationView;

  const recordIntegration = (owner: SignedUpAdmin, name = 'Billing') =>
    gateway.ticket.send<NatsIntegrationView>(subjects.natsIntegrations.create, { principal: owner.principal, integrationId: randomUUID(), name, natsUser: createUser().getPublicKey() });
  /** A request as the integration's client makes it: the reply subject under its own inbox prefix. */
  const requestAs = async (integrationId: string, subject: string, payload: string, requestId?: string) => {
    const inbox = `${integrationInboxPrefix(integrationId)}.${randomUUID()}`;
    const replies = client.subscribe(inbox, { max: 1, timeout: 10_000 });
    const requestHeaders = headers();
    if (requestId !== undefined) requestHeaders.set(REQUEST_ID_HEADER, requestId);
    client.publish(subject, payload, { reply: inbox, headers: requestHeaders });
    for await (const reply of replies) return reply;
    throw new Error(`no reply on ${inbox}`);
  };
  const send = async <Name extends PublicCommandName>(name: Name, body: unknown, target: { orgId: string; integrationId: string } = { orgId: admin.organization.id, integrationId: integration.id }) => {
    const payload = typeof body === 'string' ? body : JSON.stringify(body);
    const reply = await requestAs(target.integrationId, publicSubjects.command(target.orgId, target.integrationId, name), payload);
    return reply.json<PublicCommandReply<Name>>();
  };
  const result = async <Name extends PublicCommandName>(name: Name, body: unknown) => {
    const reply = await send(name, body);
    if (!('result' in reply)) throw new Error(`${name} answered ${JSON.stringify(reply)}`);
    return reply.result;
  };

  beforeAll(async () => {
    publicServer = await startPublicNatsServer();
    credsDir = mkdtempSync(join(tmpdir(), 'helpdesk-public-commands-'));
    writeFileSync(join(credsDir, 'bridge.creds'), publicServer.bridgeCreds);
    writeFileSync(join(credsDir, 'system.creds'), publicServer.systemCreds);
    gateway = await GatewayHarness.start('public-commands', {
      INTEGRATIONS_NATS_URL: publicServer.url,
      INTEGRATIONS_NATS_CREDS_FILE: join(credsDir, 'bridge.creds'),
      INTEGRATIONS_NATS_SYSTEM_CREDS_FILE: join(credsDir, 'system.creds'),
      INTEGRATIONS_NATS_ACCOUNT_SIGNING_SEED: publicServer.accountSigningSeed,
      INTEGRATIONS_NATS_OPERATOR_SIGNING_SEED: publicServer.operatorSigningSeed,
      RATE_LIMIT_AUTH_PER_HOUR: String(RATE_LIMIT),
    });
    client = await connect({ servers: publicServer.url, authenticator: credsAuthenticator(new TextEncoder().encode(publicServer.bridgeCreds)) });
    admin = await gateway.signup('Billing Desk');
    other = await gateway.signup('Other Desk');
    integration = await recordIntegration(admin);
    // The gateway subscribes once connected to the public server: wait until a command is answered.
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const answered = await client.request(publicSubjects.command(admin.organization.id, integration.id, 'tickets.get'), '{}', { timeout: 500, noMux: true, reply: `${integrationInboxPrefix(integration.id)}.${randomUUID()}` }).then(() => true, () => false);
      if (answered) break;
    }
  });

  afterAll(async () => {
    await client?.close();
    await gateway?.stop();
    await publicServer?.destroy();
    if (credsDir) rmSync(credsDir, { recursive: true, force: true });
  });

  it('opens a ticket, reads it and comments on it as the integration, and the history names the integration', async () => {
    const ticket = await result('tickets.create', { subject: 'Invoice 1042 unpaid', description: 'Card declined', priority: 'high', tags: ['billing'], requesterEmail: 'payer@example.com', requesterName: 'Pat Payer' });
    expect(ticket).toMatchObject({ subject: 'Invoice 1042 unpaid', priority: 'high', tags: ['billing'], channel: 'api', status: 'new' });

    const read = await result('tickets.get', { ticketId: ticket.id });
    expect(read.id).toBe(ticket.id);
    const comment = await result('comments.create', { ticketId: ticket.id, body: 'Retried the card', internal: true });
    expect(comment).toMatchObject({ ticketId: ticket.id, internal: true, authorId: admin.user.id });

    const response = await gateway.call(`/tickets/${ticket.id}/events`, { token: admin.accessToken });
    const history = (await response.json()) as { items: TicketHistoryEntry[] };
    expect(history.items.map((entry) => [entry.action, entry.integration])).toEqual(
      expect.arrayContaining([
        ['created', { id: integration.id, name: 'Billing' }],
        ['commented', { id: integration.id, name: 'Billing' }],
      ]),
    );
  });

  it('finds a user of the organization by exact address, and answers NOT_FOUND for an address of another organization', async () => {
    const found = await result('users.find-by-email', { email: admin.user.email.toUpperCase() });
    expect(found).toMatchObject<Partial<UserView>>({ id: admin.user.id, email: admin.user.email });
    expect(await send('users.find-by-email', { email: other.user.email })).toEqual({ error: { code: 'NOT_FOUND', message: 'No user of this organization has that email address' } });
  });

  it("answers NOT_FOUND for another organization's ticket", async () => {
    const theirs = (await (await gateway.call('/tickets', { token: other.accessToken, body: { subject: 'Theirs', description: 'Private' } })).json()) as TicketView;
    expect(await send('tickets.get', { ticketId: theirs.id })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(await send('comments.create', { ticketId: theirs.id, body: 'Hello' })).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('refuses an integration named under another organization, an unknown one and a revoked one', async () => {
    expect(await send('tickets.get', { ticketId: randomUUID() }, { orgId: other.organization.id, integrationId: integration.id })).toEqual({
      error: { code: 'UNAUTHORIZED', message: 'The integration is unknown, revoked, or not of this organization' },
    });
    expect(await send('tickets.get', { ticketId: randomUUID() }, { orgId: admin.organization.id, integrationId: randomUUID() })).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    expect(await send('tickets.get', { ticketId: randomUUID() }, { orgId: 'not-an-id', integrationId: 'nor-this' })).toMatchObject({ error: { code: 'UNAUTHORIZED' } });

    const doomed = await recordIntegration(admin, 'Doomed');
    const target = { orgId: admin.organization.id, integrationId: doomed.id };
    expect(await send('tickets.create', { subject: 'Before', description: 'revocation' }, target)).toHaveProperty('result');
    const revoked = await gateway.call(`/integrations/nats/${doomed.id}`, { method: 'DELETE', token: admin.accessToken });
    expect(revoked.status).toBe(204);
    // This replica forgot it at once; any other within the cache's lifetime.
    expect(await send('tickets.create', { subject: 'After', description: 'revocation' }, target)).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    await sleep(INTEGRATION_CACHE_TTL_MS);
    expect(await send('tickets.create', { subject: 'After', description: 'revocation' }, target)).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
  });

  it("acts with its creator's current role, answering what the REST API answers that person", async () => {
    const creator = await gateway.addUser(admin.organization.id, 'admin');
    const made = await gateway.ticket.send<NatsIntegrationView>(subjects.natsIntegrations.create, { principal: creator.principal, integrationId: randomUUID(), name: 'Demoted', natsUser: createUser().getPublicKey() });
    const target = { orgId: admin.organization.id, integrationId: made.id };
    const staffTicket = (await (await gateway.call('/tickets', { token: admin.accessToken, body: { subject: 'Staff only', description: 'Not theirs' } })).json()) as TicketView;
    expect(await send('tickets.get', { ticketId: staffTicket.id }, target)).toHaveProperty('result');

    // Straight in the database: a demotion through the API revokes the integration (nats-integrations.spec.ts);
    // this shows the principal check that stands behind that, should a role change any other way.
    await gateway.ticket.dataSource.query(`UPDATE helpdesk.users SET role = 'customer' WHERE id = $1`, [creator.principal.userId]);
    await sleep(INTEGRATION_CACHE_TTL_MS);
    const asCustomer = gateway.service.app.get(AccessTokens).sign({ ...creator.principal, role: 'customer' });
    const own = (await (await gateway.call('/tickets', { token: asCustomer, body: { subject: 'Mine', description: 'As a customer' } })).json()) as TicketView;
    const pairs: Array<[Promise<PublicCommandReply<PublicCommandName>>, Promise<Response>]> = [
      [send('tickets.get', { ticketId: staffTicket.id }, target), gateway.call(`/tickets/${staffTicket.id}`, { token: asCustomer })],
      [send('comments.create', { ticketId: own.id, body: 'A note', internal: true }, target), gateway.call(`/tickets/${own.id}/comments`, { token: asCustomer, body: { body: 'A note', internal: true } })],
      [send('users.find-by-email', { email: admin.user.email }, target), gateway.call(`/users?q=${encodeURIComponent(admin.user.email)}`, { token: asCustomer })],
    ];
    const outcomes = [];
    for (const [command, rest] of pairs) outcomes.push([((await command) as { error?: { code: string } }).error?.code, (await rest).status]);
    expect(outcomes).toEqual([
      ['NOT_FOUND', 404],
      ['FORBIDDEN', 403],
      ['FORBIDDEN', 403],
    ]);
  });

  it('answers VALIDATION naming the field for a bad body, an unknown field, malformed JSON or a non-object', async () => {
    const empty = await send('tickets.create', { subject: '', description: 'x' });
    expect(empty).toMatchObject({ error: { code: 'VALIDATION', message: 'subject must be longer than or equal to 1 characters' } });
    expect(await send('tickets.create', { subject: 'x', description: 'y', teamId: randomUUID() })).toMatchObject({ error: { code: 'VALIDATION', message: 'property teamId should not exist' } });
    expect(await send('tickets.get', { ticketId: 'twelve' })).toMatchObject({ error: { code: 'VALIDATION', message: 'ticketId must be a UUID' } });
    expect(await send('users.find-by-email', { email: 'nobody' })).toMatchObject({ error: { code: 'VALIDATION', message: 'email must be a valid email address' } });
    expect(await send('comments.create', '{"ticketId": ')).toEqual({ error: { code: 'VALIDATION', message: 'The body must be a JSON object (it is not valid JSON)' } });
    expect(await send('comments.create', '[1, 2]')).toEqual({ error: { code: 'VALIDATION', message: 'The body must be a JSON object' } });
  });

  it("never answers on a reply subject outside the integration's inbox (another integration's, or an events subject)", async () => {
    const stray = [`${integrationInboxPrefix(randomUUID())}.stolen`, publicSubjects.event(other.organization.id, 'ticket.created')].map((subject) => client.subscribe(subject));
    for (const subscription of stray) client.publish(publicSubjects.command(admin.organization.id, integration.id, 'tickets.get'), JSON.stringify({ ticketId: randomUUID() }), { reply: subscription.getSubject() });
    // Dispatched in order: once a later command is answered, the stray ones were dropped for good.
    expect(await send('tickets.get', { ticketId: randomUUID() })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    await client.flush();
    for (const subscription of stray) {
      expect(subscription.getProcessed()).toBe(0);
      subscription.unsubscribe();
    }
  });

  it('repeats the request id in the reply, or names a new one when the request had none or an unusable one', async () => {
    // Its own integration: the hourly limit below counts the others' commands.
    const traced = await recordIntegration(admin, 'Traced');
    const subject = publicSubjects.command(admin.organization.id, traced.id, 'users.find-by-email');
    const body = JSON.stringify({ email: admin.user.email });
    const sent = `billing-${randomUUID()}`;
    expect((await requestAs(traced.id, subject, body, sent)).headers?.get(REQUEST_ID_HEADER)).toBe(sent);
    for (const unusable of [undefined, 'has spaces and ünïcode']) {
      const generated = (await requestAs(traced.id, subject, body, unusable)).headers?.get(REQUEST_ID_HEADER);
      expect(generated).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
  });

  it('answers NOT_FOUND naming the public commands for an unknown command name', async () => {
    const reply = await requestAs(integration.id, `helpdesk.v1.public.commands.${admin.organization.id}.${integration.id}.tickets.delete`, '{}');
    expect(reply.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Unknown command "tickets.delete": the public commands are tickets.create, tickets.get, comments.create, users.find-by-email' } });
  });

  it("counts an integration's commands against the REST API's hourly limit, apart from other integrations", async () => {
    const busy = await recordIntegration(admin, 'Busy');
    const target = { orgId: admin.organization.id, integrationId: busy.id };
    const replies = [];
    for (let call = 0; call <= RATE_LIMIT; call += 1) replies.push(await send('users.find-by-email', { email: admin.user.email }, target));
    expect(replies.slice(0, RATE_LIMIT).every((reply) => 'result' in reply)).toBe(true);
    expect(replies[RATE_LIMIT]).toMatchObject({ error: { code: 'RATE_LIMITED', message: `Too many commands: at most ${RATE_LIMIT} users.find-by-email an hour per integration` } });
    expect(await send('users.find-by-email', { email: admin.user.email })).toHaveProperty('result');
  });
});
