import type { EventEnvelope, NotificationContextReply, NotificationRecipient, NotificationUserContextReply } from '@helpdesk/contracts';
import { describe, expect, it } from 'vitest';
import { mailContextRequest, planAccountMails, planTicketMails, type PlannedMail } from './mail-planner.js';

const person = (id: string, role: NotificationRecipient['role'], overrides: Partial<NotificationRecipient> = {}): NotificationRecipient => ({
  id,
  email: `${id}@example.com`,
  name: id,
  role,
  active: true,
  notificationPreferences: {},
  bouncing: false,
  ...overrides,
});
const requester = person('carla', 'customer');
const ann = person('ann', 'agent');
const bob = person('bob', 'agent');
const ada = person('ada', 'admin');

const context = (overrides: Partial<NotificationContextReply> = {}): NotificationContextReply => ({
  organization: { id: 'org', name: 'Acme', emailVerified: true },
  ticket: { id: 't1', number: 7, subject: 'Printer', status: 'open', requesterId: requester.id, assigneeId: null, teamId: null },
  requester,
  teamMembers: [],
  admins: [ada],
  ...overrides,
});
const event = (type: EventEnvelope['type'], data: object, actor: EventEnvelope['actor'] = { userId: ann.id, role: 'agent' }): EventEnvelope => ({
  id: 'e1',
  type,
  version: 1,
  occurredAt: '2026-11-29T09:00:00.000Z',
  orgId: 'org',
  aggregateId: 't1',
  actor,
  data: data as Record<string, unknown>,
});
const comment = (internal: boolean, authorRole: 'agent' | 'customer', authorId: string) =>
  event('comment.created', { comment: { id: 'c1', body: '<p>Hi</p>', internal, authorId }, ticket: { id: 't1' }, authorRole }, { userId: authorId, role: authorRole });
const settings = { appBaseUrl: 'https://help.example.test/' };
const sent = (mails: PlannedMail[]) => mails.map((mail) => [mail.template, mail.to.id]);
const plan = (planned: EventEnvelope, reply: NotificationContextReply) => sent(planTicketMails(planned, reply, settings));

