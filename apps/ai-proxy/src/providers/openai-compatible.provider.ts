import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandError } from '@helpdesk/common';
import type { AiSuggestedReply, AiSummary, AiTriage } from '@helpdesk/contracts';
import { BrokenCircuitError, TaskCancelledError } from 'cockatiel';
import { AiProxyConfig } from '../ai-proxy.config.js';
import { redactPii, type RedactionKind } from '../redaction/pii-redaction.js';
import { AiMetrics } from '../usage/ai-metrics.js';
import { ResponseCache } from '../usage/response-cache.js';
import { TokenBudget, type BudgetPool } from '../usage/token-budget.js';
import type { AiProvider, Conversation, ProviderContext, TicketText } from './ai-provider.js';
import { OVERALL_DEADLINE_MS, parseRetryAfter, ProviderHttpError, providerPolicy } from './provider-resilience.js';
import { parseModelJson, SUGGESTED_REPLY_JSON_SCHEMA, SuggestedReplyOutput, TRIAGE_JSON_SCHEMA, TriageOutput } from './triage-output.js';

type ChatMessage = { role: 'system' | 'user'; content: string };
interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  temperature: number;
  max_tokens: number;
  response_format?: { type: 'json_schema'; json_schema: { name: string; strict: true; schema: object } };
}
interface Usage {
  promptTokens: number;
  completionTokens: number;
}

const SYSTEM_PROMPTS = {
  triage:
    'You triage helpdesk tickets. Answer only with JSON matching the schema: the category, a suggested priority, the customer sentiment, the ISO 639-1 language code of the ticket and up to 5 short tags, each with your confidence from 0 to 1.',
  summarize:
    'You summarize helpdesk tickets for support agents in at most 5 short sentences: the problem, what was done, and what is still open. Lines marked [internal note] are for agents only. Answer with the summary only.',
  suggestReply:
    "You draft a reply from a support agent to the customer's latest message, in the customer's language, polite and concrete. Answer only with JSON matching the schema. Placeholders like [EMAIL] stand for removed personal data: never invent it.",
} as const;

type Redacted = { text: string; counts: Partial<Record<RedactionKind, number>> };
type Operation = keyof typeof SYSTEM_PROMPTS;
type OutputSchema = { name: string; schema: object };

/** Rough size of a prompt in tokens, for servers that answer no usage: about four characters each. */
const estimateTokens = (text: string) => Math.ceil(text.length / 4);

/** Chat-template tokens around each message (role markers), generously. */
const TEMPLATE_TOKENS_PER_MESSAGE = 16;

/**
 * At most how many tokens the prompt can be: its bytes, since a token of a byte-level tokenizer
 * (GPT, Llama 3, Mistral) covers at least one byte. Far above the real count for English, which
 * only matters while the call is in flight: settling gives the difference back.
 */
function promptTokenCeiling(request: ChatRequest): number {
  const bytes = Buffer.byteLength(JSON.stringify({ messages: request.messages, response_format: request.response_format }));
  return bytes + TEMPLATE_TOKENS_PER_MESSAGE * request.messages.length;
}

const POOL_OF: Record<Operation, BudgetPool> = { triage: 'triage', summarize: 'agents', suggestReply: 'agents' };

/**
 * Any OpenAI-compatible chat-completions server (OpenAI, Azure OpenAI, vLLM, Ollama, llama.cpp).
 * Personal data is redacted before anything leaves; budget, cache and resilience wrap every call.
 */
@Injectable()
export class OpenAiCompatibleProvider implements AiProvider {
  readonly name = 'openai-compatible' as const;
  private readonly logger = new Logger(OpenAiCompatibleProvider.name);
  private readonly policy;
  private readonly endpoint: string;
  private readonly model: string;

  constructor(
    @Inject(AiProxyConfig) private readonly config: AiProxyConfig,
    @Inject(TokenBudget) private readonly budget: TokenBudget,
    @Inject(ResponseCache) private readonly cache: ResponseCache,
    @Inject(AiMetrics) private readonly metrics: AiMetrics,
  ) {
    this.endpoint = `${(config.AI_PROVIDER_URL ?? '').replace(/\/+$/, '')}/chat/completions`;
    this.model = config.AI_MODEL ?? '';
    this.policy = providerPolicy({
      attemptTimeoutMs: config.AI_TIMEOUT_MS,
      maxRetries: config.AI_MAX_RETRIES,
      circuitFailureThreshold: config.AI_CIRCUIT_FAILURE_THRESHOLD,
      circuitOpenMs: config.AI_CIRCUIT_OPEN_MS,
    });
  }

  async triage(context: ProviderContext, ticket: TicketText): Promise<AiTriage> {
    const redacted = redactPii(`Subject: ${ticket.subject}\n\n${ticket.text}`);
    const output = await this.complete(context, 'triage', redacted, TRIAGE_SCHEMA, (content) => this.validated(TriageOutput, content, 'triage'));
    return { provider: this.name, model: this.model, ...output };
  }

