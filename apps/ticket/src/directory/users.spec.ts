import {
  subjects,
  type AuthenticatedUserReply,
  type EventEnvelope,
  type InvitationAcceptedReply,
  type IssuedLinkToken,
  type Page,
  type Principal,
  type UserInvitedData,
  type UserView,
} from '@helpdesk/contracts';
import { waitFor } from '@helpdesk/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../testing/ticket-harness.js';
import { ALREADY_ACCEPTED, INVITEE_DEACTIVATED, NOT_INVITED } from './users.service.js';

const PASSWORD = 'a long enough passphrase';
const uniqueEmail = (label: string) => `${label}-${randomBytes(3).toString('hex')}@example.com`;

describe('users', () => {
  let harness: TicketHarness;
  let admin: Principal;
  let agent: Principal;
  let customer: Principal;
  let outsider: Principal;

  const invite = (fields: Record<string, unknown>, principal: Principal = admin) => harness.send<UserView>(subjects.users.invite, { principal, role: 'agent', ...fields });
  const update = (userId: string, changes: Record<string, unknown>, principal: Principal = admin) => harness.send<UserView>(subjects.users.update, { principal, userId, changes });
  const invitedEvents = async () =>
    (await harness.storedEvents()).map((stored) => stored.envelope).filter((envelope): envelope is EventEnvelope<UserInvitedData> => envelope.type === 'user.invited');

  beforeAll(async () => {
    harness = await TicketHarness.start('directory_users');
    ({ admin } = await harness.signup('Acme Support'));
    agent = await harness.addUser(admin.orgId, 'agent');
    customer = await harness.addUser(admin.orgId, 'customer');
    ({ admin: outsider } = await harness.signup('Globex Helpdesk'));
  });

  afterAll(() => harness?.stop());

  describe('inviting', () => {
    it('invites a user without a password and announces it with user.invited, which carries no secret', async () => {
      const email = uniqueEmail('grace');
      const user = await invite({ name: 'Grace Hopper', email, role: 'agent' });
      expect(user).toEqual({ id: expect.any(String), organizationId: admin.orgId, email, name: 'Grace Hopper', role: 'agent', active: true, invitationPendingSince: expect.any(String), bouncingSince: null, capacity: null, availability: 'offline', availabilitySetting: 'online' });
      expect(Date.now() - Date.parse(user.invitationPendingSince!)).toBeLessThan(60_000);

      const event = await waitFor('user.invited in the stream', async () => (await invitedEvents()).find((envelope) => envelope.aggregateId === user.id), 10_000);
      expect(event).toMatchObject({ orgId: admin.orgId, actor: { userId: admin.userId, role: 'admin' } });
      expect(event.data).toEqual({ userId: user.id, email, name: 'Grace Hopper', role: 'agent', invitedBy: admin.userId });
      const [row] = (await harness.dataSource.query('SELECT password_hash FROM helpdesk.users WHERE id = $1', [user.id])) as Array<{ password_hash: string | null }>;
      expect(row!.password_hash).toBeNull();
      expect(JSON.stringify(event)).not.toMatch(/token|password/i);
    });

    it('invites a user with a password, ready to log in at once, without an invitation event', async () => {
      const email = uniqueEmail('linus');
      const user = await invite({ name: 'Linus', email, role: 'customer', password: PASSWORD });
      const login = await harness.send<AuthenticatedUserReply>(subjects.auth.verifyCredentials, { email, password: PASSWORD });
      expect(login.user).toEqual(user);
      expect(user.invitationPendingSince).toBeNull();
      const [row] = (await harness.dataSource.query('SELECT password_hash FROM helpdesk.users WHERE id = $1', [user.id])) as Array<{ password_hash: string }>;
      expect(row!.password_hash).toMatch(/^\$argon2id\$/);
      // Events are written with the change, so the outbox shows at once whether one was.
      const [outbox] = (await harness.dataSource.query(`SELECT count(*)::int AS events FROM helpdesk.outbox WHERE aggregate_id = $1`, [user.id])) as Array<{ events: number }>;
      expect(outbox!.events).toBe(0);
    });

    it('stores the email in lower case and the name as plain text', async () => {
      const email = uniqueEmail('Mixed.Case');
      const user = await invite({ name: '<b>Barbara</b> <script>alert(1)</script>Liskov', email: email.toUpperCase() });
      expect(user).toMatchObject({ email: email.toLowerCase(), name: 'Barbara Liskov' });
    });

    it('refuses a second account with the same email in the organization, whatever its case', async () => {
      const email = uniqueEmail('twice');
      await invite({ name: 'First', email });
      expect(await harness.fail(subjects.users.invite, { principal: admin, name: 'Second', email: email.toUpperCase(), role: 'customer' })).toMatchObject({
        code: 'CONFLICT',
        message: 'A user with this email already exists',
      });
      // Another organization may have its own account with that email.
      expect(await invite({ name: 'Elsewhere', email }, outsider)).toMatchObject({ organizationId: outsider.orgId, email: email.toLowerCase() });
    });

    it('rejects an unknown role, a malformed email and a short password, naming the fields', async () => {
      const failure = await harness.fail(subjects.users.invite, { principal: admin, name: 'X', email: 'not-an-email', role: 'owner', password: 'short' });
      expect(failure.code).toBe('VALIDATION');
      expect(failure.details).toEqual(expect.arrayContaining([expect.stringMatching(/^email/), expect.stringMatching(/^role/), expect.stringMatching(/^password/)]));
    });
  });

  describe('an organization that has not verified its email address', () => {
    const VERIFY_FIRST = { code: 'FORBIDDEN', message: expect.stringMatching(/^Verify your organization’s email address before adding users/) };

    it('may neither invite nor create users (each would be an address its mail reaches), until it is verified', async () => {
      const { admin: unverifiedAdmin } = await harness.signup('Unverified Desk', { emailVerified: false });
      const usersOf = async () => (await harness.dataSource.query('SELECT count(*)::int AS users FROM helpdesk.users WHERE organization_id = $1', [unverifiedAdmin.orgId])) as Array<{ users: number }>;

      for (const fields of [{ role: 'agent' }, { role: 'admin', password: PASSWORD }, { role: 'customer' }]) {
        expect(await harness.fail(subjects.users.invite, { principal: unverifiedAdmin, name: 'Victim', email: uniqueEmail('victim'), ...fields })).toMatchObject(VERIFY_FIRST);
      }
      expect(await usersOf()).toEqual([{ users: 1 }]);
      expect((await invitedEvents()).filter((envelope) => envelope.orgId === unverifiedAdmin.orgId)).toEqual([]);

      await harness.verifyEmail(unverifiedAdmin.orgId);
      expect(await invite({ name: 'Welcome', email: uniqueEmail('welcome') }, unverifiedAdmin)).toMatchObject({ role: 'agent', organizationId: unverifiedAdmin.orgId });
    });

    it('may not make a customer (for example a requester it named) staff, but may still rename and deactivate them', async () => {
      const { admin: unverifiedAdmin } = await harness.signup('Unverified Desk', { emailVerified: false });
      const requester = await harness.addUser(unverifiedAdmin.orgId, 'customer');

      expect(await harness.fail(subjects.users.update, { principal: unverifiedAdmin, userId: requester.userId, changes: { role: 'agent' } })).toMatchObject(VERIFY_FIRST);
      expect(await harness.fail(subjects.users.update, { principal: unverifiedAdmin, userId: requester.userId, changes: { role: 'admin' } })).toMatchObject(VERIFY_FIRST);
      expect(await update(requester.userId, { name: 'Renamed', role: 'customer' }, unverifiedAdmin)).toMatchObject({ name: 'Renamed', role: 'customer' });
      expect(await update(requester.userId, { active: false }, unverifiedAdmin)).toMatchObject({ role: 'customer', active: false });
    });
  });

  describe('listing', () => {
    let listAdmin: Principal;
    beforeAll(async () => {
      ({ admin: listAdmin } = await harness.signup('List Desk'));
      for (const [name, role] of [['Zoe Zimmer', 'agent'], ['Bob Baker', 'customer'], ['Carla Cruz', 'agent'], ['Dan 100% Dunn', 'customer']] as const) {
        await invite({ name, email: uniqueEmail(name.split(' ')[0]!.toLowerCase()), role }, listAdmin);
      }
    });

    const list = (filters: Record<string, unknown> = {}) => harness.send<Page<UserView>>(subjects.users.list, { principal: listAdmin, ...filters });

    it('lists the organization\'s users ordered by name, page by page without gaps or repeats', async () => {
      const names: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Page<UserView> = await list({ limit: 2, ...(cursor ? { cursor } : {}) });
        names.push(...page.items.map((user) => user.name));
        cursor = page.nextCursor;
      } while (cursor);
      expect(names).toEqual(['Ada Admin', 'Bob Baker', 'Carla Cruz', 'Dan 100% Dunn', 'Zoe Zimmer']);
    });

    it('filters by role, by active and by a part of the name or email, taking % literally', async () => {
      expect((await list({ role: 'agent' })).items.map((user) => user.name)).toEqual(['Carla Cruz', 'Zoe Zimmer']);
      expect((await list({ q: 'ZIM' })).items.map((user) => user.name)).toEqual(['Zoe Zimmer']);
      expect((await list({ q: 'carla-' })).items.map((user) => user.name)).toEqual(['Carla Cruz']);
      expect((await list({ q: '%' })).items.map((user) => user.name)).toEqual(['Dan 100% Dunn']);
      expect((await list({ active: false })).items).toEqual([]);
    });

    it('never lists another organization\'s users and refuses a forged cursor', async () => {
      const everyone = await harness.send<Page<UserView>>(subjects.users.list, { principal: outsider, limit: 100 });
      expect(everyone.items.every((user) => user.organizationId === outsider.orgId)).toBe(true);
      expect(await harness.fail(subjects.users.list, { principal: listAdmin, cursor: 'forged' })).toMatchObject({ code: 'VALIDATION' });
    });
  });

  describe('reading the directory', () => {
    let deskAdmin: Principal;
    let deskAgent: Principal;
    let deskCustomer: Principal;
    let formerAgent: UserView;
    const names = (page: Page<UserView>) => page.items.map((user) => user.name);

    beforeAll(async () => {
      ({ admin: deskAdmin } = await harness.signup('Read Desk'));
      const invited = (name: string, role: string) => invite({ name, email: uniqueEmail(name.split(' ')[0]!.toLowerCase()), role }, deskAdmin);
      const colleague = await invited('Carla Colleague', 'agent');
      deskAgent = { orgId: deskAdmin.orgId, userId: colleague.id, role: 'agent' };
      const requester = await invited('Rita Requester', 'customer');
      deskCustomer = { orgId: deskAdmin.orgId, userId: requester.id, role: 'customer' };
      formerAgent = await invited('Fred Former', 'agent');
      await update(formerAgent.id, { active: false }, deskAdmin);
    });

    it('lets agents list the organization\'s users, with the admin\'s view, so they can pick a colleague', async () => {
      const asAgent = await harness.send<Page<UserView>>(subjects.users.list, { principal: deskAgent, limit: 100 });
      const asAdmin = await harness.send<Page<UserView>>(subjects.users.list, { principal: deskAdmin, limit: 100 });
      expect(asAgent).toEqual(asAdmin);
      expect(names(asAgent)).toEqual(['Ada Admin', 'Carla Colleague', 'Fred Former', 'Rita Requester']);
      expect(JSON.stringify(asAgent)).not.toMatch(/password|hash|token/i);
    });

    it('lists the active staff with role=admin,agent and active=true', async () => {
      const staff = await harness.send<Page<UserView>>(subjects.users.list, { principal: deskAgent, role: ['admin', 'agent'], active: true });
      expect(names(staff)).toEqual(['Ada Admin', 'Carla Colleague']);
      // A single role still reads as before.
      expect(names(await harness.send<Page<UserView>>(subjects.users.list, { principal: deskAgent, role: 'customer' }))).toEqual(['Rita Requester']);
    });

    it('keeps only the users named by ids, never another organization\'s, and pages them like any list', async () => {
      const foreign = await harness.addUser(outsider.orgId, 'agent');
      const ids = [formerAgent.id, deskCustomer.userId, foreign.userId, deskAgent.userId];
      const first = await harness.send<Page<UserView>>(subjects.users.list, { principal: deskAgent, ids, limit: 2 });
      expect(names(first)).toEqual(['Carla Colleague', 'Fred Former']);
      const second = await harness.send<Page<UserView>>(subjects.users.list, { principal: deskAgent, ids, limit: 2, cursor: first.nextCursor });
      expect(names(second)).toEqual(['Rita Requester']);
      expect(second.nextCursor).toBeNull();
      expect(names(await harness.send<Page<UserView>>(subjects.users.list, { principal: deskAgent, ids, q: 'rita' }))).toEqual(['Rita Requester']);
    });

    it('refuses ids that are not UUIDs, more than 100 of them, or none, naming the problem', async () => {
      const bad = await harness.fail(subjects.users.list, { principal: deskAgent, ids: [deskAgent.userId, 'not-a-uuid'] });
      expect(bad).toMatchObject({ code: 'VALIDATION', details: ['ids must list user ids (UUIDs) separated by commas'] });
      const tooMany = Array.from({ length: 101 }, () => crypto.randomUUID());
      expect(await harness.fail(subjects.users.list, { principal: deskAgent, ids: tooMany })).toMatchObject({ code: 'VALIDATION', details: ['ids may list at most 100 user ids'] });
      expect(await harness.fail(subjects.users.list, { principal: deskAgent, ids: [] })).toMatchObject({ code: 'VALIDATION', details: ['ids must list at least one user id'] });
      const hundred = Array.from({ length: 100 }, () => crypto.randomUUID());
      expect((await harness.send<Page<UserView>>(subjects.users.list, { principal: deskAgent, ids: hundred })).items).toEqual([]);
    });

    it('gives staff any user of their organization as a UserView', async () => {
      for (const principal of [deskAdmin, deskAgent]) {
        expect(await harness.send(subjects.users.get, { principal, userId: deskCustomer.userId })).toEqual({
          id: deskCustomer.userId,
          organizationId: deskAdmin.orgId,
          email: expect.stringMatching(/^rita-/),
          name: 'Rita Requester',
          role: 'customer',
          active: true,
          // Invited without a password and not yet accepted.
          invitationPendingSince: expect.any(String),
          bouncingSince: null,
          // Never connected to realtime, so not online for assignment.
          capacity: null,
          availability: 'offline',
          availabilitySetting: 'online',
        });
      }
    });

    it('gives customers only staff members, deactivated ones included, as { id, name, role }', async () => {
      expect(await harness.send(subjects.users.get, { principal: deskCustomer, userId: deskAgent.userId })).toEqual({ id: deskAgent.userId, name: 'Carla Colleague', role: 'agent' });
      expect(await harness.send(subjects.users.get, { principal: deskCustomer, userId: deskAdmin.userId })).toEqual({ id: deskAdmin.userId, name: 'Ada Admin', role: 'admin' });
      // Who answered an old ticket still has a name after leaving.
      expect(await harness.send(subjects.users.get, { principal: deskCustomer, userId: formerAgent.id })).toEqual({ id: formerAgent.id, name: 'Fred Former', role: 'agent' });
    });

    it('answers not found for another organization\'s user, and for customers asking about any customer', async () => {
      const foreignAgent = await harness.addUser(outsider.orgId, 'agent');
      const otherCustomer = await harness.addUser(deskAdmin.orgId, 'customer');
      for (const principal of [deskAdmin, deskAgent, deskCustomer]) {
        expect(await harness.fail(subjects.users.get, { principal, userId: foreignAgent.userId })).toMatchObject({ code: 'NOT_FOUND', message: 'User not found' });
      }
      expect(await harness.fail(subjects.users.get, { principal: deskCustomer, userId: otherCustomer.userId })).toMatchObject({ code: 'NOT_FOUND' });
      expect(await harness.fail(subjects.users.get, { principal: deskCustomer, userId: deskCustomer.userId })).toMatchObject({ code: 'NOT_FOUND' });
      expect(await harness.fail(subjects.users.get, { principal: deskAgent, userId: 'not-a-uuid' })).toMatchObject({ code: 'VALIDATION' });
    });
  });

  describe('changing and deactivating', () => {
    it('changes a user\'s name and role', async () => {
      const user = await invite({ name: 'Temp Agent', email: uniqueEmail('temp') });
      expect(await update(user.id, { name: 'Promoted Agent', role: 'admin' })).toMatchObject({ id: user.id, name: 'Promoted Agent', role: 'admin', active: true });
    });

    it('refuses to let the last active admin demote or deactivate themselves, and allows it once there is another admin', async () => {
      const { admin: soleAdmin } = await harness.signup('Solo Desk');
      const lastAdmin = { code: 'CONFLICT', message: expect.stringContaining('at least one active admin') };
      expect(await harness.fail(subjects.users.update, { principal: soleAdmin, userId: soleAdmin.userId, changes: { role: 'agent' } })).toMatchObject(lastAdmin);
      expect(await harness.fail(subjects.users.update, { principal: soleAdmin, userId: soleAdmin.userId, changes: { active: false } })).toMatchObject(lastAdmin);
      expect(await harness.fail(subjects.users.deactivate, { principal: soleAdmin, userId: soleAdmin.userId })).toMatchObject(lastAdmin);

      const deputy = await invite({ name: 'Deputy', email: uniqueEmail('deputy'), role: 'admin' }, soleAdmin);
      expect(await update(soleAdmin.userId, { role: 'agent' }, soleAdmin)).toMatchObject({ role: 'agent' });
      expect(await harness.fail(subjects.users.deactivate, { principal: { ...soleAdmin, userId: deputy.id }, userId: deputy.id })).toMatchObject(lastAdmin);
    });

    it('never leaves an organization without an admin when two admins demote each other at the same moment', async () => {
      const { admin: first } = await harness.signup('Duel Desk');
      const secondView = await invite({ name: 'Second', email: uniqueEmail('second'), role: 'admin' }, first);
      const second: Principal = { orgId: first.orgId, userId: secondView.id, role: 'admin' };
      const results = await Promise.allSettled([update(second.userId, { role: 'agent' }, first), update(first.userId, { role: 'agent' }, second)]);
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      const [row] = (await harness.dataSource.query(`SELECT count(*)::int AS admins FROM helpdesk.users WHERE organization_id = $1 AND role = 'admin' AND active`, [first.orgId])) as Array<{
        admins: number;
      }>;
      expect(row!.admins).toBe(1);
    });

    it('deactivates a user: their sessions end and their commands are refused, their tickets stay assigned', async () => {
      const leaver = await harness.addUser(admin.orgId, 'agent');
      const ticket = await harness.send<{ id: string }>(subjects.tickets.create, { principal: admin, subject: 'Keep me assigned', description: 'x' });
      await harness.send(subjects.tickets.update, { principal: admin, ticketId: ticket.id, changes: { assigneeId: leaver.userId } });
      await harness.dataSource.query(`INSERT INTO helpdesk.refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES ($1, gen_random_uuid(), $2, now() + interval '1 day')`, [
        leaver.userId,
        randomBytes(32).toString('hex'),
      ]);

      expect(await harness.send<UserView>(subjects.users.deactivate, { principal: admin, userId: leaver.userId })).toMatchObject({ id: leaver.userId, active: false });

      const tokens = (await harness.dataSource.query('SELECT revoked_at FROM helpdesk.refresh_tokens WHERE user_id = $1', [leaver.userId])) as Array<{ revoked_at: Date | null }>;
      expect(tokens).toHaveLength(1);
      expect(tokens[0]!.revoked_at).toBeInstanceOf(Date);
      expect(await harness.fail(subjects.tickets.list, { principal: leaver })).toMatchObject({ code: 'UNAUTHORIZED' });
      expect(await harness.send(subjects.tickets.get, { principal: admin, ticketId: ticket.id })).toMatchObject({ assigneeId: leaver.userId });
    });

    it('deactivates through users.update with active false too, and reactivates', async () => {
      const user = await harness.addUser(admin.orgId, 'customer');
      await harness.dataSource.query(`INSERT INTO helpdesk.refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES ($1, gen_random_uuid(), $2, now() + interval '1 day')`, [
        user.userId,
        randomBytes(32).toString('hex'),
      ]);
      expect(await update(user.userId, { active: false })).toMatchObject({ active: false });
      const [token] = (await harness.dataSource.query('SELECT revoked_at FROM helpdesk.refresh_tokens WHERE user_id = $1', [user.userId])) as Array<{ revoked_at: Date | null }>;
      expect(token!.revoked_at).toBeInstanceOf(Date);
      expect(await update(user.userId, { active: true })).toMatchObject({ active: true });
    });

    it('rejects empty or unknown changes, naming them', async () => {
      const user = await harness.addUser(admin.orgId, 'agent');
      expect(await harness.fail(subjects.users.update, { principal: admin, userId: user.userId, changes: { name: '<i></i>' } })).toMatchObject({ code: 'VALIDATION', message: 'name must contain text' });
      const failure = await harness.fail(subjects.users.update, { principal: admin, userId: user.userId, changes: { role: 'root', email: 'x@example.com' } });
      expect(failure).toMatchObject({ code: 'VALIDATION' });
      expect(failure.details).toEqual(expect.arrayContaining([expect.stringMatching(/role/), expect.stringMatching(/email should not exist/)]));
    });
  });

  describe('resending an invitation', () => {
    const resend = (userId: string, principal: Principal = admin) => harness.send<UserView>(subjects.users.resendInvitation, { principal, userId });
    const issueLink = (userId: string) => harness.send<IssuedLinkToken>(subjects.auth.issueInvitationLink, { userId });

    it('announces a new user.invited for a pending invitee, voids the links issued so far, and keeps the pending date', async () => {
      const invited = await invite({ name: 'Slow Reader', email: uniqueEmail('slow') });
      const firstLink = await issueLink(invited.id);

      const resent = await resend(invited.id);

      expect(resent).toEqual(invited);
      const events = await waitFor('two user.invited events', async () => {
        const found = (await invitedEvents()).filter((envelope) => envelope.aggregateId === invited.id);
        return found.length === 2 ? found : undefined;
      }, 10_000);
      expect(events.map((event) => event.data)).toEqual([events[0]!.data, { ...events[0]!.data, invitedBy: admin.userId }]);
      expect(new Set(events.map((event) => event.id)).size).toBe(2);
      expect(await harness.fail(subjects.auth.acceptInvitation, { token: firstLink.token, password: PASSWORD })).toMatchObject({ code: 'UNAUTHORIZED' });
      const secondLink = await issueLink(invited.id);
      expect((await harness.send<InvitationAcceptedReply>(subjects.auth.acceptInvitation, { token: secondLink.token, password: PASSWORD })).user).toMatchObject({ id: invited.id, invitationPendingSince: null });
    });

    it('refuses with CONFLICT once the invitation is accepted (or when the password was set at once) and for a deactivated invitee, announcing nothing', async () => {
      const accepted = await invite({ name: 'Quick Reader', email: uniqueEmail('quick') });
      await harness.send(subjects.auth.acceptInvitation, { token: (await issueLink(accepted.id)).token, password: PASSWORD });
      const withPassword = await invite({ name: 'Has Password', email: uniqueEmail('pw'), password: PASSWORD });
      const leaver = await invite({ name: 'Left Already', email: uniqueEmail('left') });
      await harness.send(subjects.users.deactivate, { principal: admin, userId: leaver.id });

      expect(await harness.fail(subjects.users.resendInvitation, { principal: admin, userId: accepted.id })).toMatchObject({ code: 'CONFLICT', message: ALREADY_ACCEPTED });
      expect(await harness.fail(subjects.users.resendInvitation, { principal: admin, userId: withPassword.id })).toMatchObject({ code: 'CONFLICT', message: ALREADY_ACCEPTED });
      expect(await harness.fail(subjects.users.resendInvitation, { principal: admin, userId: leaver.id })).toMatchObject({ code: 'CONFLICT', message: INVITEE_DEACTIVATED });
      const [outbox] = (await harness.dataSource.query(`SELECT count(*)::int AS events FROM helpdesk.outbox WHERE type = 'user.invited' AND aggregate_id = ANY($1::uuid[])`, [
        [accepted.id, withPassword.id, leaver.id],
      ])) as Array<{ events: number }>;
      expect(outbox!.events).toBe(2);
    });

    it('refuses with CONFLICT for a customer who was never invited (created as a requester)', async () => {
      const requesterEmail = uniqueEmail('requester');
      await harness.send(subjects.tickets.create, { principal: admin, subject: 'Phoned in', description: 'By phone', requesterEmail });
      const [requester] = (await harness.dataSource.query('SELECT id FROM helpdesk.users WHERE email = $1', [requesterEmail])) as Array<{ id: string }>;

      expect(await harness.fail(subjects.users.resendInvitation, { principal: admin, userId: requester!.id })).toMatchObject({ code: 'CONFLICT', message: NOT_INVITED });
    });

    it("clears the pending date when the invitee sets a password by a reset instead, and lists it meanwhile", async () => {
      const invited = await invite({ name: 'Reset Instead', email: uniqueEmail('reset') });
      const listed = await harness.send<Page<UserView>>(subjects.users.list, { principal: admin, q: invited.email });
      expect(listed.items).toEqual([invited]);

      const link = await harness.send<IssuedLinkToken>(subjects.auth.issuePasswordResetLink, { userId: invited.id, requestId: randomUUID() });
      await harness.send(subjects.auth.confirmPasswordReset, { token: link.token, password: PASSWORD });

      expect((await harness.send<Page<UserView>>(subjects.users.list, { principal: admin, q: invited.email })).items).toEqual([{ ...invited, invitationPendingSince: null }]);
      expect(await harness.fail(subjects.users.resendInvitation, { principal: admin, userId: invited.id })).toMatchObject({ code: 'CONFLICT', message: ALREADY_ACCEPTED });
    });

    it("refuses agents and customers, answers NOT_FOUND for another organization's invitee or an unknown id, and sends nothing", async () => {
      const invited = await invite({ name: 'Guarded', email: uniqueEmail('guarded') });
      const foreign = await invite({ name: 'Foreign', email: uniqueEmail('foreign') }, outsider);

      for (const principal of [agent, customer]) expect(await harness.fail(subjects.users.resendInvitation, { principal, userId: invited.id })).toMatchObject({ code: 'FORBIDDEN' });
      expect(await harness.fail(subjects.users.resendInvitation, { principal: admin, userId: foreign.id })).toMatchObject({ code: 'NOT_FOUND' });
      expect(await harness.fail(subjects.users.resendInvitation, { principal: admin, userId: randomUUID() })).toMatchObject({ code: 'NOT_FOUND' });
      const [outbox] = (await harness.dataSource.query(`SELECT count(*)::int AS events FROM helpdesk.outbox WHERE type = 'user.invited' AND aggregate_id = ANY($1::uuid[])`, [
        [invited.id, foreign.id],
      ])) as Array<{ events: number }>;
      expect(outbox!.events).toBe(2);
    });
  });

  describe('authorization and tenancy', () => {
    it('refuses every user change to agents and customers, and the list to customers', async () => {
      const target = await harness.addUser(admin.orgId, 'customer');
      expect(await harness.fail(subjects.users.list, { principal: customer })).toMatchObject({ code: 'FORBIDDEN' });
      expect(await harness.fail(subjects.users.list, { principal: customer, ids: [agent.userId] })).toMatchObject({ code: 'FORBIDDEN' });
      for (const principal of [agent, customer]) {
        expect(await harness.fail(subjects.users.invite, { principal, name: 'Mallory', email: uniqueEmail('mallory'), role: 'admin' })).toMatchObject({ code: 'FORBIDDEN' });
        expect(await harness.fail(subjects.users.update, { principal, userId: principal.userId, changes: { role: 'admin' } })).toMatchObject({ code: 'FORBIDDEN' });
        expect(await harness.fail(subjects.users.deactivate, { principal, userId: target.userId })).toMatchObject({ code: 'FORBIDDEN' });
      }
    });

    it('answers not found for another organization\'s users, and leaves them unchanged', async () => {
      const foreign = await harness.addUser(outsider.orgId, 'agent');
      expect(await harness.fail(subjects.users.update, { principal: admin, userId: foreign.userId, changes: { role: 'admin' } })).toMatchObject({ code: 'NOT_FOUND' });
      expect(await harness.fail(subjects.users.deactivate, { principal: admin, userId: foreign.userId })).toMatchObject({ code: 'NOT_FOUND' });
      const theirs = await harness.send<Page<UserView>>(subjects.users.list, { principal: outsider, role: 'agent', limit: 100 });
      expect(theirs.items.find((user) => user.id === foreign.userId)).toMatchObject({ role: 'agent', active: true });
    });
  });
});
