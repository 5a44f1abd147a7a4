import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjects, type Principal, type TicketView } from '@helpdesk/contracts';
import { waitFor } from '@helpdesk/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { AiProxyHarness } from '../../../ai-proxy/src/testing/ai-proxy-harness.js';
import { TicketHarness } from '../testing/ticket-harness.js';
import { AiTriageQueue } from './ai-triage.queue.js';

describe('AI triage of new tickets', () => {
  let ticketService: TicketHarness;
  let admin: Principal;
  let customer: Principal;
  let proxy: AiProxyHarness | undefined;

  beforeAll(async () => {
    ticketService = await TicketHarness.start('ai_triage');
    ({ admin } = await ticketService.signup());
    customer = await ticketService.addUser(admin.orgId, 'customer');
  });

  afterAll(async () => {
    await proxy?.service.shutdown('test end');
    await ticketService?.stop();
  });

  const staffView = (ticketId: string) => ticketService.send<TicketView>(subjects.tickets.get, { principal: admin, ticketId });
  /** The ticket service's triage queue, as another process (or an earlier version) sees it. */
  const withTriageQueue = async (use: (queue: Queue) => Promise<void>) => {
    const connection = new Redis(ticketService.config.REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue('ai-triage', { connection, prefix: ticketService.config.QUEUE_PREFIX });
    try {
      await use(queue);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  };
  const pendingTriage = async (ticketId: string) =>
    ((await ticketService.dataSource.query('SELECT triage_pending FROM helpdesk.tickets WHERE id = $1', [ticketId])) as Array<{ triage_pending: boolean }>)[0]!.triage_pending;

  it('creates tickets while the AI proxy is down, and triages them once it is back', async () => {
    const ticket = await ticketService.send<TicketView>(subjects.tickets.create, {
      principal: customer,
      subject: 'Charged twice',
      description: '<p>I was charged twice for my subscription this month. Please refund the duplicate payment.</p>',
    });
    expect(ticket.status).toBe('new');
    expect((await staffView(ticket.id)).aiTriage).toBeNull();

    expect(await pendingTriage(ticket.id)).toBe(true);
    await withTriageQueue(async (queue) => {
      const retried = async () => (await queue.getJobs(['delayed', 'wait'])).some((job) => job.attemptsMade > 0);
      await waitFor('the drain to fail and wait for its retry', async () => (await retried()) || undefined, 30_000);
    });
    proxy = await AiProxyHarness.start(ticketService.nats.url, { QUEUE_PREFIX: ticketService.config.QUEUE_PREFIX });
    // The drain failed while no ai-proxy answered and is retried with backoff.
    await waitFor('the triage to be stored', async () => (await staffView(ticket.id)).aiTriage ?? undefined, 45_000);

    const stored = await staffView(ticket.id);
    expect(stored.aiTriage).toMatchObject({ provider: 'offline', category: { value: 'billing' }, language: { value: 'en' } });
    expect(stored.aiTriage!.category.confidence).toBeGreaterThan(0);
    expect(Date.parse(stored.aiTriage!.triagedAt)).not.toBeNaN();
    // A suggestion is not an edit: the version (If-Match) is unchanged.
    expect(stored.version).toBe(ticket.version);
    expect(await pendingTriage(ticket.id)).toBe(false);
  }, 60_000);

  it('stores the triage of a new ticket, shown to staff only', async () => {
    const ticket = await ticketService.send<TicketView>(subjects.tickets.create, {
      principal: customer,
      subject: 'Where is my parcel?',
      description: 'My order has not arrived and the tracking number does not work on the courier website.',
    });
    await waitFor('the triage to be stored', async () => (await staffView(ticket.id)).aiTriage ?? undefined, 30_000);

    expect((await staffView(ticket.id)).aiTriage).toMatchObject({ category: { value: 'shipping' } });
    const own = await ticketService.send<TicketView>(subjects.tickets.get, { principal: customer, ticketId: ticket.id });
    expect(own).not.toHaveProperty('aiTriage');
    const listed = await ticketService.send<{ items: TicketView[] }>(subjects.tickets.list, { principal: customer });
    expect(listed.items.every((item) => !('aiTriage' in item))).toBe(true);
    const events = await ticketService.storedEvents();
    expect(JSON.stringify(events.map((event) => event.envelope))).not.toContain('aiTriage');
  }, 60_000);

  it('triages the tickets created together in batches, each with its own answer', async () => {
    const subjectsAndCategories = [
      ['Refund the duplicate charge', 'I was charged twice for my subscription, please refund the duplicate payment.', 'billing'],
      ['Parcel never arrived', 'My order has not arrived and the tracking number does not work on the courier website.', 'shipping'],
    ] as const;
    const created = await Promise.all(
      Array.from({ length: 60 }, (_, index) => subjectsAndCategories[index % 2]!).map(([subject, description]) => ticketService.send<TicketView>(subjects.tickets.create, { principal: customer, subject, description })),
    );
    await waitFor('all 60 triages to be stored', async () => {
      const [row] = (await ticketService.dataSource.query('SELECT count(*)::int AS count FROM helpdesk.tickets WHERE id = ANY($1) AND ai_triage IS NOT NULL AND NOT triage_pending', [created.map((ticket) => ticket.id)])) as Array<{ count: number }>;
      return row!.count === created.length || undefined;
    }, 45_000);

    const views = await Promise.all(created.map((ticket) => staffView(ticket.id)));
    expect(views.map((view) => view.aiTriage!.category.value)).toEqual(created.map((_, index) => subjectsAndCategories[index % 2]![2]));
  }, 60_000);

  it('stops owing a triage the ai-proxy refuses, and stores the rest of the batch', async () => {
    const refused = await ticketService.send<TicketView>(subjects.tickets.create, { principal: customer, subject: 'Charged twice', description: 'Please refund the duplicate payment.' });
    const accepted = await ticketService.send<TicketView>(subjects.tickets.create, { principal: customer, subject: 'Charged twice again', description: 'Please refund the duplicate payment.' });
    await waitFor('both triages', async () => ((await staffView(refused.id)).aiTriage && (await staffView(accepted.id)).aiTriage) || undefined, 30_000);
    // An empty subject is what the ai-proxy refuses as invalid, whatever the attempt.
    await ticketService.dataSource.query(`UPDATE helpdesk.tickets SET subject = CASE WHEN id = $1 THEN '' ELSE subject END, ai_triage = NULL, triage_pending = true WHERE id IN ($1, $2)`, [refused.id, accepted.id]);

    await ticketService.service.app.get(AiTriageQueue).drain();

    expect(await pendingTriage(refused.id)).toBe(false);
    expect((await staffView(refused.id)).aiTriage).toBeNull();
    expect(await pendingTriage(accepted.id)).toBe(false);
    expect((await staffView(accepted.id)).aiTriage).toMatchObject({ category: { value: 'billing' } });
  }, 60_000);

  it('triages the ticket of a one-ticket job queued by an earlier version, as after an upgrade', async () => {
    const ticket = await ticketService.send<TicketView>(subjects.tickets.create, { principal: customer, subject: 'Refund please', description: 'I was charged twice, please refund the duplicate payment.' });
    await waitFor('the triage of the new ticket', async () => (await staffView(ticket.id)).aiTriage ?? undefined, 30_000);
    // As a ticket of an earlier version: no triage yet, and not marked as owed one.
    await ticketService.dataSource.query('UPDATE helpdesk.tickets SET ai_triage = NULL, triage_pending = false WHERE id = $1', [ticket.id]);

    await withTriageQueue(async (queue) => {
      await queue.add('triage', { orgId: admin.orgId, ticketId: ticket.id }, { jobId: `legacy-${ticket.id}`, removeOnComplete: true });
      await waitFor('the legacy job to store the triage', async () => (await staffView(ticket.id)).aiTriage ?? undefined, 30_000);
    });
    expect((await staffView(ticket.id)).aiTriage).toMatchObject({ category: { value: 'billing' } });
  }, 60_000);

  it('answers training examples from solved tickets tagged with a category, scoped to the organization', async () => {
    const solved = await ticketService.send<TicketView>(subjects.tickets.create, { principal: admin, subject: 'Dark mode please', description: 'Please add a dark theme' });
    await ticketService.send(subjects.tickets.update, { principal: admin, ticketId: solved.id, changes: { status: 'solved', tags: ['ux', 'feature_request'] } });
    await ticketService.send(subjects.tickets.create, { principal: admin, subject: 'Open one', description: 'still open', tags: ['billing'] });

    const { examples } = await ticketService.send<{ examples: Array<{ text: string; category: string }> }>(subjects.ai.trainingExamples, { orgId: admin.orgId });
    expect(examples).toEqual([{ text: 'Dark mode please\nPlease add a dark theme', category: 'feature_request' }]);
    const { admin: other } = await ticketService.signup('Other');
    expect(await ticketService.send(subjects.ai.trainingExamples, { orgId: other.orgId })).toEqual({ examples: [] });
  });
});