describe('mail planning', () => {
  describe('a new ticket', () => {
    const created = (actor: EventEnvelope['actor'] = { userId: requester.id, role: 'customer' }) => event('ticket.created', { ticket: { id: 't1' } }, actor);

    it('confirms it to the requester and tells the team, with one command that also asks for the team and admins', () => {
      expect(mailContextRequest(created())).toEqual({ kind: 'ticket', command: { orgId: 'org', ticketId: 't1', staffContacts: true } });
      expect(plan(created(), context({ teamMembers: [ann, bob] }))).toEqual([
        ['ticket-created', 'carla'],
        ['new-ticket', 'ann'],
        ['new-ticket', 'bob'],
      ]);
    });

    it('tells the admins when the ticket has no team, or nobody active in it', () => {
      expect(plan(created(), context())).toEqual([
        ['ticket-created', 'carla'],
        ['new-ticket', 'ada'],
      ]);
      expect(plan(created(), context({ teamMembers: [{ ...ann, active: false }] }))).toEqual([
        ['ticket-created', 'carla'],
        ['new-ticket', 'ada'],
      ]);
    });

    it('does not tell the staff member who opened it, nor a staff requester about their own ticket', () => {
      expect(plan(created({ userId: ann.id, role: 'agent' }), context({ teamMembers: [ann, bob] }))).toEqual([
        ['ticket-created', 'carla'],
        ['new-ticket', 'bob'],
      ]);
      expect(plan(created({ userId: ada.id, role: 'admin' }), context({ requester: ada, ticket: { ...context().ticket, requesterId: ada.id } }))).toEqual([['ticket-created', 'ada']]);
    });

    it("born assigned by the team's rule: tells the assignee, naming the rule, and not the rest of the team", () => {
      const bornAssigned = event('ticket.created', { ticket: { id: 't1', assigneeId: bob.id }, assignment: 'round_robin' }, { userId: requester.id, role: 'customer' });
      const reply = context({ teamMembers: [ann, bob], assignee: bob, ticket: { ...context().ticket, assigneeId: bob.id, teamId: 'team' } });
      expect(plan(bornAssigned, reply)).toEqual([
        ['ticket-created', 'carla'],
        ['ticket-assigned', 'bob'],
      ]);
      expect(planTicketMails(bornAssigned, reply, settings)[1]!.rendered.text).toContain('Round-robin assignment assigned ticket #7');
      // Reassigned since (the ticket's assignee is no longer the one born with it): the later ticket.assigned mails the new one.
      expect(plan(bornAssigned, context({ teamMembers: [ann, bob], assignee: ann }))).toEqual([['ticket-created', 'carla']]);
    });

    it('assigned by a creation trigger: tells the assignee, naming the trigger', () => {
      const triggered = event('ticket.created', { ticket: { id: 't1', assigneeId: bob.id }, triggers: [{ id: 'x', name: 'VIPs to Bob' }] }, { userId: requester.id, role: 'customer' });
      const reply = context({ teamMembers: [ann, bob], assignee: bob, ticket: { ...context().ticket, assigneeId: bob.id } });
      expect(plan(triggered, reply)).toEqual([
        ['ticket-created', 'carla'],
        ['ticket-assigned', 'bob'],
      ]);
      expect(planTicketMails(triggered, reply, settings)[1]!.rendered.text).toContain('The trigger "VIPs to Bob" assigned ticket #7');
    });
  });

  it("mails a staff member's public reply to the requester, linking to the ticket", () => {
    expect(mailContextRequest(comment(false, 'agent', ann.id))).toEqual({ kind: 'ticket', command: { orgId: 'org', ticketId: 't1', authorId: ann.id, participants: true, followers: true } });
    const [mail] = planTicketMails(comment(false, 'agent', ann.id), context({ author: ann }), settings);
    expect(mail).toMatchObject({ template: 'agent-reply', to: { id: 'carla' } });
    expect(mail!.rendered.text).toContain('https://help.example.test/tickets/t1');
    expect(mail!.rendered.text).toContain('ann (Acme) replied');
  });

  it("mails a staff member's public reply to the ticket's participants too, each once, without a link they could not open, and numbered for the reply token", () => {
    const dora = person('dora', 'customer');
    const gone = person('gone', 'customer', { active: false });
    const mails = planTicketMails(comment(false, 'agent', ann.id), context({ author: ann, participants: [dora, gone, requester] }), settings);

    expect(sent(mails)).toEqual([
      ['agent-reply', 'carla'],
      ['agent-reply', 'dora'],
    ]);
    expect(mails.map((mail) => mail.ticketNumber)).toEqual([7, 7]);
    expect(mails[1]!.rendered.text).toContain('ann (Acme) replied to the request #7');
    expect(mails[1]!.rendered.text).not.toContain('https://help.example.test/tickets/t1');
    // A participant who is the author is not mailed their own reply.
    expect(plan(comment(false, 'agent', ada.id), context({ author: ada, participants: [ada, dora] }))).toEqual([
      ['agent-reply', 'carla'],
      ['agent-reply', 'dora'],
    ]);
  });

  it("mails a customer's public reply to the assignee only", () => {
    expect(mailContextRequest(comment(false, 'customer', requester.id))).toEqual({ kind: 'ticket', command: { orgId: 'org', ticketId: 't1', authorId: requester.id, participants: false, followers: true } });
    expect(plan(comment(false, 'customer', requester.id), context({ assignee: ann, author: requester, teamMembers: [ann, bob] }))).toEqual([['customer-reply', 'ann']]);
    expect(plan(comment(false, 'customer', requester.id), context({ author: requester }))).toEqual([]);
  });

  it('plans no mail for an internal note but to the followers, and asks for nothing else', () => {
    expect(mailContextRequest(comment(true, 'agent', ann.id))).toEqual({ kind: 'ticket', command: { orgId: 'org', ticketId: 't1', authorId: ann.id, followers: true } });
    expect(planTicketMails(comment(true, 'agent', ann.id), context({ assignee: bob }), settings)).toEqual([]);
    expect(plan(comment(true, 'agent', ann.id), context({ assignee: bob, author: ann, followers: [ann, ada] }))).toEqual([['ticket-followed-update', 'ada']]);
  });

  it('mails an assignment to the new assignee, unless they took the ticket themselves or it moved on since', () => {
    const assigned = (assigneeId: string, actor = ada) => event('ticket.assigned', { ticket: { id: 't1', assigneeId }, previousAssigneeId: null }, { userId: actor.id, role: actor.role });
    expect(mailContextRequest(assigned(ann.id))).toEqual({ kind: 'ticket', command: { orgId: 'org', ticketId: 't1', authorId: ada.id } });
    const [mail] = planTicketMails(assigned(ann.id), context({ assignee: ann, author: ada }), settings);
    expect(mail).toMatchObject({ template: 'ticket-assigned', to: { id: 'ann' } });
    expect(mail!.rendered.text).toContain('ada assigned ticket #7');
    expect(plan(assigned(ann.id, ann), context({ assignee: ann, author: ann }))).toEqual([]);
    expect(plan(assigned(ann.id), context({ assignee: bob }))).toEqual([]);
  });

  it('mails the requester when the ticket is solved, and only then', () => {
    const changed = (to: string) => event('ticket.status_changed', { ticket: { id: 't1' }, from: 'open', to });
    expect(plan(changed('solved'), context())).toEqual([['ticket-solved', 'carla']]);
    expect(plan(changed('pending'), context())).toEqual([]);
  });

  describe("a ticket's followers", () => {
    const followedBy = (...followers: NotificationRecipient[]) => context({ assignee: ann, author: requester, followers });

    it('hear of a comment by someone else once, never of their own, and not twice when the event already mails them', () => {
      expect(plan(comment(false, 'customer', requester.id), followedBy(bob, ann))).toEqual([
        ['customer-reply', 'ann'],
        ['ticket-followed-update', 'bob'],
      ]);
      expect(plan(comment(false, 'agent', bob.id), context({ author: bob, followers: [bob, ada] }))).toEqual([
        ['agent-reply', 'carla'],
        ['ticket-followed-update', 'ada'],
      ]);
    });

    it('quote the comment and say what it was', () => {
      const mails = planTicketMails(comment(true, 'agent', ann.id), context({ author: ann, followers: [bob] }), settings);
      expect(mails).toHaveLength(1);
      expect(mails[0]!.rendered.subject).toBe('Re: [#7] Printer');
      expect(mails[0]!.rendered.text).toContain('ann wrote an internal note on ticket #7 "Printer", which you follow:\n\nHi');
    });

    it('hear of every status change but their own, with who made it', () => {
      const changed = (to: string, actor: NotificationRecipient) => event('ticket.status_changed', { ticket: { id: 't1' }, from: 'open', to }, { userId: actor.id, role: actor.role });
      expect(mailContextRequest(changed('pending', ann))).toEqual({ kind: 'ticket', command: { orgId: 'org', ticketId: 't1', authorId: ann.id, followers: true } });
      const [mail, ...others] = planTicketMails(changed('pending', ann), context({ author: ann, followers: [ann, bob] }), settings);
      expect(others).toEqual([]);
      expect(mail).toMatchObject({ template: 'ticket-followed-update', to: { id: 'bob' }, rendered: { subject: '[#7] Now pending: Printer' } });
      expect(mail!.rendered.text).toContain('ann changed the status of ticket #7 "Printer", which you follow, from open to pending.');
      expect(plan(changed('solved', ann), context({ author: ann, followers: [bob] }))).toEqual([
        ['ticket-solved', 'carla'],
        ['ticket-followed-update', 'bob'],
      ]);
    });

    it('are left out when their preference is off, or when they are not staff or not active', () => {
      const quiet = person('quiet', 'agent', { notificationPreferences: { followedTicket: false } });
      const gone = person('gone', 'agent', { active: false });
      const customer = person('cust', 'customer');
      expect(plan(comment(false, 'customer', requester.id), followedBy(quiet, gone, customer))).toEqual([['customer-reply', 'ann']]);
    });
  });

  it("mails a merged ticket's requester once, naming the target's number but not its subject, unless they merged it themselves or turned solved mails off", () => {
    const merged = (actor: EventEnvelope['actor'] = { userId: ann.id, role: 'agent' }) =>
      event('ticket.merged', { ticket: { id: 't1', number: 7, requesterId: requester.id }, target: { id: 't2', number: 9 } }, actor);
    expect(mailContextRequest(merged())).toEqual({ kind: 'ticket', command: { orgId: 'org', ticketId: 't1' } });
    const [mail, ...others] = planTicketMails(merged(), context(), settings);
    expect(others).toEqual([]);
    expect(mail).toMatchObject({ template: 'ticket-merged', to: { id: 'carla' }, rendered: { subject: 'Merged: [#7] Printer' } });
    expect(mail!.rendered.text).toContain('was merged into request #9');
    expect(plan(merged({ userId: requester.id, role: 'customer' }), context())).toEqual([]);
    expect(plan(merged(), context({ requester: { ...requester, notificationPreferences: { ticketSolved: false } } }))).toEqual([]);
  });

  it('sends SLA warnings and breaches to the assignee, else the team, else the admins', () => {
    const warning = event('ticket.sla.warning', { target: 'first_response', warningAt: '2026-11-29T10:00:00Z', ticket: { id: 't1' } }, { system: 'sla' });
    const breach = event('ticket.sla.breached', { target: 'resolution', dueAt: '2026-11-29T12:00:00Z', ticket: { id: 't1' } }, { system: 'sla' });
    expect(mailContextRequest(warning)).toEqual({ kind: 'ticket', command: { orgId: 'org', ticketId: 't1', staffContacts: true } });
    expect(plan(warning, context({ assignee: ann, teamMembers: [bob] }))).toEqual([['sla-warning', 'ann']]);
    expect(plan(breach, context({ teamMembers: [ann, bob] }))).toEqual([
      ['sla-breached', 'ann'],
      ['sla-breached', 'bob'],
    ]);
    expect(plan(breach, context())).toEqual([['sla-breached', 'ada']]);
    const [mail] = planTicketMails(breach, context(), settings);
    expect(mail!.rendered.subject).toBe('[#7] SLA breached: resolution, Printer');
  });

  it('respects preferences turned off and inactive accounts, and treats a missing preference as on', () => {
    const created = event('ticket.created', { ticket: { id: 't1' } }, { userId: requester.id, role: 'customer' });
    expect(plan(created, context({ requester: { ...requester, notificationPreferences: { ticketCreated: false } }, admins: [{ ...ada, notificationPreferences: { newTicket: false } }] }))).toEqual([]);
    expect(plan(created, context({ requester: { ...requester, notificationPreferences: { agentReply: false } } }))).toHaveLength(2);
    expect(plan(created, context({ requester: { ...requester, active: false }, admins: [] }))).toEqual([]);
    expect(plan(comment(false, 'agent', ann.id), context({ requester: { ...requester, notificationPreferences: { agentReply: false } } }))).toEqual([]);
  });

  it('never sends a staff mail to a customer, even one listed by mistake', () => {
    const breach = event('ticket.sla.breached', { target: 'resolution', ticket: { id: 't1' } }, { system: 'sla' });
    expect(plan(breach, context({ teamMembers: [requester], admins: [] }))).toEqual([]);
  });

  it('plans invitation and reset mails with a link placeholder, whatever the preferences say, and no ticket for a reply token to name', () => {
    const account: NotificationUserContextReply = { organization: { id: 'org', name: 'Acme', emailVerified: true }, user: person('nina', 'agent', { notificationPreferences: { newTicket: false } }) };
    const invited = event('user.invited', { userId: 'nina', email: 'nina@example.com', name: 'nina', role: 'agent', invitedBy: ada.id }, { userId: ada.id, role: 'admin' });
    const reset = event('auth.password_reset_requested', { userId: 'nina', email: 'nina@example.com', name: 'nina', requestId: 'r1' }, { system: 'auth' });
    expect(mailContextRequest(invited)).toEqual({ kind: 'user', command: { orgId: 'org', userId: 'nina' } });

    const [invitation] = planAccountMails(invited, account);
    expect(invitation).toMatchObject({ template: 'invitation', ticketId: null, to: { id: 'nina' }, accountLink: { purpose: 'invitation', userId: 'nina' } });
    expect(invitation!.rendered.text).toContain(invitation!.accountLink!.placeholder);
    expect(invitation!.rendered.html).toContain(`href="${invitation!.accountLink!.placeholder}"`);
    // No ticket number, so EventMails gives it no Reply-To: an answer to an account mail is not a ticket's.
    expect(invitation!.ticketNumber).toBeUndefined();
    expect(planAccountMails(reset, account)).toMatchObject([{ template: 'password-reset', accountLink: { purpose: 'password-reset', userId: 'nina', requestId: 'r1' } }]);
    expect(planAccountMails(reset, { ...account, user: { ...account.user, active: false } })).toEqual([]);
  });

  it('asks for nothing on events that send no mail', () => {
    expect(mailContextRequest(event('ticket.updated', { ticket: { id: 't1' }, changes: {} }))).toBeUndefined();
    expect(mailContextRequest(event('ticket.assigned', { ticket: { id: 't1', assigneeId: null }, previousAssigneeId: ann.id }))).toBeUndefined();
  });

  describe("a workflow rule's notify action", () => {
    const notify = (to: string) =>
      event(
        'ticket.notification_requested',
        { ticket: { id: 't1', number: 7 }, to, subject: 'Heads up on #7', body: '<p>Look <b>now</b></p><script>x()</script>', rule: { kind: 'trigger', id: 'r1', name: 'R' }, chain: { depth: 1, fired: ['r1'] } },
        { system: 'trigger:r1' },
      );

    it('mails the assignee, the requester, the ticket team or one address, whatever their preferences', () => {
      const quiet = { ...ann, notificationPreferences: { ticketAssigned: false, newTicket: false } };
      expect(mailContextRequest(notify('team'))).toEqual({ kind: 'ticket', command: { orgId: 'org', ticketId: 't1', staffContacts: true } });
      expect(mailContextRequest(notify('assignee'))).toEqual({ kind: 'ticket', command: { orgId: 'org', ticketId: 't1' } });
      expect(plan(notify('assignee'), context({ assignee: quiet, ticket: { ...context().ticket, assigneeId: ann.id } }))).toEqual([['rule-notification', 'ann']]);
      expect(plan(notify('requester'), context())).toEqual([['rule-notification', 'carla']]);
      expect(plan(notify('team'), context({ teamMembers: [quiet, bob, { ...ada, active: false }], ticket: { ...context().ticket, teamId: 'team1' } }))).toEqual([
        ['rule-notification', 'ann'],
        ['rule-notification', 'bob'],
      ]);
      expect(plan(notify('oncall@example.com'), context())).toEqual([['rule-notification', 'address:oncall@example.com']]);
    });

    it('mails nobody when the ticket has no assignee or no team', () => {
      expect(plan(notify('assignee'), context())).toEqual([]);
      expect(plan(notify('team'), context({ teamMembers: [bob] }))).toEqual([]);
    });

    it('sends the rule\'s subject and sanitized body, with no reply token for a plain address', () => {
      const [mail] = planTicketMails(notify('oncall@example.com'), context(), settings);
      expect(mail!.ticketNumber).toBeUndefined();
      expect(mail!.to).toMatchObject({ email: 'oncall@example.com', role: 'customer' });
      expect(mail!.rendered.subject).toBe('[#7] Heads up on #7');
      expect(mail!.rendered.html).toContain('<p>Look <b>now</b></p>');
      expect(mail!.rendered.html).not.toContain('script');
      expect(mail!.rendered.text).toContain('Look now');
    });
  });
});
