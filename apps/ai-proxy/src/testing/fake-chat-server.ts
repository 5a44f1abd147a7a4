import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  authorization: string | undefined;
  body: {
    model: string;
    max_tokens?: number;
    messages: Array<{ role: string; content: string }>;
    response_format?: { type: string; json_schema: { name: string; strict: boolean; schema: Record<string, unknown> } };
  };
}

/** What the server does with one request: answer with a status, headers and body, after an optional delay. */
export interface ScriptedAnswer {
  status?: number;
  headers?: Record<string, string>;
  /** A chat completion whose message content is this string. */
  content?: string;
  /** Sent as is instead of a chat completion. */
  raw?: string;
  delayMs?: number;
  /** Held until this settles, so a test can keep calls in flight while it looks at them. */
  until?: Promise<void>;
  usage?: { prompt_tokens: number; completion_tokens: number };
}

/**
 * A real HTTP server speaking the OpenAI chat-completions API on a free local port. Tests script
 * its answers and read every request it received.
 */
export class FakeChatServer {
  readonly received: ReceivedRequest[] = [];
  private answerFor: (request: ReceivedRequest) => ScriptedAnswer = () => ({ content: 'ok' });

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeChatServer> {
    let instance: FakeChatServer | undefined;
    const server = createServer((request, response) => void instance!.handle(request, response));
    instance = new FakeChatServer(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return instance;
  }

  /** The base URL to use as AI_PROVIDER_URL. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  answer(script: (request: ReceivedRequest) => ScriptedAnswer): void {
    this.answerFor = script;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const received: ReceivedRequest = { path: request.url ?? '', authorization: request.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedRequest['body'] };
    this.received.push(received);
    const answer = this.answerFor(received);
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    if (answer.until) await answer.until;
    if (response.destroyed) return;
    const body =
      answer.raw ??
      JSON.stringify({
        id: `chatcmpl-${this.received.length}`,
        object: 'chat.completion',
        model: received.body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: answer.content ?? '' }, finish_reason: 'stop' }],
        usage: { ...(answer.usage ?? { prompt_tokens: 100, completion_tokens: 20 }), total_tokens: (answer.usage?.prompt_tokens ?? 100) + (answer.usage?.completion_tokens ?? 20) },
      });
    response.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
    response.end(body);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
