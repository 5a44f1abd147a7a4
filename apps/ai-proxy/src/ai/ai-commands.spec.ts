import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjects, type AiSuggestedReply, type AiSummary, type AiTriage, type Principal, type TicketView } from '@helpdesk/contracts';
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

    beforeAll(async () => {
      chat = await FakeChatServer.start();
      proxy = await AiProxyHarness.start(ticketService.nats.url, { AI_PROVIDER_URL: chat.url, AI_MODEL: 'm', QUEUE_PREFIX: ticketService.config.QUEUE_PREFIX });
    });

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
  });
});