  async summarize(context: ProviderContext, conversation: Conversation): Promise<AiSummary> {
    const redacted = fittedTranscript(conversation, this.roomForText('summarize', undefined));
    const summary = await this.complete(context, 'summarize', redacted, undefined, (content) => {
      const text = content.trim();
      if (!text) throw new CommandError('UNAVAILABLE', 'The AI provider answered an empty summary');
      return text;
    });
    return { provider: this.name, model: this.model, summary };
  }

  async suggestReply(context: ProviderContext, conversation: Conversation): Promise<AiSuggestedReply> {
    const redacted = fittedTranscript(conversation, this.roomForText('suggestReply', REPLY_SCHEMA));
    const output = await this.complete(context, 'suggestReply', redacted, REPLY_SCHEMA, (content) =>
      this.validated(SuggestedReplyOutput, content, 'reply'),
    );
    return { provider: this.name, model: this.model, reply: output.reply, language: output.language };
  }

  /** Bytes (so tokens, at most) left for the ticket's text once the instructions and the answer allowance are counted. */
  private roomForText(operation: Operation, schema: OutputSchema | undefined): number {
    return this.config.AI_MAX_REQUEST_TOKENS - this.config.AI_MAX_COMPLETION_TOKENS - promptTokenCeiling(this.chatRequest(operation, '', schema));
  }

  private chatRequest(operation: Operation, text: string, schema: OutputSchema | undefined): ChatRequest {
    return {
      model: this.model,
      temperature: 0,
      max_tokens: this.config.AI_MAX_COMPLETION_TOKENS,
      messages: [
        { role: 'system', content: SYSTEM_PROMPTS[operation] },
        { role: 'user', content: text },
      ],
      ...(schema ? { response_format: { type: 'json_schema', json_schema: { name: schema.name, strict: true, schema: schema.schema } } } : {}),
    };
  }

  /**
   * One chat completion: cache, then a budget reservation of the request's maximum, then the
   * provider through the resilience policy, then settling with the real usage. Only an answer that
   * `accept` validated is cached and returned.
   */
  private async complete<T>(context: ProviderContext, operation: Operation, redacted: Redacted, schema: OutputSchema | undefined, accept: (content: string) => T): Promise<T> {
    const request = this.chatRequest(operation, redacted.text, schema);
    const started = performance.now();
    const cacheKey = this.cache.keyOf({ orgId: context.orgId, provider: this.endpoint, model: this.model, request });
    const cached = await this.cache.get(cacheKey);
    if (cached !== null) {
      this.logCall(context.orgId, operation, { promptTokens: 0, completionTokens: 0 }, started, true, redacted.counts);
      return accept(cached);
    }
    const maximum = promptTokenCeiling(request) + request.max_tokens;
    if (maximum > this.config.AI_MAX_REQUEST_TOKENS) {
      throw new CommandError(
        'PAYLOAD_TOO_LARGE',
        `The ticket text is too long for one AI request: up to ${maximum} tokens with the ${request.max_tokens}-token answer, more than AI_MAX_REQUEST_TOKENS (${this.config.AI_MAX_REQUEST_TOKENS}) allows`,
        { maximumTokens: maximum, limit: this.config.AI_MAX_REQUEST_TOKENS },
      );
    }
    const reservation = await this.budget.reserve(context.orgId, POOL_OF[operation], maximum);
    let answer: { content: string; usage: Usage | undefined };
    try {
      answer = await this.send(request);
    } catch (error) {
      await this.budget.settle(reservation, 0);
      throw error;
    }
    const { content, usage } = answer;
    // Tokens were spent whether or not the answer turns out to be usable.
    const estimated = usage ?? { promptTokens: estimateTokens(request.messages.map((message) => message.content).join('\n')), completionTokens: estimateTokens(content) };
    await this.budget.settle(reservation, estimated.promptTokens + estimated.completionTokens);
    this.metrics.tokens.inc({ provider: this.name, model: this.model, kind: 'prompt' }, estimated.promptTokens);
    this.metrics.tokens.inc({ provider: this.name, model: this.model, kind: 'completion' }, estimated.completionTokens);
    this.logCall(context.orgId, operation, estimated, started, false, redacted.counts);
    const result = accept(content);
    await this.cache.set(cacheKey, content);
    return result;
  }

