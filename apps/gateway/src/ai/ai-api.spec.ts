import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjects, type TicketView } from '@helpdesk/contracts';
import { AiProxyHarness } from '../../../ai-proxy/src/testing/ai-proxy-harness.js';
import { FakeChatServer } from '../../../ai-proxy/src/testing/fake-chat-server.js';
import { GatewayHarness, type SignedUpAdmin, type TestCaller } from '../testing/gateway-harness.js';

describe('AI endpoints of the API', () => {
  let gateway: GatewayHarness;
  let proxy: AiProxyHarness;
  let admin: SignedUpAdmin;
  let agent: TestCaller;
  let customer: TestCaller;
  let outsider: SignedUpAdmin;
  let ticket: TicketView;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('ai_api');
    proxy = await AiProxyHarness.start(gateway.ticket.nats.url, { QUEUE_PREFIX: gateway.config.QUEUE_PREFIX });
    admin = await gateway.signup('Acme');
    agent = await gateway.addUser(admin.organization.id, 'agent');
    customer = await gateway.addUser(admin.organization.id, 'customer');
    outsider = await gateway.signup('Elsewhere');
    ticket = await gateway.ticket.send<TicketView>(subjects.tickets.create, {
      principal: customer.principal,
      subject: 'The app crashes',
      description: 'The app crashes every time I open the settings page. It started after the last update.',
    });
    await gateway.ticket.send(subjects.comments.create, { principal: agent.principal, ticketId: ticket.id, body: 'Known crash, fix ships Friday', internal: true });
  });

  afterAll(async () => {
    await proxy?.service.shutdown('test end');
    await gateway?.stop();
  });

  it('answers staff a summary and a reply suggestion', async () => {
    const summary = await gateway.call(`/tickets/${ticket.id}/ai/summary`, { method: 'POST', token: agent.accessToken });
    expect(summary.status).toBe(200);
    expect(await summary.json()).toMatchObject({ provider: 'offline', summary: expect.stringContaining('crash') });

    const suggestion = await gateway.call(`/tickets/${ticket.id}/ai/suggest-reply`, { method: 'POST', token: admin.accessToken });
    expect(suggestion.status).toBe(200);
    const draft = (await suggestion.json()) as { reply: string; language: string };
    expect(draft).toMatchObject({ provider: 'offline', language: 'en', reply: expect.stringContaining('The app crashes') });
    expect(draft.reply).not.toContain('Friday');
  });

  it('refuses customers with 403, even on their own ticket', async () => {
    for (const path of ['summary', 'suggest-reply']) {
      const response = await gateway.call(`/tickets/${ticket.id}/ai/${path}`, { method: 'POST', token: customer.accessToken });
      expect(response.status).toBe(403);
    }
  });

  it("answers 404 for another organization's ticket, 400 for a malformed id and 401 without a token", async () => {
    for (const path of ['summary', 'suggest-reply']) {
      expect((await gateway.call(`/tickets/${ticket.id}/ai/${path}`, { method: 'POST', token: outsider.accessToken })).status).toBe(404);
    }
    expect((await gateway.call('/tickets/not-a-uuid/ai/summary', { method: 'POST', token: agent.accessToken })).status).toBe(400);
    expect((await gateway.call(`/tickets/${ticket.id}/ai/summary`, { method: 'POST' })).status).toBe(401);
  });

  it('documents both endpoints in OpenAPI', async () => {
    const document = (await (await fetch(`${gateway.url}/api/docs-json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(document.paths['/api/v1/tickets/{id}/ai/summary']).toHaveProperty('post');
    expect(document.paths['/api/v1/tickets/{id}/ai/suggest-reply']).toHaveProperty('post');
  });
});

describe('AI endpoints while the ai-proxy is down', () => {
  let gateway: GatewayHarness;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('ai_api_down');
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('answer 503 at once, and tickets still work', async () => {
    const admin = await gateway.signup();
    const created = await gateway.call('/tickets', { token: admin.accessToken, body: { subject: 'Still works', description: 'without AI' } });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as TicketView;
    expect((await gateway.call(`/tickets/${id}/ai/summary`, { method: 'POST', token: admin.accessToken })).status).toBe(503);
  });
});

describe("AI endpoints past the agents' part of the daily budget", () => {
  let gateway: GatewayHarness;
  let chat: FakeChatServer;
  let proxy: AiProxyHarness;

  // Agents get 2,000 tokens a day; a summary reserves its prompt plus a 1,000-token answer.
  beforeAll(async () => {
    gateway = await GatewayHarness.start('ai_api_quota');
    chat = await FakeChatServer.start();
    proxy = await AiProxyHarness.start(gateway.ticket.nats.url, {
      QUEUE_PREFIX: gateway.config.QUEUE_PREFIX,
      AI_PROVIDER_URL: chat.url,
      AI_MODEL: 'm',
      AI_DAILY_TOKEN_BUDGET: '4000',
      AI_TRIAGE_BUDGET_SHARE: '0.5',
      AI_MAX_COMPLETION_TOKENS: '1000',
    });
  });

  afterAll(async () => {
    await proxy?.service.shutdown('test end');
    await chat?.stop();
    await gateway?.stop();
  });

  it('answer 429 once the next request no longer fits', async () => {
    const admin = await gateway.signup();
    const created = await gateway.call('/tickets', { token: admin.accessToken, body: { subject: 'Slow checkout', description: 'The checkout takes a minute.' } });
    const { id } = (await created.json()) as TicketView;
    const usage = { prompt_tokens: 900, completion_tokens: 900 };
    chat.answer((request) => {
      const schema = request.body.response_format?.json_schema.name;
      if (schema === 'ticket_triage') return { raw: '{"error":"triage is not under test here"}' };
      return { content: schema === 'reply_draft' ? JSON.stringify({ reply: 'We are on it.', language: 'en' }) : 'The checkout is slow.', usage };
    });

    const first = await gateway.call(`/tickets/${id}/ai/summary`, { method: 'POST', token: admin.accessToken });
    expect(first.status).toBe(200);
    const second = await gateway.call(`/tickets/${id}/ai/suggest-reply`, { method: 'POST', token: admin.accessToken });
    expect(second.status).toBe(429);
    expect(await second.json()).toMatchObject({ statusCode: 429, message: expect.stringMatching(/daily AI budget for agents \(2000 tokens\) has 200 left/) });
  });
});
