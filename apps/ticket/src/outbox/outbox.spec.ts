import { subjects, type Principal, type TicketView } from '@helpdesk/contracts';
import { waitFor } from '@helpdesk/testing';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../testing/ticket-harness.js';
import { DomainEvents } from './domain-events.js';
import { OutboxRelay } from './outbox-relay.service.js';

describe('domain events through the transactional outbox', () => {
  let harness: TicketHarness;
  let admin: Principal;

  beforeAll(async () => {
    harness = await TicketHarness.start('outbox');
    ({ admin } = await harness.signup());
  });

  afterAll(() => harness?.stop());

  const pendingCount = async () => Number(((await harness.dataSource.query('SELECT count(*) AS n FROM helpdesk.outbox WHERE published_at IS NULL')) as Array<{ n: string }>)[0]!.n);

  it('publishes each change to HELPDESK_EVENTS with the envelope and Nats-Msg-Id = event id', async () => {
    const ticket = await harness.send<TicketView>(subjects.tickets.create, { principal: admin, subject: 'Badge reader broken', description: 'At the back door' });
    const event = await waitFor('ticket.created in the stream', async () => (await harness.storedEvents()).find((stored) => stored.envelope.aggregateId === ticket.id), 10_000);
    expect(event.envelope).toMatchObject({ type: 'ticket.created', version: 1, orgId: admin.orgId, actor: { userId: admin.userId, role: 'admin' }, data: { ticket: { number: ticket.number, subject: 'Badge reader broken' } } });
    expect(event.envelope.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    expect(event.msgId).toBe(event.envelope.id);
    expect(JSON.stringify(event.envelope.data)).not.toContain('At the back door');
  });

  it('emits updated, assigned and status_changed for one change, in order', async () => {
    const ticket = await harness.send<TicketView>(subjects.tickets.create, { principal: admin, subject: 'Order test', description: 'x' });
    await harness.send(subjects.tickets.update, { principal: admin, ticketId: ticket.id, changes: { assigneeId: admin.userId, status: 'open' } });
    const types = await waitFor('three events for the update', async () => {
      const events = (await harness.storedEvents()).filter((stored) => stored.envelope.aggregateId === ticket.id).map((stored) => stored.envelope.type);
      return events.length === 4 ? events : undefined;
    });
    expect(types).toEqual(['ticket.created', 'ticket.updated', 'ticket.assigned', 'ticket.status_changed']);
  });

  describe('with the background relay stopped', () => {
    let relay: OutboxRelay;
    beforeAll(async () => {
      relay = harness.service.app.get(OutboxRelay);
      await relay.stop();
      await relay.publishBatch();
    });

    it('publishes every event exactly once when the relay dies between publishing and marking', async () => {
      const created = await Promise.all(
        Array.from({ length: 5 }, (_, index) => harness.send<TicketView>(subjects.tickets.create, { principal: admin, subject: `Crash test ${index}`, description: 'x' })),
      );
      expect(await pendingCount()).toBe(5);
      await expect(relay.publishBatch({ beforeCommit: async () => Promise.reject(new Error('killed before commit')) })).rejects.toThrow('killed before commit');
      expect(await pendingCount()).toBe(5);
      await relay.publishBatch();
      expect(await pendingCount()).toBe(0);
      const stored = (await harness.storedEvents()).filter((event) => created.some((ticket) => ticket.id === event.envelope.aggregateId));
      expect(stored).toHaveLength(5);
      expect(new Set(stored.map((event) => event.envelope.id)).size).toBe(5);
    });

    it('publishes nothing for a transaction that rolled back', async () => {
      const before = (await harness.storedEvents()).length;
      const events = harness.service.app.get(DomainEvents);
      await expect(
        harness.dataSource.transaction(async (manager) => {
          await events.record(manager, { type: 'ticket.updated', orgId: admin.orgId, aggregateId: admin.orgId, actor: { system: 'test' }, data: {} });
          throw new Error('the change failed after its event was written');
        }),
      ).rejects.toThrow('the change failed');
      expect(await pendingCount()).toBe(0);
      await relay.publishBatch();
      expect((await harness.storedEvents()).length).toBe(before);
    });

    it('deletes published events recorded more than OUTBOX_RETENTION_HOURS (168) ago, and never an unpublished one', async () => {
      const recordedHoursAgo = (hours: number) => uuidv7({ msecs: Date.now() - hours * 3_600_000 });
      const insert = (id: string, published: boolean) =>
        harness.dataSource.query(
          `INSERT INTO helpdesk.outbox (id, organization_id, aggregate_id, type, envelope, attempts, published_at)
           VALUES ($1, $2, $2, 'ticket.updated', '{}'::jsonb, 1, CASE WHEN $3 THEN now() END)`,
          [id, admin.orgId, published],
        );
      const expired = [recordedHoursAgo(240), recordedHoursAgo(169)];
      const kept = [recordedHoursAgo(167), recordedHoursAgo(1)];
      const oldButPending = recordedHoursAgo(300);
      for (const id of [...expired, ...kept]) await insert(id, true);
      await insert(oldButPending, false);
      try {
        const rowsBefore = Number(((await harness.dataSource.query('SELECT count(*) AS n FROM helpdesk.outbox')) as Array<{ n: string }>)[0]!.n);

        expect(await relay.purgePublished()).toBe(expired.length);

        const remaining = ((await harness.dataSource.query('SELECT id FROM helpdesk.outbox WHERE id = ANY($1)', [[...expired, ...kept, oldButPending]])) as Array<{ id: string }>).map((row) => row.id);
        expect(remaining.sort()).toEqual([...kept, oldButPending].sort());
        expect(Number(((await harness.dataSource.query('SELECT count(*) AS n FROM helpdesk.outbox')) as Array<{ n: string }>)[0]!.n)).toBe(rowsBefore - expired.length);
        // Nothing left to delete: a second pass is a no-op.
        expect(await relay.purgePublished()).toBe(0);
      } finally {
        await harness.dataSource.query('DELETE FROM helpdesk.outbox WHERE id = $1', [oldButPending]);
      }
    });
  });
});
