import type { MeReply, TicketView } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationHarness } from '../../../notification/src/testing/notification-harness.js';
import { GatewayHarness, type SignedUpAdmin, type TestCaller } from '../testing/gateway-harness.js';

const ALL_ON_FOR_STAFF = {
  ticketCreated: true,
  agentReply: true,
  ticketSolved: true,
  newTicket: true,
  ticketAssigned: true,
  customerReply: true,
  slaWarning: true,
  slaBreached: true,
  followedTicket: true,
};

describe('PATCH /api/v1/me', () => {
  let gateway: GatewayHarness;
  let mail: NotificationHarness;
  let admin: SignedUpAdmin;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('me-api');
    mail = await NotificationHarness.start('me-api', {}, { ticket: gateway.ticket });
    admin = await gateway.signup('Prefs Desk');
  });

  afterAll(async () => {
    await mail?.stop();
    await gateway?.stop();
  });

  const patchMe = (caller: TestCaller, body: unknown) => gateway.call('/me', { method: 'PATCH', token: caller.accessToken, body });
  const getMe = async (caller: TestCaller) => (await (await gateway.call('/me', { token: caller.accessToken })).json()) as MeReply;

  it('changes the caller’s own name and preferences, keeps the keys left out, and answers the /me body', async () => {
    const agent = await gateway.addUser(admin.organization.id, 'agent');

    const first = await patchMe(agent, { name: '  Agnes <b>Agent</b> ', notificationPreferences: { newTicket: false, slaWarning: false } });
    const second = await patchMe(agent, { notificationPreferences: { slaWarning: true, customerReply: false } });

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    const body = (await second.json()) as MeReply;
    expect(body.user).toMatchObject({ id: agent.principal.userId, name: 'Agnes Agent', role: 'agent' });
    expect(body.user.notificationPreferences).toEqual({ ...ALL_ON_FOR_STAFF, newTicket: false, customerReply: false });
    expect(body.organization).toMatchObject({ id: admin.organization.id, name: 'Prefs Desk' });
    expect(await getMe(agent)).toEqual(body);
  });

  it('refuses unknown keys and non-boolean values, naming them, and changes nothing', async () => {
    const agent = await gateway.addUser(admin.organization.id, 'agent');
    const before = await getMe(agent);

    const unknown = await patchMe(agent, { name: 'Renamed', notificationPreferences: { agentReply: false, weeklyDigest: false } });
    const notBoolean = await patchMe(agent, { notificationPreferences: { agentReply: 'no' } });
    const notObject = await patchMe(agent, { notificationPreferences: ['agentReply'] });
    const otherField = await patchMe(agent, { role: 'admin' });

    expect(unknown.status).toBe(400);
    expect(JSON.stringify(await unknown.json())).toContain('weeklyDigest');
    expect(notBoolean.status).toBe(400);
    expect(JSON.stringify(await notBoolean.json())).toContain('notificationPreferences.agentReply must be a boolean');
    expect(notObject.status).toBe(400);
    expect(otherField.status).toBe(400);
    expect(await getMe(agent)).toEqual(before);
  });

  it('lets a customer set only the mails customers receive', async () => {
    const customer = await gateway.addUser(admin.organization.id, 'customer');

    const staffKey = await patchMe(customer, { notificationPreferences: { ticketSolved: false, slaBreached: false } });
    const ownKeys = await patchMe(customer, { notificationPreferences: { ticketSolved: false } });

    expect(staffKey.status).toBe(400);
    expect((await staffKey.json()) as { message: string[] }).toMatchObject({ message: [expect.stringContaining('notificationPreferences.slaBreached')] });
    expect(ownKeys.status).toBe(200);
    expect(((await ownKeys.json()) as MeReply).user.notificationPreferences).toEqual({ ticketCreated: true, agentReply: true, ticketSolved: false });
  });

  it('needs a signed-in caller, and cannot reach another user', async () => {
    const agent = await gateway.addUser(admin.organization.id, 'agent');
    const other = await gateway.addUser(admin.organization.id, 'agent');

    const anonymous = await gateway.call('/me', { method: 'PATCH', body: { name: 'Nobody' } });
    const aimedAtOther = await patchMe(agent, { userId: other.principal.userId, name: 'Hijacked' });

    expect(anonymous.status).toBe(401);
    expect(aimedAtOther.status).toBe(400);
    expect((await getMe(other)).user.name).toBe('Test agent');
  });

  it('turns the agent-reply mail off and on again for the customer who set it', async () => {
    const agent = await gateway.addUser(admin.organization.id, 'agent');
    const customer = await gateway.addUser(admin.organization.id, 'customer');
    const customerEmail = await mail.emailOf(customer.principal.userId);
    const opened = await gateway.call('/tickets', { token: customer.accessToken, body: { subject: 'Printer jams', description: 'Every second page' } });
    const ticket = (await opened.json()) as TicketView;
    const reply = (body: string) => gateway.call(`/tickets/${ticket.id}/comments`, { token: agent.accessToken, body: { body } });
    const agentReplies = () => mail.sink.mailsTo(customerEmail).filter((received) => received.subject === `Re: [#${ticket.number}] Printer jams`);

    expect((await patchMe(customer, { notificationPreferences: { agentReply: false } })).status).toBe(200);
    expect((await reply('First answer, while mails are off')).status).toBe(201);
    await mail.settled();
    expect(agentReplies()).toEqual([]);

    expect((await patchMe(customer, { notificationPreferences: { agentReply: true } })).status).toBe(200);
    expect((await reply('Second answer, mails on again')).status).toBe(201);
    await mail.settled();
    const received = agentReplies();
    expect(received).toHaveLength(1);
    expect(received[0]!.text).toContain('Second answer, mails on again');
    expect(mail.sink.mailsTo(customerEmail).some((other) => other.text.includes('First answer'))).toBe(false);
  });

  it('is documented in the OpenAPI document, with its body', async () => {
    const document = (await (await fetch(`${gateway.url}/api/docs-json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    const operation = document.paths['/api/v1/me']?.patch;
    expect(JSON.stringify(operation?.requestBody)).toContain('UpdateMeBody');
    expect(Object.keys(document.components.schemas.NotificationPreferencesDto?.properties ?? {}).sort()).toEqual(Object.keys(ALL_ON_FOR_STAFF).sort());
  });
});
