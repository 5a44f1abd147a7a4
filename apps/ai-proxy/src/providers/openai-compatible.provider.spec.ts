import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjects, type AiTriage } from '@helpdesk/contracts';
import { TestNatsServer, waitFor } from '@helpdesk/testing';
import { randomUUID } from 'node:crypto';
import { AiProxyHarness } from '../testing/ai-proxy-harness.js';
import { FakeChatServer } from '../testing/fake-chat-server.js';
import { honourRetryAfter, parseRetryAfter, ProviderHttpError } from './provider-resilience.js';
import { ConstantBackoff } from 'cockatiel';

const MODEL = 'test-model-1';
const API_KEY = 'sk-test-0123456789abcdefghij';
const VALID_TRIAGE = {
  category: { value: 'billing', confidence: 0.91 },
  priority: { value: 'high', confidence: 0.7 },
  sentiment: { value: 'negative', confidence: 0.8 },
  language: { value: 'en', confidence: 0.99 },
  tags: [{ value: 'refund', confidence: 0.6 }],
};
const triageOf = (orgId: string, text: string) => ({ orgId, subject: 'Charged twice', text });

describe('OpenAI-compatible provider, against a real local chat-completions server', () => {
  let nats: TestNatsServer;
  let chat: FakeChatServer;
  let proxy: AiProxyHarness;

  beforeAll(async () => {
    nats = await TestNatsServer.start();
    chat = await FakeChatServer.start();
    proxy = await AiProxyHarness.start(nats.url, { AI_PROVIDER_URL: chat.url, AI_MODEL: MODEL, AI_API_KEY: API_KEY, AI_TIMEOUT_MS: '500' });
  });

  afterAll(async () => {
    await proxy?.stop();
    await chat?.stop();
    await nats?.destroy();
  });

  it('sends the model, the JSON schema and redacted text, and answers the validated triage', async () => {
    chat.answer(() => ({ content: JSON.stringify(VALID_TRIAGE) }));
    const orgId = randomUUID();
    const triage = await proxy.send<AiTriage>(
      subjects.ai.triage,
      triageOf(orgId, '<p>I am jane.doe@example.com, call me at +44 20 7946 0958. Card 4111 1111 1111 1111 was charged twice.</p>'),
    );

    expect(triage).toEqual({ provider: 'openai-compatible', model: MODEL, ...VALID_TRIAGE });
    const request = chat.received.at(-1)!;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request.body.model).toBe(MODEL);
    expect(request.body.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'ticket_triage', strict: true } });
    expect(request.body.response_format!.json_schema.schema).toMatchObject({ required: ['category', 'priority', 'sentiment', 'language', 'tags'] });
    const sent = JSON.stringify(request.body.messages);
    expect(sent).not.toContain('jane.doe');
    expect(sent).not.toContain('@example.com');
    expect(sent).not.toMatch(/7946|0958/);
    expect(sent).not.toContain('4111');
    expect(sent).toContain('[EMAIL]');
    expect(sent).toContain('[PHONE]');
    expect(sent).toContain('charged twice');
  });

  it('logs each call with organization, model, tokens and latency, never the text, and counts tokens in metrics', async () => {
    chat.answer(() => ({ content: JSON.stringify(VALID_TRIAGE), usage: { prompt_tokens: 42, completion_tokens: 7 } }));
    const orgId = randomUUID();
    await proxy.send(subjects.ai.triage, triageOf(orgId, 'Secret plan: the invoice was wrong'));

    const line = proxy.logs.find((entry) => entry.orgId === orgId);
    expect(line).toMatchObject({ orgId, model: MODEL, provider: 'openai-compatible', promptTokens: 42, completionTokens: 7, cached: false });
    expect(typeof line!.latencyMs).toBe('number');
    expect(JSON.stringify(proxy.logs)).not.toContain('Secret plan');
    expect(JSON.stringify(proxy.logs)).not.toContain(API_KEY);
    expect(await proxy.metrics()).toMatch(/helpdesk_ai_tokens_total\{provider="openai-compatible",model="test-model-1",kind="prompt",service="ai-proxy"\} \d+/);
  });

  it('serves an identical request from the Redis cache without calling the provider', async () => {
    chat.answer(() => ({ content: JSON.stringify(VALID_TRIAGE) }));
    const command = triageOf(randomUUID(), 'The same question, asked twice');
    const first = await proxy.send<AiTriage>(subjects.ai.triage, command);
    const calls = chat.received.length;
    const second = await proxy.send<AiTriage>(subjects.ai.triage, command);

    expect(second).toEqual(first);
    expect(chat.received.length).toBe(calls);
    expect(proxy.logs.some((entry) => entry.orgId === command.orgId && entry.cached === true)).toBe(true);
  });

  it('rejects malformed model output with a clear error, and does not cache it', async () => {
    const command = triageOf(randomUUID(), 'Please check my invoice');
    chat.answer(() => ({ content: 'Sure! The category is billing.' }));
    expect(await proxy.fail(subjects.ai.triage, command)).toMatchObject({ code: 'UNAVAILABLE', message: 'The AI provider answered a malformed triage', details: { problems: ['the answer is not JSON'] } });

    chat.answer(() => ({ content: JSON.stringify({ ...VALID_TRIAGE, category: { value: 'weather', confidence: 3 } }) }));
    const invalid = await proxy.fail(subjects.ai.triage, command);
    expect(invalid.code).toBe('UNAVAILABLE');
    expect((invalid.details as { problems: string[] }).problems).toEqual(expect.arrayContaining(['category.value: isIn', 'category.confidence: max']));

    chat.answer(() => ({ raw: '{"error":"no choices"}' }));
    expect(await proxy.fail(subjects.ai.triage, command)).toMatchObject({ code: 'UNAVAILABLE', message: 'The AI provider answered something that is not a chat completion' });

    chat.answer(() => ({ content: JSON.stringify(VALID_TRIAGE) }));
    expect((await proxy.send<AiTriage>(subjects.ai.triage, command)).category.value).toBe('billing');
  });

  it('fails with TIMEOUT when the provider answers too slowly', async () => {
    chat.answer(() => ({ content: JSON.stringify(VALID_TRIAGE), delayMs: 3_000 }));
    const calls = chat.received.length;
    const error = await proxy.fail(subjects.ai.triage, triageOf(randomUUID(), 'A slow one'));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain('500 ms per attempt');
    expect(chat.received.length).toBe(calls + 1);
  });
});