  private async send(request: ChatRequest): Promise<{ content: string; usage: Usage | undefined }> {
    let body: unknown;
    try {
      body = await this.policy.execute(async ({ signal }) => {
        const response = await fetch(this.endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(this.config.AI_API_KEY ? { authorization: `Bearer ${this.config.AI_API_KEY}` } : {}) },
          body: JSON.stringify(request),
          signal,
        });
        if (!response.ok) {
          await response.body?.cancel();
          throw new ProviderHttpError(response.status, parseRetryAfter(response.headers.get('retry-after')));
        }
        return response.json() as Promise<unknown>;
      });
    } catch (error) {
      throw this.commandErrorFor(error);
    }
    const choice = (body as { choices?: Array<{ message?: { content?: unknown } }> }).choices?.[0];
    const content = choice?.message?.content;
    if (typeof content !== 'string') throw new CommandError('UNAVAILABLE', 'The AI provider answered something that is not a chat completion');
    const usage = (body as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } }).usage;
    const known = typeof usage?.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number';
    return { content, usage: known ? { promptTokens: usage.prompt_tokens as number, completionTokens: usage.completion_tokens as number } : undefined };
  }

  private validated<T extends object>(cls: new () => T, content: string, what: string): T {
    const parsed = parseModelJson(cls, content);
    if ('problems' in parsed) throw new CommandError('UNAVAILABLE', `The AI provider answered a malformed ${what}`, { problems: parsed.problems.slice(0, 20) });
    return parsed.value;
  }

  private commandErrorFor(error: unknown): CommandError {
    if (error instanceof CommandError) return error;
    if (error instanceof BrokenCircuitError) {
      return new CommandError('UNAVAILABLE', `The AI provider keeps failing: calls are paused (circuit open, ${this.config.AI_CIRCUIT_OPEN_MS} ms before a trial)`);
    }
    if (error instanceof TaskCancelledError) {
      return new CommandError('TIMEOUT', `The AI provider did not answer in time (${this.config.AI_TIMEOUT_MS} ms per attempt, ${OVERALL_DEADLINE_MS} ms in all)`);
    }
    if (error instanceof ProviderHttpError) {
      return new CommandError('UNAVAILABLE', error.retryable ? `${error.message}, also after ${this.config.AI_MAX_RETRIES} retries` : `${error.message}: check AI_PROVIDER_URL, AI_API_KEY and AI_MODEL`);
    }
    this.logger.warn(`AI provider unreachable: ${error instanceof Error ? error.message : String(error)}`);
    return new CommandError('UNAVAILABLE', 'The AI provider is unreachable');
  }

  /** One line per call: organization, model, tokens and latency, never the text. */
  private logCall(orgId: string, operation: string, usage: Usage, started: number, cached: boolean, redactions: Partial<Record<RedactionKind, number>>): void {
    this.logger.log({
      message: `AI ${operation}${cached ? ' (cached)' : ''}`,
      orgId,
      provider: this.name,
      model: this.model,
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      latencyMs: Math.round(performance.now() - started),
      cached,
      redactions,
    });
  }
}

const TRIAGE_SCHEMA: OutputSchema = { name: 'ticket_triage', schema: TRIAGE_JSON_SCHEMA };
const REPLY_SCHEMA: OutputSchema = { name: 'reply_draft', schema: SUGGESTED_REPLY_JSON_SCHEMA };
const LEFT_OUT = '[older messages left out]';

/** Bytes a piece of text takes in the request body (JSON-escaped). */
const jsonBytes = (text: string) => Buffer.byteLength(JSON.stringify(text)) - 2;

/**
 * The redacted conversation as the model reads it, internal notes marked (they only reach
 * summaries): the subject and the description always, then the newest messages that fit in
 * `roomBytes`; older ones are left out, with a line saying so.
 */
function fittedTranscript(conversation: Conversation, roomBytes: number): Redacted {
  const counts: Partial<Record<RedactionKind, number>> = {};
  const keep = (redacted: Redacted) => {
    for (const [kind, count] of Object.entries(redacted.counts) as Array<[RedactionKind, number]>) counts[kind] = (counts[kind] ?? 0) + count;
    return redacted.text;
  };
  const redact = (text: string) => keep(redactPii(text));
  const lineOf = (message: Conversation['messages'][number]) =>
    `${message.internal ? '[internal note] Agent' : message.author === 'requester' ? 'Customer' : 'Agent'}: ${message.text}`;
  const [description, ...rest] = conversation.messages;
  const head = [redact(`Subject: ${conversation.subject}`), '', ...(description ? [redact(lineOf(description))] : [])];
  const separator = jsonBytes('\n\n');
  let used = jsonBytes(head.join('\n\n')) + separator + jsonBytes(LEFT_OUT);
  const newest: string[] = [];
  for (let index = rest.length - 1; index >= 0; index -= 1) {
    const line = redactPii(lineOf(rest[index]!));
    if (used + separator + jsonBytes(line.text) > roomBytes) break;
    used += separator + jsonBytes(line.text);
    newest.unshift(keep(line));
  }
  const leftOut = newest.length < rest.length ? [LEFT_OUT] : [];
  return { text: [...head, ...leftOut, ...newest].join('\n\n'), counts };
}
