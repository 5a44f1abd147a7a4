import { describe, expect, it } from 'vitest';
import { presenceFor, type PresenceSnapshot } from './presence-view.js';

const TICKET = '0193d6a0-0000-7000-8000-000000000002';
const agent = { userId: 'a-agent', role: 'agent' as const };
const admin = { userId: 'b-admin', role: 'admin' as const };
const customer = { userId: 'c-customer', role: 'customer' as const };

const snapshot = (viewers: PresenceSnapshot['viewers'], typing: PresenceSnapshot['typing'] = []): PresenceSnapshot => ({ viewers, typing });

describe('presenceFor', () => {
  it('shows staff every viewer once, however many tabs, sorted by user', () => {
    const view = presenceFor('agent', TICKET, snapshot([{ ...customer, socketId: '1' }, { ...agent, socketId: '2' }, { ...agent, socketId: '3' }]));
    expect(view).toEqual({ ticketId: TICKET, scope: 'staff', viewers: [agent, customer], typing: [] });
  });

  it('shows staff a typist as writing in public when any of their tabs is', () => {
    const view = presenceFor('admin', TICKET, snapshot([], [{ ...agent, socketId: '1', internal: true }, { ...agent, socketId: '2', internal: false }, { ...admin, socketId: '3', internal: true }]));
    expect(view).toMatchObject({ typing: [{ ...agent, internal: false }, { ...admin, internal: true }] });
  });

  it('tells a customer only whether an agent writes a public reply', () => {
    const viewers = [{ ...agent, socketId: '1' }, { ...customer, socketId: '2' }];
    expect(presenceFor('customer', TICKET, snapshot(viewers))).toEqual({ ticketId: TICKET, scope: 'customer', agentTyping: false });
    expect(presenceFor('customer', TICKET, snapshot(viewers, [{ ...agent, socketId: '1', internal: true }]))).toEqual({ ticketId: TICKET, scope: 'customer', agentTyping: false });
    expect(presenceFor('customer', TICKET, snapshot(viewers, [{ ...customer, socketId: '2', internal: false }]))).toEqual({ ticketId: TICKET, scope: 'customer', agentTyping: false });
    expect(presenceFor('customer', TICKET, snapshot(viewers, [{ ...agent, socketId: '1', internal: false }]))).toEqual({ ticketId: TICKET, scope: 'customer', agentTyping: true });
  });
});
