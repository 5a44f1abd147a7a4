import type { EventEnvelope, NotificationContextReply, NotificationRecipient } from '@helpdesk/contracts';
import { describe, expect, it } from 'vitest';
import { mailContextRequest, planMails } from './mail-planner.js';

const requester: NotificationRecipient = { id: 'u-customer', email: 'carla@example.com', name: 'Carla', role: 'customer', active: true, notificationPreferences: {} };
const agent: NotificationRecipient = { id: 'u-agent', email: 'ann@example.com', name: 'Ann', role: 'agent', active: true, notificationPreferences: {} };
const context = (overrides: Partial<NotificationRecipient> = {}): NotificationContextReply => ({
  organization: { id: 'org', name: 'Acme' },
  ticket: { id: 't1', number: 7, subject: 'Printer', status: 'open', requesterId: requester.id, assigneeId: null },
  requester: { ...requester, ...overrides },
  author: agent,
});
const event = (type: EventEnvelope['type'], data: object): EventEnvelope => ({
  id: 'e1',
  type,
  version: 1,
  occurredAt: '2026-11-29T09:00:00.000Z',
  orgId: 'org',
  aggregateId: 't1',
  actor: { userId: agent.id, role: 'agent' },
  data: data as Record<string, unknown>,
});
const comment = (internal: boolean, authorRole: 'agent' | 'customer' = 'agent', authorId = agent.id) =>
  event('comment.created', { comment: { id: 'c1', body: '<p>Hi</p>', internal, authorId }, ticket: { id: 't1' }, authorRole });
const settings = { appBaseUrl: 'https://help.example.test/' };

describe('mail planning', () => {
  it('confirms a new ticket to its requester', () => {
    const created = event('ticket.created', { ticket: { id: 't1' } });
    expect(mailContextRequest(created)).toEqual({ orgId: 'org', ticketId: 't1' });
    expect(planMails(created, context(), settings).map((mail) => [mail.template, mail.to.email])).toEqual([['ticket-created', 'carla@example.com']]);
  });

  it("mails a staff member's public reply to the requester, linking to the ticket", () => {
    const [mail] = planMails(comment(false), context(), settings);
    expect(mail).toMatchObject({ template: 'agent-reply', to: { email: 'carla@example.com' } });
    expect(mail!.rendered.text).toContain('https://help.example.test/tickets/t1');
    expect(mail!.rendered.text).toContain('Ann (Acme) replied');
  });

  it('never plans a mail for an internal note, not even when asked directly', () => {
    expect(mailContextRequest(comment(true))).toBeUndefined();
    expect(planMails(comment(true), context(), settings)).toEqual([]);
  });

  it("sends nothing for a customer's own comment", () => {
    expect(mailContextRequest(comment(false, 'customer', requester.id))).toBeUndefined();
  });

  it('respects preferences turned off and inactive accounts, and treats a missing preference as on', () => {
    const created = event('ticket.created', { ticket: { id: 't1' } });
    expect(planMails(created, context({ notificationPreferences: { ticketCreated: false } }), settings)).toEqual([]);
    expect(planMails(comment(false), context({ notificationPreferences: { agentReply: false } }), settings)).toEqual([]);
    expect(planMails(created, context({ notificationPreferences: { agentReply: false } }), settings)).toHaveLength(1);
    expect(planMails(created, context({ active: false }), settings)).toEqual([]);
  });

  it('asks for nothing on events that send no mail yet', () => {
    expect(mailContextRequest(event('ticket.updated', { ticket: { id: 't1' }, changes: {} }))).toBeUndefined();
  });
});
