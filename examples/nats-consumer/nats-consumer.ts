/**
 * An integration over NATS as another team would write it (docs/integrations.md): with the answer of
 * `POST /api/v1/integrations/nats` (its `credentials` saved as a .creds file, its `access`), it follows
 * its organization's events with a durable JetStream consumer, which resumes where it stopped after a
 * restart, and opens a ticket by command.
 *
 *   HELPDESK_NATS_CREDS=billing.creds HELPDESK_NATS_ACCESS=access.json npx tsx examples/nats-consumer/nats-consumer.ts
 *
 * Only the NATS client libraries are needed: `@nats-io/transport-node` and `@nats-io/jetstream`.
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type Consumer } from '@nats-io/jetstream';
import { connect, credsAuthenticator, headers, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** `access` from the creation answer. */
export interface IntegrationAccess {
  serverUrl: string;
  inboxPrefix: string;
  events: string;
  stream: string;
  commands: Record<'tickets.create' | 'tickets.get' | 'comments.create' | 'users.find-by-email', string>;
}

/** The envelope every event arrives in (docs/events.md). */
export interface HelpdeskEvent {
  id: string;
  type: string;
  version: number;
  occurredAt: string;
  orgId: string;
  aggregateId: string;
  actor: { userId: string; role: string; integration?: { id: string; name: string } } | { system: string };
  data: Record<string, unknown>;
}

export interface Ticket {
  id: string;
  number: number;
  subject: string;
  status: string;
}

type CommandReply<T> = { result: T } | { error: { code: string; message: string; details?: unknown } };

/** The durable consumer's name: the same name resumes the same position. */
export const CONSUMER_NAME = 'example-ticket-follower';

export async function connectIntegration(creds: Uint8Array, access: IntegrationAccess): Promise<NatsConnection> {
  // The credentials allow replies only under the integration's inbox prefix: requests need it.
  return connect({ servers: access.serverUrl.split(','), authenticator: credsAuthenticator(creds), inboxPrefix: access.inboxPrefix, name: 'helpdesk-example' });
}

/** Sends a public command; a reply with `error` becomes an exception naming its code. */
export async function command<T>(nc: NatsConnection, subject: string, body: unknown): Promise<T> {
  const requestHeaders = headers();
  requestHeaders.set('x-request-id', randomUUID());
  const reply = (await nc.request(subject, JSON.stringify(body), { timeout: 10_000, headers: requestHeaders })).json<CommandReply<T>>();
  if ('error' in reply) throw new Error(`${subject}: ${reply.error.code}: ${reply.error.message}`);
  return reply.result;
}

/** The organization's durable consumer, made on first run (only events after that, then every one since). */
export async function followEvents(nc: NatsConnection, access: IntegrationAccess): Promise<Consumer> {
  const jsm = await jetstreamManager(nc);
  const existing = await jsm.consumers.info(access.stream, CONSUMER_NAME).catch(() => undefined);
  if (!existing) await jsm.consumers.add(access.stream, { durable_name: CONSUMER_NAME, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New });
  return jetstream(nc).consumers.get(access.stream, CONSUMER_NAME);
}

/**
 * Opens a ticket by command and waits for its `ticket.created` event on the durable consumer,
 * acknowledging every event read (delivery is at least once: deduplicate on `event.id`).
 */
export async function openTicketAndSeeItsEvent(nc: NatsConnection, access: IntegrationAccess, log: (line: string) => void = console.log): Promise<{ ticket: Ticket; events: HelpdeskEvent[] }> {
  const consumer = await followEvents(nc, access);
  const ticket = await command<Ticket>(nc, access.commands['tickets.create'], { subject: 'Invoice 1042 was charged twice', description: 'Reported by the billing system', priority: 'high', tags: ['billing'] });
  log(`opened ticket #${ticket.number}: ${ticket.subject}`);

  const seen = new Set<string>();
  const events: HelpdeskEvent[] = [];
  for (;;) {
    const message = await consumer.next({ expires: 30_000 });
    if (!message) throw new Error('no event within 30 s');
    const event = message.json<HelpdeskEvent>();
    if (!seen.has(event.id)) {
      seen.add(event.id);
      events.push(event);
      log(`event ${event.type} on ${event.aggregateId}`);
    }
    message.ack();
    if (event.type === 'ticket.created' && event.aggregateId === ticket.id) return { ticket, events };
  }
}

async function main(): Promise<void> {
  const credsFile = process.env.HELPDESK_NATS_CREDS;
  const accessFile = process.env.HELPDESK_NATS_ACCESS;
  if (!credsFile || !accessFile) throw new Error('Set HELPDESK_NATS_CREDS (the .creds file) and HELPDESK_NATS_ACCESS (a JSON file with `access` from POST /api/v1/integrations/nats)');
  const access = JSON.parse(await readFile(accessFile, 'utf8')) as IntegrationAccess;
  const nc = await connectIntegration(await readFile(credsFile), access);
  try {
    await openTicketAndSeeItsEvent(nc, access);
  } finally {
    await nc.drain();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
