import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjects, type Principal, type TicketView } from '@helpdesk/contracts';
import { waitFor } from '@helpdesk/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { AiProxyHarness } from '../../../ai-proxy/src/testing/ai-proxy-harness.js';
import { TicketHarness } from '../testing/ticket-harness.js';

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

  it('creates tickets while the AI proxy is down, and triages them once it is back', async () => {
    const ticket = await ticketService.send<TicketView>(subjects.tickets.create, {
      principal: customer,
      subject: 'Charged twice',
      description: '<p>I was charged twice for my subscription this month. Please refund the duplicate payment.</p>',
    });
    expect(ticket.status).toBe('new');
    expect((await staffView(ticket.id)).aiTriage).toBeNull();

    proxy = await AiProxyHarness.start(ticketService.nats.url, { QUEUE_PREFIX: ticketService.config.QUEUE_PREFIX });
    // The job failed while no ai-proxy answered and is retried with backoff.
    await waitFor('the triage to be stored', async () => (await staffView(ticket.id)).aiTriage ?? undefined, 45_000);

    const stored = await staffView(ticket.id);
    expect(stored.aiTriage).toMatchObject({ provider: 'offline', category: { value: 'billing' }, language: { value: 'en' } });
    expect(stored.aiTriage!.category.confidence).toBeGreaterThan(0);
    expect(Date.parse(stored.aiTriage!.triagedAt)).not.toBeNaN();
    // A suggestion is not an edit: the version (If-Match) is unchanged.
    expect(stored.version).toBe(ticket.version);
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

  it('triages a job queued before jobs carried the ticket text, as after an upgrade, by reading the ticket', async () => {
    const ticket = await ticketService.send<TicketView>(subjects.tickets.create, { principal: customer, subject: 'Refund please', description: 'I was charged twice, please refund the duplicate payment.' });
    await waitFor('the triage of the new ticket', async () => (await staffView(ticket.id)).aiTriage ?? undefined, 30_000);
    await ticketService.dataSource.query('UPDATE helpdesk.tickets SET ai_triage = NULL WHERE id = $1', [ticket.id]);

    const connection = new Redis(ticketService.config.REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue('ai-triage', { connection, prefix: ticketService.config.QUEUE_PREFIX });
    try {
      await queue.add('triage', { orgId: admin.orgId, ticketId: ticket.id }, { jobId: `legacy-${ticket.id}`, removeOnComplete: true });
      await waitFor('the legacy job to store the triage', async () => (await staffView(ticket.id)).aiTriage ?? undefined, 30_000);
    } finally {
      await queue.close();
      connection.disconnect();
    }
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