describe('Daily AI budget: reserved in Redis before the call, settled after', () => {
  let nats: TestNatsServer;
  let chat: FakeChatServer;
  let proxy: AiProxyHarness;

  // Each triage reserves its prompt (well under 3,000 tokens here) plus a 20,000-token completion
  // allowance, so exactly three fit in triage's 70,000-token share, whatever the order.
  beforeAll(async () => {
    nats = await TestNatsServer.start();
    chat = await FakeChatServer.start();
    proxy = await AiProxyHarness.start(nats.url, {
      AI_PROVIDER_URL: chat.url,
      AI_MODEL: MODEL,
      AI_DAILY_TOKEN_BUDGET: '100000',
      AI_TRIAGE_BUDGET_SHARE: '0.7',
      AI_MAX_COMPLETION_TOKENS: '20000',
      AI_MAX_REQUEST_TOKENS: '30000',
    });
  });

  afterAll(async () => {
    await proxy?.stop();
    await chat?.stop();
    await nats?.destroy();
  });

  it('lets only the parallel triages that fit reach the provider, answers the rest offline, and gives back the unused part after', async () => {
    const orgId = randomUUID();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    chat.answer(() => ({ content: JSON.stringify(VALID_TRIAGE), usage: { prompt_tokens: 500, completion_tokens: 100 }, until: gate }));
    const before = chat.received.length;

    const answered: AiTriage[] = [];
    const requests = Array.from({ length: 6 }, (_, index) =>
      proxy.send<AiTriage>(subjects.ai.triage, triageOf(orgId, `Parallel request number ${index}`)).then((triage) => (answered.push(triage), triage)),
    );
    await waitFor('three calls at the provider and three answered offline', async () => chat.received.length - before === 3 && answered.length === 3);
    expect(answered.every((triage) => triage.provider === 'offline')).toBe(true);
    const reserved = await proxy.budgetUsed(orgId, 'triage');
    expect(reserved).toBeGreaterThanOrEqual(3 * 20_000);
    expect(reserved).toBeLessThanOrEqual(70_000);

    release();
    const triages = await Promise.all(requests);
    expect(triages.filter((triage) => triage.provider === 'openai-compatible')).toHaveLength(3);
    expect(chat.received.length - before).toBe(3);
    // Settled with the real usage: 3 x (500 + 100).
    expect(await proxy.budgetUsed(orgId, 'triage')).toBe(1_800);
    expect(await proxy.budgetUsed(orgId, 'agents')).toBe(0);
    expect((await proxy.send<AiTriage>(subjects.ai.triage, triageOf(orgId, 'After the burst'))).provider).toBe('openai-compatible');
  });

  it('gives the whole reservation back when the provider fails', async () => {
    const orgId = randomUUID();
    chat.answer(() => ({ status: 400, raw: '{"error":"bad request"}' }));
    expect(await proxy.fail(subjects.ai.triage, triageOf(orgId, 'The provider refuses this one'))).toMatchObject({ code: 'UNAVAILABLE' });
    expect(await proxy.budgetUsed(orgId, 'triage')).toBe(0);
  });

  it('asks the provider for at most the completion allowance', async () => {
    chat.answer(() => ({ content: JSON.stringify(VALID_TRIAGE) }));
    await proxy.send(subjects.ai.triage, triageOf(randomUUID(), 'How long may the answer be?'));
    expect(chat.received.at(-1)!.body.max_tokens).toBe(20_000);
  });

  it('answers a triage larger than AI_MAX_REQUEST_TOKENS with the offline model, without calling the provider', async () => {
    const orgId = randomUUID();
    chat.answer(() => ({ content: JSON.stringify(VALID_TRIAGE) }));
    const before = chat.received.length;
    const triage = await proxy.send<AiTriage>(subjects.ai.triage, triageOf(orgId, `My invoice is wrong: ${'€'.repeat(4_000)}`));
    expect(triage.provider).toBe('offline');
    expect(chat.received.length).toBe(before);
    expect(await proxy.budgetUsed(orgId, 'triage')).toBe(0);
    expect(proxy.logs.some((entry) => entry.orgId === orgId && String(entry.message).includes('AI_MAX_REQUEST_TOKENS'))).toBe(true);
  });
});

