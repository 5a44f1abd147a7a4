import { subjects, type CommentView, type Page, type Principal, type TicketHistoryEntry, type TicketView } from '@helpdesk/contracts';
import { waitFor } from '@helpdesk/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../testing/ticket-harness.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { SlaEnforcer } from './sla-enforcer.js';
import { SlaTimers } from './sla-timers.service.js';

describe('SLA warnings and breaches', () => {
  let harness: TicketHarness;
  let admin: Principal;
  let enforcer: SlaEnforcer;

  beforeAll(async () => {
    harness = await TicketHarness.start('sla');
    ({ admin } = await harness.signup());
    enforcer = harness.service.app.get(SlaEnforcer);
  });

  afterAll(() => harness?.stop());

  /** Moves a ticket's clock into the past, as if the minutes had gone by. */
  const age = (ticketId: string, assignments: string) => harness.dataSource.query(`UPDATE helpdesk.tickets SET ${assignments} WHERE id = $1`, [ticketId]);
  const open = (subject: string) => harness.send<TicketView>(subjects.tickets.create, { principal: admin, subject, description: 'x' });
  const eventsOf = async (ticketId: string) => (await harness.storedEvents()).filter((event) => event.envelope.aggregateId === ticketId).map((event) => event.envelope);

  it('records a first-response breach once, with history and one event, however often it is checked', async () => {
    const ticket = await open('Nobody answered');
    await age(ticket.id, `first_response_warning_at = now() - interval '2 hours', first_response_due_at = now() - interval '1 minute'`);
    const fired = await Promise.all([enforcer.check(ticket.id), enforcer.check(ticket.id), enforcer.sweep()]);
    expect(fired.reduce((sum, count) => sum + count, 0)).toBe(1);
    const breached = await waitFor('the breach event', async () => (await eventsOf(ticket.id)).find((event) => event.type === 'ticket.sla.breached'));
    expect(breached).toMatchObject({ actor: { system: 'sla' }, data: { target: 'first_response', ticket: { number: ticket.number } } });
    expect((await eventsOf(ticket.id)).filter((event) => event.type.startsWith('ticket.sla.'))).toHaveLength(1);
    const { items: history } = await harness.send<Page<TicketHistoryEntry>>(subjects.tickets.history, { principal: admin, ticketId: ticket.id });
    expect(history.map((entry) => entry.action)).toContain('sla.breached');
    const list = await harness.send<Page<TicketView>>(subjects.tickets.list, { principal: admin, breached: true });
    expect(list.items.map((item) => item.id)).toEqual([ticket.id]);
  });

  it('counts each breach once on /metrics by target, and no warning', async () => {
    const scrapeBreaches = async (target: string) => {
      const text = await (await fetch(`http://127.0.0.1:${harness.service.metricsPort}/metrics`)).text();
      return Number(new RegExp(`^helpdesk_sla_breaches_total\\{target="${target}",service="ticket"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    };
    const before = await scrapeBreaches('resolution');
    const ticket = await open('Never solved');
    await age(ticket.id, `resolution_warning_at = now() - interval '2 hours', resolution_due_at = now() - interval '1 minute'`);
    expect(await enforcer.check(ticket.id)).toBe(1);
    expect(await enforcer.check(ticket.id)).toBe(0);
    expect(await scrapeBreaches('resolution')).toBe(before + 1);
  });

  it('warns once at 80% and not again', async () => {
    const ticket = await open('Getting close');
    await age(ticket.id, `first_response_warning_at = now() - interval '1 minute', first_response_due_at = now() + interval '1 hour'`);
    expect(await enforcer.check(ticket.id)).toBe(1);
    expect(await enforcer.check(ticket.id)).toBe(0);
    const warning = await waitFor('the warning event', async () => (await eventsOf(ticket.id)).find((event) => event.type === 'ticket.sla.warning'));
    expect(warning.data).toMatchObject({ target: 'first_response' });
  });

  it('does not breach first response once an agent has replied publicly', async () => {
    const ticket = await open('Answered in time');
    await harness.send(subjects.comments.create, { principal: admin, ticketId: ticket.id, body: 'On it!' });
    await age(ticket.id, `first_response_due_at = now() - interval '1 minute'`);
    expect(await enforcer.check(ticket.id)).toBe(0);
  });

  it('an internal note does not count as the first response', async () => {
    const ticket = await open('Only internal chatter');
    await harness.send(subjects.comments.create, { principal: admin, ticketId: ticket.id, body: 'Looks like the VPN again', internal: true });
    await age(ticket.id, `first_response_due_at = now() - interval '1 minute'`);
    expect(await enforcer.check(ticket.id)).toBe(1);
  });

  it('does not breach resolution while the ticket waits on the customer, and moves the due time when it resumes', async () => {
    const ticket = await open('Waiting for logs');
    await harness.send(subjects.comments.create, { principal: admin, ticketId: ticket.id, body: 'Please send logs' });
    await harness.send(subjects.tickets.update, { principal: admin, ticketId: ticket.id, changes: { status: 'pending' } });
    await age(ticket.id, `resolution_due_at = now() - interval '1 minute', sla_paused_at = now() - interval '3 days'`);
    expect(await enforcer.check(ticket.id)).toBe(0);
    const resumed = await harness.send<TicketView>(subjects.tickets.update, { principal: admin, ticketId: ticket.id, changes: { status: 'open' } });
    expect(new Date(resumed.resolutionDueAt!).getTime()).toBeGreaterThan(Date.now());
  });

  it('pauses resolution from the moment the ticket goes pending: the paused business minutes and the moved due times are exact', async () => {
    const { admin: desk } = await harness.signup('Pause Desk');
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const everyDay = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((weekday) => [weekday, [{ start: '09:00', end: '17:00' }]]));
    // The pause ends in holidays, so its business minutes do not depend on when the test runs: 16:00-17:00 two days ago.
    await harness.send(subjects.organizations.update, { principal: desk, changes: { timezone: 'UTC', businessHours: everyDay, holidays: [day(-1), day(0), day(1)] } });
    const ticket = await harness.send<TicketView>(subjects.tickets.create, { principal: desk, subject: 'Waiting for the customer', description: 'x' });
    await harness.send(subjects.tickets.update, { principal: desk, ticketId: ticket.id, changes: { status: 'open' } });

    const before = Date.now();
    await harness.send(subjects.tickets.update, { principal: desk, ticketId: ticket.id, changes: { status: 'pending' } });
    const after = Date.now();
    const [paused] = (await harness.dataSource.query('SELECT sla_paused_at FROM helpdesk.tickets WHERE id = $1', [ticket.id])) as Array<{ sla_paused_at: Date | null }>;
    expect(paused!.sla_paused_at?.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(paused!.sla_paused_at?.getTime()).toBeLessThanOrEqual(after);
    // As if the ticket had gone pending at 16:00 two days ago, with due times three days ahead.
    await age(
      ticket.id,
      `sla_paused_at = '${day(-2)}T16:00:00Z', resolution_warning_at = '${day(3)}T09:30:00Z', resolution_due_at = '${day(3)}T10:00:00Z'`,
    );
    const resumed = await harness.send<TicketView>(subjects.tickets.update, { principal: desk, ticketId: ticket.id, changes: { status: 'open' } });

    const [clock] = (await harness.dataSource.query('SELECT sla_paused_minutes, sla_paused_at, resolution_warning_at FROM helpdesk.tickets WHERE id = $1', [ticket.id])) as Array<{
      sla_paused_minutes: number;
      sla_paused_at: Date | null;
      resolution_warning_at: Date;
    }>;
    expect(clock).toEqual({ sla_paused_minutes: 60, sla_paused_at: null, resolution_warning_at: new Date(`${day(3)}T10:30:00Z`) });
    expect(resumed.resolutionDueAt).toBe(`${day(3)}T11:00:00.000Z`);
  });

  it('runs the next-response clock: set by the customer writing again after an agent reply, warned, breached, and met by the next public agent reply only', async () => {
    const { admin: desk } = await harness.signup('Follow-up Desk');
    const customer = await harness.addUser(desk.orgId, 'customer');
    await harness.send(subjects.slaPolicies.create, { principal: desk, name: 'Normal with follow-up', priority: 'normal', firstResponseMinutes: 240, nextResponseMinutes: 60, resolutionMinutes: 2880, businessHoursOnly: false });
    const ticket = await harness.send<TicketView>(subjects.tickets.create, { principal: customer, subject: 'Still broken', description: 'x' });
    const reply = (principal: Principal, body: string, internal = false) => harness.send<CommentView>(subjects.comments.create, { principal, ticketId: ticket.id, body, internal });
    const clock = async () =>
      ((await harness.dataSource.query('SELECT next_response_due_at, next_response_warned_at, next_response_breached_at FROM helpdesk.tickets WHERE id = $1', [ticket.id])) as Array<{
        next_response_due_at: Date | null;
        next_response_warned_at: Date | null;
        next_response_breached_at: Date | null;
      }>)[0]!;
    const slaEvents = async () => (await eventsOf(ticket.id)).filter((event) => event.type.startsWith('ticket.sla.')).map((event) => [event.type, (event.data as { target: string }).target]);

    await reply(customer, 'Any news?');
    expect((await clock()).next_response_due_at).toBeNull();
    await reply(desk, 'Looking into it.');
    const followUp = await reply(customer, 'It happened again.');
    const viewed = await harness.send<TicketView>(subjects.tickets.get, { principal: desk, ticketId: ticket.id });
    expect(viewed.nextResponseDueAt).toBe(new Date(new Date(followUp.createdAt).getTime() + 60 * 60_000).toISOString());

    // The service's own minute sweep may record a mark before this check does: what counts is that each is recorded once.
    await age(ticket.id, `next_response_warning_at = now() - interval '1 minute'`);
    await enforcer.check(ticket.id);
    expect((await clock()).next_response_warned_at).toBeInstanceOf(Date);
    const dueBeforeNote = (await clock()).next_response_due_at;
    await reply(desk, 'Probably the VPN again', true);
    expect((await clock()).next_response_due_at).toEqual(dueBeforeNote);
    await age(ticket.id, `next_response_due_at = now() - interval '1 minute'`);
    await enforcer.check(ticket.id);
    expect(await enforcer.check(ticket.id)).toBe(0);
    const breached = await clock();
    expect(breached.next_response_warned_at).toBeInstanceOf(Date);
    expect(breached.next_response_breached_at).toBeInstanceOf(Date);
    await waitFor('the warning and the breach in the stream', async () => ((await slaEvents()).length === 2 ? true : undefined));
    expect(await slaEvents()).toEqual([
      ['ticket.sla.warning', 'next_response'],
      ['ticket.sla.breached', 'next_response'],
    ]);

    await reply(desk, 'Fixed: the VPN certificate was renewed.');
    const met = await clock();
    expect(met.next_response_due_at).toBeNull();
    expect(await enforcer.check(ticket.id)).toBe(0);
  });

  it('a scheduled timer fires through the queue and records the breach', async () => {
    const ticket = await open('Timer on the queue');
    await age(ticket.id, `first_response_warning_at = now() - interval '2 hours', first_response_due_at = now() - interval '1 second'`);
    const stored = await harness.dataSource.manager.findOneByOrFail(Ticket, { id: ticket.id });
    await harness.service.app.get(SlaTimers).schedule(stored);
    const breached = await waitFor('the timer to record the breach', async () => {
      const [row] = (await harness.dataSource.query('SELECT first_response_breached_at FROM helpdesk.tickets WHERE id = $1', [ticket.id])) as Array<{ first_response_breached_at: Date | null }>;
      return row?.first_response_breached_at ?? undefined;
    });
    expect(breached).toBeInstanceOf(Date);
  });

  it('each timer schedules the next one: the warning and then the breach fire through the queue, and the resolution warning waits', async () => {
    const ticket = await open('Timers in a chain');
    await age(
      ticket.id,
      `first_response_warning_at = now() + interval '300 milliseconds', first_response_due_at = now() + interval '900 milliseconds',
       resolution_warning_at = now() + interval '1 day', resolution_due_at = now() + interval '2 days'`,
    );
    const stored = await harness.dataSource.manager.findOneByOrFail(Ticket, { id: ticket.id });
    await harness.service.app.get(SlaTimers).schedule(stored);
    const marks = await waitFor('the warning and then the breach', async () => {
      const [row] = (await harness.dataSource.query('SELECT first_response_warned_at, first_response_breached_at FROM helpdesk.tickets WHERE id = $1', [ticket.id])) as Array<{
        first_response_warned_at: Date | null;
        first_response_breached_at: Date | null;
      }>;
      return row?.first_response_breached_at ? row : undefined;
    });
    expect(marks.first_response_warned_at!.getTime()).toBeLessThan(marks.first_response_breached_at!.getTime());
    const connection = new Redis(harness.config.REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue('sla-timers', { connection, prefix: harness.config.QUEUE_PREFIX });
    try {
      const waiting = (await queue.getDelayed()).map((job) => job.id);
      expect(waiting).toContain(`${ticket.id}-${stored.resolutionWarningAt!.getTime()}`);
      expect(waiting).not.toContain(`${ticket.id}-${stored.resolutionDueAt!.getTime()}`);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it('the sweep catches breaches whose timers were lost', async () => {
    const ticket = await open('Timer lost in a restart');
    await age(ticket.id, `resolution_warning_at = now() - interval '2 hours', resolution_due_at = now() - interval '5 minutes'`);
    expect(await enforcer.sweep()).toBeGreaterThanOrEqual(1);
    const [row] = (await harness.dataSource.query('SELECT resolution_breached_at FROM helpdesk.tickets WHERE id = $1', [ticket.id])) as Array<{ resolution_breached_at: Date | null }>;
    expect(row!.resolution_breached_at).not.toBeNull();
  });
});
