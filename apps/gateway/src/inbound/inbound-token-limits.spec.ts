import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailboxWithTokenView } from '@helpdesk/contracts';
import { NotificationHarness } from '../../../notification/src/testing/notification-harness.js';
import { GatewayHarness } from '../testing/gateway-harness.js';

const PER_MAILBOX = 3;
const PER_IP = 5;

/** Wrong tokens at the HTTP way in of the email channel are limited per client address (and mailbox), in Redis; good mail never counts. */
describe('POST /api/v1/inbound/email/:mailboxId: wrong tokens', () => {
  let gateway: GatewayHarness;
  let notification: NotificationHarness;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('inbound-token-limits', {
      TRUST_PROXY: 'true',
      RATE_LIMIT_INBOUND_TOKEN_FAILURES_PER_MINUTE: String(PER_MAILBOX),
      RATE_LIMIT_INBOUND_TOKEN_FAILURES_PER_IP_PER_MINUTE: String(PER_IP),
    });
    notification = await NotificationHarness.start('inbound-token-limits', {}, { ticket: gateway.ticket });
  });

  afterAll(async () => {
    await notification?.stop();
    await gateway?.stop();
  });

  const unique = () => randomBytes(5).toString('hex');
  /** A distinct client address per test, so the tests' counters do not meet. */
  const clientAddress = () => `203.0.113.${1 + Math.floor(Math.random() * 250)}`;
  const usedAddresses = new Set<string>();
  const freshClient = () => {
    let address = clientAddress();
    while (usedAddresses.has(address)) address = clientAddress();
    usedAddresses.add(address);
    return address;
  };

  async function mailbox(): Promise<MailboxWithTokenView> {
    const admin = await gateway.signup(`Desk ${unique()}`);
    const response = await gateway.call('/mailboxes', { token: admin.accessToken, body: { address: `support-${unique()}@acme.test` } });
    expect(response.status).toBe(201);
    return (await response.json()) as MailboxWithTokenView;
  }

  const mail = () => [`From: Pat <pat-${unique()}@example.org>`, 'To: support@acme.test', `Subject: Help ${unique()}`, `Message-ID: <${unique()}@example.org>`, '', 'Hello.', ''].join('\r\n');
  const post = (mailboxId: string, token: string | undefined, from: string) =>
    fetch(`${gateway.url}/api/v1/inbound/email/${mailboxId}`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822', 'x-forwarded-for': from, ...(token === undefined ? {} : { 'x-helpdesk-inbound-token': token }) },
      body: mail(),
    });

  it('answers 429 with Retry-After once one address sent too many wrong tokens to a mailbox, even for the right token then; other mailboxes and addresses still deliver', async () => {
    const target = await mailbox();
    const other = await mailbox();
    const attacker = freshClient();

    for (let attempt = 1; attempt <= PER_MAILBOX; attempt += 1) {
      const wrong = await post(target.id, attempt === 1 ? undefined : `wrong-${attempt}`, attacker);
      expect(wrong.status).toBe(401);
    }
    const refused = await post(target.id, 'wrong-again', attacker);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(((await refused.json()) as { message: string }).message).toMatch(/^Too many wrong inbound tokens for this mailbox from this address: try again in \d+ seconds$/);
    // Refused before the token is looked at: guessing right now gains nothing.
    expect((await post(target.id, target.inboundToken, attacker)).status).toBe(429);

    expect((await post(other.id, other.inboundToken, attacker)).status).toBe(200);
    expect((await post(target.id, target.inboundToken, freshClient())).status).toBe(200);
  });

  it('never counts accepted mail: a provider posting many mails from one address is not limited', async () => {
    const target = await mailbox();
    const provider = freshClient();
    for (let index = 0; index < PER_IP + PER_MAILBOX; index += 1) expect((await post(target.id, target.inboundToken, provider)).status).toBe(200);
    // Nor does a burst in parallel.
    const burst = await Promise.all(Array.from({ length: PER_IP * 2 }, () => post(target.id, target.inboundToken, provider)));
    expect(burst.map((response) => response.status)).toEqual(Array.from({ length: PER_IP * 2 }, () => 200));
  });

  it('limits one address across mailboxes too, unknown mailbox ids included', async () => {
    const target = await mailbox();
    const sprayer = freshClient();
    for (let attempt = 1; attempt <= PER_IP; attempt += 1) expect((await post(randomUUID(), 'guess', sprayer)).status).toBe(401);

    const refused = await post(randomUUID(), 'guess', sprayer);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { message: string }).message).toMatch(/^Too many wrong inbound tokens from this address/);
    expect((await post(target.id, target.inboundToken, sprayer)).status).toBe(429);
  });

  it('documents the 429 in OpenAPI', async () => {
    const document = (await (await fetch(`${gateway.url}/api/docs-json`)).json()) as { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
    expect(Object.keys(document.paths['/api/v1/inbound/email/{mailboxId}']?.post?.responses ?? {})).toEqual(expect.arrayContaining(['200', '429']));
  });
});