describe('OpenAI-compatible provider under failures: retries and circuit breaker', () => {
  let nats: TestNatsServer;
  let chat: FakeChatServer;
  let proxy: AiProxyHarness;

  beforeAll(async () => {
    nats = await TestNatsServer.start();
    chat = await FakeChatServer.start();
    proxy = await AiProxyHarness.start(nats.url, { AI_PROVIDER_URL: chat.url, AI_MODEL: MODEL, AI_MAX_RETRIES: '2', AI_CIRCUIT_FAILURE_THRESHOLD: '4', AI_CIRCUIT_OPEN_MS: '600000' });
  });

  afterAll(async () => {
    await proxy?.stop();
    await chat?.stop();
    await nats?.destroy();
  });

  it('retries a 429 and a 500, then succeeds', async () => {
    let calls = 0;
    chat.answer(() => {
      calls += 1;
      if (calls === 1) return { status: 429, headers: { 'retry-after': '0' }, raw: '{"error":"rate limited"}' };
      if (calls === 2) return { status: 500, raw: '{"error":"boom"}' };
      return { content: JSON.stringify(VALID_TRIAGE) };
    });
    const triage = await proxy.send<AiTriage>(subjects.ai.triage, triageOf(randomUUID(), 'Retry me'));
    expect(triage.category.value).toBe('billing');
    expect(calls).toBe(3);
  });

  it('does not retry a 400, which another attempt cannot fix', async () => {
    let calls = 0;
    chat.answer(() => ((calls += 1), { status: 400, raw: '{"error":"bad request"}' }));
    const error = await proxy.fail(subjects.ai.triage, triageOf(randomUUID(), 'Bad request'));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', message: 'The AI provider answered HTTP 400: check AI_PROVIDER_URL, AI_API_KEY and AI_MODEL' });
    expect(calls).toBe(1);
  });

  it('gives up after the retries on repeated 500s, then opens the circuit and fails fast', async () => {
    let calls = 0;
    chat.answer(() => ((calls += 1), { status: 500, raw: '{"error":"down"}' }));
    const exhausted = await proxy.fail(subjects.ai.triage, triageOf(randomUUID(), 'Provider down'));
    expect(exhausted).toMatchObject({ code: 'UNAVAILABLE', message: 'The AI provider answered HTTP 500, also after 2 retries' });
    expect(calls).toBe(3);

    // The fourth consecutive failure opens the circuit, in the middle of this call's retries.
    const opened = await proxy.fail(subjects.ai.triage, triageOf(randomUUID(), 'Provider still down'));
    expect(opened.code).toBe('UNAVAILABLE');
    expect(calls).toBe(4);

    const fast = await proxy.fail(subjects.ai.triage, triageOf(randomUUID(), 'Provider down again'));
    expect(fast).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('circuit open') });
    expect(calls).toBe(4);
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3_000);
    expect(parseRetryAfter(new Date(1_000_000 + 5_000).toUTCString(), 1_000_000)).toBe(5_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it("replaces the jittered delay with the provider's hint, capped", () => {
    const backoff = honourRetryAfter(new ConstantBackoff(250), 10_000);
    const context = (error: Error) => ({ attempt: 1, result: { error }, signal: new AbortController().signal });
    expect(backoff.next(context(new ProviderHttpError(429, 2_000))).duration).toBe(2_000);
    expect(backoff.next(context(new ProviderHttpError(503, 120_000))).duration).toBe(10_000);
    expect(backoff.next(context(new ProviderHttpError(500, undefined))).duration).toBe(250);
  });
});
