import { createHash } from 'node:crypto';

/** The domain of `DEFAULT_FROM_EMAIL` (`Support <help@example.com>` gives `example.com`): Message-IDs are minted under it. */
export function mailDomain(fromAddress: string): string {
  const match = /@([^\s@<>]+)\s*>?\s*$/.exec(fromAddress);
  if (!match) throw new Error(`No domain in the sender address "${fromAddress}"`);
  return match[1]!.toLowerCase();
}

/**
 * The idempotency key of one mail: the same event, recipient and template always give the same key,
 * hence the same queue job id and the same Message-ID however often the event is delivered.
 */
export function deliveryKey(eventId: string, recipient: string, template: string): string {
  return createHash('sha256').update(`${eventId}\n${recipient.toLowerCase()}\n${template}`).digest('hex').slice(0, 32);
}

export function messageIdFor(key: string, domain: string): string {
  return `<${key}@${domain}>`;
}

/**
 * Every mail of a ticket answers this one id (In-Reply-To and References), so mail clients thread
 * them together and inbound mail can later be matched to the ticket.
 */
export function ticketThreadId(ticketId: string, domain: string): string {
  return `<ticket-${ticketId}@${domain}>`;
}
