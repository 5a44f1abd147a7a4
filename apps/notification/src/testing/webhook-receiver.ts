import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventEnvelope } from '@helpdesk/contracts';

/* A webhook receiver for tests (127.0.0.1 only) and the signature check docs/webhooks.md describes. */

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
}

export type Answer = (request: ReceivedRequest, index: number) => { status: number; body?: string };

/** A webhook receiver on 127.0.0.1: records every request and answers what the test says. */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  answer: Answer = () => ({ status: 200, body: 'ok' });

  private constructor(private readonly server: Server) {}

  static async start(): Promise<Receiver> {
    let receiver!: Receiver;
    const server = createServer((request, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const received = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
        receiver.requests.push(received);
        const { status, body } = receiver.answer(received, receiver.requests.length - 1);
        response.writeHead(status, { 'content-type': 'text/plain' }).end(body ?? '');
      });
    });
    receiver = new Receiver(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  events(): EventEnvelope[] {
    return this.requests.map((request) => JSON.parse(request.body) as EventEnvelope);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** What a receiver should do (docs/webhooks.md): recompute the HMAC over "<t>.<body>", compare in constant time, and check the timestamp is recent. */
export function verifySignature(header: string, body: string, secret: string, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > toleranceSeconds || !parts.v1) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
