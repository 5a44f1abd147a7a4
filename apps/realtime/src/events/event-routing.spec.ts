import type { EventEnvelope, EventType } from '@helpdesk/contracts';
import { describe, expect, it } from 'vitest';
import { routeEvent } from './event-routing.js';

const ORG = '0193d6a0-0000-7000-8000-000000000001';
const TICKET = '0193d6a0-0000-7000-8000-000000000002';
const REQUESTER = '0193d6a0-0000-7000-8000-000000000003';

function envelope(type: EventType, data: Record<string, unknown>): EventEnvelope {
  return { id: '0193d6a0-0000-7000-8000-0000000000ff', type, version: 1, occurredAt: new Date().toISOString(), orgId: ORG, aggregateId: TICKET, actor: { system: 'test' }, data };
}

const ticket = { id: TICKET, requesterId: REQUESTER };
const everyone = [`org:${ORG}`, `ticket:${TICKET}`, `user:${REQUESTER}`];
const staffOnly = [`org:${ORG}`];

describe('routeEvent', () => {
  it.each(['ticket.created', 'ticket.updated', 'ticket.assigned', 'ticket.status_changed'] as const)('sends %s to the organization\'s staff, the ticket room and the requester', (type) => {
    expect(routeEvent(envelope(type, { ticket }))).toEqual({ type, rooms: everyone });
  });

  it('sends a change of followers to staff only', () => {
    expect(routeEvent(envelope('ticket.updated', { ticket, changes: { followers: { from: null, to: 'Ann Agent' } } }))?.rooms).toEqual(staffOnly);
    expect(routeEvent(envelope('ticket.updated', { ticket, changes: { participants: { from: null, to: 'dana@example.com' } } }))?.rooms).toEqual(everyone);
  });

  it('sends a change of custom field values to staff only, since customers never see the values', () => {
    const changes = { fields: { product_area: { from: null, to: 'billing' } } };
    expect(routeEvent(envelope('ticket.updated', { ticket, changes }))?.rooms).toEqual(staffOnly);
    expect(routeEvent(envelope('ticket.updated', { ticket, changes: { status: { from: 'new', to: 'open' } } }))?.rooms).toEqual(everyone);
  });

  it('sends a public comment to everyone who may see the ticket', () => {
    expect(routeEvent(envelope('comment.created', { ticket, comment: { internal: false } }))?.rooms).toEqual(everyone);
  });

  it('sends an internal comment, or one whose flag is missing, to staff only', () => {
    expect(routeEvent(envelope('comment.created', { ticket, comment: { internal: true } }))?.rooms).toEqual(staffOnly);
    expect(routeEvent(envelope('comment.created', { ticket, comment: {} }))?.rooms).toEqual(staffOnly);
  });

  it('sends attachments of internal notes to staff only, and others to everyone', () => {
    expect(routeEvent(envelope('attachment.added', { ticket, internal: true }))?.rooms).toEqual(staffOnly);
    expect(routeEvent(envelope('attachment.added', { ticket, internal: false }))?.rooms).toEqual(everyone);
  });

  it.each(['ticket.sla.warning', 'ticket.sla.breached'] as const)('sends %s to staff only', (type) => {
    expect(routeEvent(envelope(type, { ticket, target: 'resolution' }))?.rooms).toEqual(staffOnly);
  });

  it('leaves out the requester room when the event does not name the requester', () => {
    expect(routeEvent(envelope('ticket.status_changed', { ticket: { id: TICKET } }))?.rooms).toEqual([`org:${ORG}`, `ticket:${TICKET}`]);
  });

  it.each(['user.invited', 'auth.password_reset_requested'] as const)('never pushes %s', (type) => {
    expect(routeEvent(envelope(type, { userId: REQUESTER, email: 'someone@example.com' }))).toBeUndefined();
  });
});
