import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjects, type AiSuggestedReply, type AiSummary, type AiTriage, type Principal, type TicketView } from '@helpdesk/contracts';
import { connect } from '@nats-io/transport-node';
import { waitFor } from '@helpdesk/testing';
import { TicketHarness } from '../../../ticket/src/testing/ticket-harness.js';
import { AiProxyHarness } from '../testing/ai-proxy-harness.js';
import { FakeChatServer } from '../testing/fake-chat-server.js';

const INTERNAL_NOTE = 'Internal: customer is on the legacy plan, do not offer the discount';

describe('AI commands through the ticket service', () => {
  let ticketService: TicketHarness;
  let admin: Principal;
  let agent: Principal;
  let customer: Principal;
  let outsider: Principal;
  let ticket: TicketView;

  beforeAll(async () => {
    ticketService = await TicketHarness.start('ai_commands');
    ({ admin } = await ticketService.signup('Acme'));
    agent = await ticketService.addUser(admin.orgId, 'agent');
    customer = await ticketService.addUser(admin.orgId, 'customer');
    ({ admin: outsider } = await ticketService.signup('Other Org'));
    ticket = await ticketService.send<TicketView>(subjects.tickets.create, {
      principal: customer,
      subject: 'Paket nicht angekommen',
      description: '<p>Meine Bestellung ist seit einer Woche unterwegs. Die Sendungsverfolgung zeigt keinen Fortschritt.</p>',
    });
    await ticketService.send(subjects.comments.create, { principal: agent, ticketId: ticket.id, body: 'We are checking with the courier.' });
    await ticketService.send(subjects.comments.create, { principal: agent, ticketId: ticket.id, body: INTERNAL_NOTE, internal: true });
    await ticketService.send(subjects.comments.create, { principal: customer, ticketId: ticket.id, body: 'Gibt es schon Neuigkeiten zu meinem Paket? Ich warte immer noch auf die Lieferung.' });
  });

  afterAll(async () => {
    await ticketService?.stop();
  });

  describe('with no provider configured (offline)', () => {
    let proxy: AiProxyHarness;

    beforeAll(async () => {
      proxy = await AiProxyHarness.start(ticketService.nats.url, { QUEUE_PREFIX: ticketService.config.QUEUE_PREFIX });
    });

    afterAll(async () => {
      await proxy?.service.shutdown('test end');
    });

    it('triages a ticket text for the ticket service', async () => {
      const triage = await proxy.send<AiTriage>(subjects.ai.triage, { orgId: admin.orgId, subject: 'Refund', text: 'I was charged twice, please refund the duplicate payment' });
      expect(triage).toMatchObject({ provider: 'offline', category: { value: 'billing' }, language: { value: 'en' } });
    });

    it('summarizes the conversation, internal notes included, for staff', async () => {
      const summary = await proxy.send<AiSummary>(subjects.ai.summarize, { principal: agent, ticketId: ticket.id });
      expect(summary.provider).toBe('offline');
      expect(summary.summary.length).toBeGreaterThan(0);
      expect(summary.summary).toMatch(/^(Customer|Agent|Internal note): /m);
    });

    it("suggests a reply in the requester's language, never quoting internal notes", async () => {
      const suggestion = await proxy.send<AiSuggestedReply>(subjects.ai.suggestReply, { principal: admin, ticketId: ticket.id });
      expect(suggestion).toMatchObject({ provider: 'offline', language: 'de' });
      expect(suggestion.reply).toContain('Paket nicht angekommen');
      expect(suggestion.reply).not.toContain('legacy plan');
    });

    it('refuses customers, even on their own ticket', async () => {
      for (const subject of [subjects.ai.summarize, subjects.ai.suggestReply]) {
        expect(await proxy.fail(subject, { principal: customer, ticketId: ticket.id })).toMatchObject({ code: 'FORBIDDEN' });
      }
    });

    it("answers NOT_FOUND for another organization's ticket", async () => {
      for (const subject of [subjects.ai.summarize, subjects.ai.suggestReply]) {
        expect(await proxy.fail(subject, { principal: outsider, ticketId: ticket.id })).toMatchObject({ code: 'NOT_FOUND' });
      }
    });

    it('validates commands at the receiver', async () => {
      expect(await proxy.fail(subjects.ai.summarize, { principal: agent, ticketId: 'not-a-uuid' })).toMatchObject({ code: 'VALIDATION' });
      expect(await proxy.fail(subjects.ai.triage, { orgId: admin.orgId, subject: '', text: 'x' })).toMatchObject({ code: 'VALIDATION' });
      expect(await proxy.fail(subjects.ai.suggestReply, { ticketId: ticket.id })).toMatchObject({ code: 'VALIDATION' });
    });

    it('reads one page of the newest comments, however long the conversation', async () => {
      const { admin: owner } = await ticketService.signup('Long Thread');
      const asker = await ticketService.addUser(owner.orgId, 'customer');
      const thread = await ticketService.send<TicketView>(subjects.tickets.create, { principal: asker, subject: 'Invoice', description: 'My invoice is wrong.' });
      for (let index = 1; index <= 105; index += 1) {
        await ticketService.send(subjects.comments.create, { principal: index % 2 ? owner : asker, ticketId: thread.id, body: `We are still looking into it (${index}).` });
      }
      await ticketService.send(subjects.comments.create, { principal: asker, ticketId: thread.id, body: 'Gibt es schon Neuigkeiten zu meiner Rechnung? Ich warte immer noch auf eine Antwort.' });
      const observer = await connect({ servers: ticketService.nats.url });
      const reads: unknown[] = [];
      const subscription = observer.subscribe(subjects.comments.list, { callback: (_error, message) => void reads.push(message.json()) });
      await observer.flush();

      const suggestion = await proxy.send<AiSuggestedReply>(subjects.ai.suggestReply, { principal: owner, ticketId: thread.id });
      await observer.flush();
      subscription.unsubscribe();
      await observer.close();

      expect(reads).toHaveLength(1);
      expect(suggestion.language).toBe('de');
    });

    it("learns from the organization's resolved tickets that staff tagged with a category", async () => {
      const words = 'The flux capacitor gizmo arrived';
      const before = await proxy.send<AiTriage>(subjects.ai.triage, { orgId: outsider.orgId, subject: 'Gizmo', text: words });
      for (let index = 0; index < 5; index += 1) {
        const solved = await ticketService.send<TicketView>(subjects.tickets.create, { principal: outsider, subject: `Flux capacitor gizmo ${index}`, description: 'flux capacitor gizmo' });
        await ticketService.send(subjects.tickets.update, { principal: outsider, ticketId: solved.id, changes: { status: 'solved', tags: ['feature_request'] } });
      }
      expect(before.category.value).not.toBe('feature_request');
      // A fresh proxy: the organization's classifier is retrained only every few minutes.
      await proxy.service.shutdown('retrain');
      proxy = await AiProxyHarness.start(ticketService.nats.url, { QUEUE_PREFIX: ticketService.config.QUEUE_PREFIX });
      const after = await proxy.send<AiTriage>(subjects.ai.triage, { orgId: outsider.orgId, subject: 'Gizmo', text: words });
      expect(after.category.value).toBe('feature_request');
      // Another organization's labels teach this one nothing.
      const elsewhere = await proxy.send<AiTriage>(subjects.ai.triage, { orgId: admin.orgId, subject: 'Gizmo', text: words });
      expect(elsewhere.category.value).toBe(before.category.value);
    });
  });

  describe('with an external provider', () => {
    let chat: FakeChatServer;
    let proxy: AiProxyHarness;
    // The ticket service's background triage may reach the model at any moment: look past it.
    const lastCommandRequest = () => chat.received.filter((request) => request.body.response_format?.json_schema.name !== 'ticket_triage').at(-1)!;

    // Agents and triage get 50,000 tokens each a day; a request reserves its prompt plus a
    // 20,000-token completion allowance, and may reserve 30,000 at most.
    beforeAll(async () => {
      chat = await FakeChatServer.start();
      proxy = await AiProxyHarness.start(ticketService.nats.url, {
        AI_PROVIDER_URL: chat.url,
        AI_MODEL: 'm',
        QUEUE_PREFIX: ticketService.config.QUEUE_PREFIX,
        AI_DAILY_TOKEN_BUDGET: '100000',
        AI_TRIAGE_BUDGET_SHARE: '0.5',
        AI_MAX_COMPLETION_TOKENS: '20000',
        AI_MAX_REQUEST_TOKENS: '30000',
      });
    });

    const isTriage = (request: { body: { response_format?: { json_schema: { name: string } } } }) => request.body.response_format?.json_schema.name === 'ticket_triage';
    const triageAnswer = JSON.stringify({
      category: { value: 'billing', confidence: 0.9 },
      priority: { value: 'normal', confidence: 0.6 },
      sentiment: { value: 'neutral', confidence: 0.7 },
      language: { value: 'en', confidence: 0.9 },
      tags: [],
    });
    const newTicket = async (principal: Principal, description = '<p>My invoice shows the wrong amount.</p>') =>
      ticketService.send<TicketView>(subjects.tickets.create, { principal, subject: 'Invoice', description });

    afterAll(async () => {
      await proxy?.service.shutdown('test end');
      await chat?.stop();
    });

    it('sends internal notes for a summary (staff only) but never for a reply suggestion', async () => {
      chat.answer((request) => ({ content: request.body.response_format ? JSON.stringify({ reply: 'Hallo, wir prüfen das.', language: 'de' }) : 'The parcel is late; the courier is being asked.' }));
      const summary = await proxy.send<AiSummary>(subjects.ai.summarize, { principal: agent, ticketId: ticket.id });
      expect(summary).toEqual({ provider: 'openai-compatible', model: 'm', summary: 'The parcel is late; the courier is being asked.' });
      expect(JSON.stringify(lastCommandRequest().body.messages)).toContain('legacy plan');

      const suggestion = await proxy.send<AiSuggestedReply>(subjects.ai.suggestReply, { principal: agent, ticketId: ticket.id });
      expect(suggestion).toEqual({ provider: 'openai-compatible', model: 'm', reply: 'Hallo, wir prüfen das.', language: 'de' });
      const sent = JSON.stringify(lastCommandRequest().body.messages);
      expect(sent).toContain('Gibt es schon Neuigkeiten');
      expect(sent).not.toContain('legacy plan');
    });

    it('answers exactly the parallel summaries that fit the agents\' share and refuses the rest with QUOTA_EXCEEDED', async () => {
      const { admin: owner } = await ticketService.signup('Parallel Summaries');
      const target = await newTicket(owner);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      chat.answer((request) => (isTriage(request) ? { content: triageAnswer } : { content: 'A summary.', usage: { prompt_tokens: 300, completion_tokens: 50 }, until: gate }));
      const before = chat.received.filter((request) => !isTriage(request)).length;

      const refused: Array<{ code: string; message: string; details?: unknown }> = [];
      const requests = Array.from({ length: 5 }, () =>
        proxy.send<AiSummary>(subjects.ai.summarize, { principal: owner, ticketId: target.id }).catch((error: { code: string; message: string; details?: unknown }) => (refused.push(error), null)),
      );
      await waitFor('two summaries at the provider and three refused', async () => chat.received.filter((request) => !isTriage(request)).length - before === 2 && refused.length === 3);
      const reserved = await proxy.budgetUsed(owner.orgId, 'agents');
      expect(reserved).toBeGreaterThanOrEqual(2 * 20_000);
      expect(reserved).toBeLessThanOrEqual(50_000);
      for (const error of refused) {
        expect(error).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { pool: 'agents', budget: 50_000, resetsAt: expect.stringMatching(/T00:00:00.000Z$/) } });
        expect(error.message).toMatch(/daily AI budget for agents/);
      }

      release();
      const answered = (await Promise.all(requests)).filter((summary) => summary !== null);
      expect(answered).toHaveLength(2);
      expect(await proxy.budgetUsed(owner.orgId, 'agents')).toBe(2 * 350);
    });

    it("stops triage at its share, answering it offline, while agents keep their part", async () => {
      const { admin: owner } = await ticketService.signup('Busy Inbox');
      chat.answer((request) => (isTriage(request) ? { content: triageAnswer, usage: { prompt_tokens: 1_000, completion_tokens: 19_000 } } : { content: 'A summary.' }));
      const providers: string[] = [];
      for (let index = 0; index < 3; index += 1) {
        providers.push((await proxy.send<AiTriage>(subjects.ai.triage, { orgId: owner.orgId, subject: `Ticket ${index}`, text: 'My invoice is wrong' })).provider);
      }
      // Two triages of 20,000 tokens each leave no room for a third's reservation.
      expect(providers.at(-1)).toBe('offline');
      expect(await proxy.budgetUsed(owner.orgId, 'triage')).toBeLessThanOrEqual(50_000);

      const target = await newTicket(owner);
      expect(await proxy.send<AiSummary>(subjects.ai.summarize, { principal: owner, ticketId: target.id })).toMatchObject({ provider: 'openai-compatible', summary: 'A summary.' });
    });

    it('keeps the description and the newest comments that fit AI_MAX_REQUEST_TOKENS, dropping the oldest', async () => {
      const { admin: owner } = await ticketService.signup('Long Conversation');
      const target = await newTicket(owner, '<p>The original problem description.</p>');
      for (let index = 1; index <= 5; index += 1) {
        await ticketService.send(subjects.comments.create, { principal: owner, ticketId: target.id, body: `Comment ${index}: ${'x'.repeat(3_000)}` });
      }
      chat.answer((request) => (isTriage(request) ? { content: triageAnswer } : { content: 'A summary.' }));
      await proxy.send<AiSummary>(subjects.ai.summarize, { principal: owner, ticketId: target.id });

      const sent = JSON.stringify(lastCommandRequest().body.messages);
      expect(sent).toContain('The original problem description.');
      expect(sent).toContain('Comment 5:');
      expect(sent).toContain('Comment 4:');
      expect(sent).not.toContain('Comment 1:');
    });

    it('refuses with PAYLOAD_TOO_LARGE a summary whose description alone exceeds AI_MAX_REQUEST_TOKENS', async () => {
      const { admin: owner } = await ticketService.signup('Huge Description');
      const target = await newTicket(owner, `<p>${'€'.repeat(4_000)}</p>`);
      const before = chat.received.filter((request) => !isTriage(request)).length;
      const error = await proxy.fail(subjects.ai.summarize, { principal: owner, ticketId: target.id });
      expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('AI_MAX_REQUEST_TOKENS') });
      expect(chat.received.filter((request) => !isTriage(request)).length).toBe(before);
    });
  });
});
