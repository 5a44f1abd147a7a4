import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INBOUND_TOKEN_HEADER, type InboundResultView, type MailboxWithTokenView } from '@helpdesk/contracts';
import { GatewayHarness } from '../../../gateway/src/testing/gateway-harness.js';
import { NotificationHarness } from '../testing/notification-harness.js';
import { InboundMailRetention } from './inbound-mail-retention.js';
import { InboundMailStore } from './inbound-mail-store.js';

describe('Retention of raw inbound messages (INBOUND_MAIL_RETENTION_DAYS)', () => {
  let gateway: GatewayHarness;
  let harness: NotificationHarness;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('inbound-retention');
    harness = await NotificationHarness.start('inbound-retention', { INBOUND_MAIL_RETENTION_DAYS: '30' }, { ticket: gateway.ticket });
  });

  afterAll(async () => {
    await harness?.stop();
    await gateway?.stop();
  });

  it('deletes raw messages older than the retention from the bucket and keeps their records; newer ones stay', async () => {
    const admin = await gateway.signup();
    const mailbox = (await (await gateway.call('/mailboxes', { token: admin.accessToken, body: { address: `support-${randomBytes(4).toString('hex')}@acme.test` } })).json()) as MailboxWithTokenView;
    const deliver = async (messageId: string) => {
      const raw = ['From: Customer <customer@example.test>', `To: ${mailbox.address}`, `Subject: ${messageId}`, `Message-ID: <${messageId}@example.test>`, '', 'Hello', ''].join('\r\n');
      const response = await fetch(`${gateway.url}/api/v1/inbound/email/${mailbox.id}`, { method: 'POST', headers: { 'content-type': 'message/rfc822', [INBOUND_TOKEN_HEADER]: mailbox.inboundToken }, body: raw });
      return (await response.json()) as InboundResultView;
    };
    await deliver('old-one');
    await deliver('new-one');
    const db = gateway.ticket.dataSource;
    await db.query(`UPDATE notification.inbound_messages SET received_at = now() - interval '31 days' WHERE mailbox_id = $1 AND message_id = '<old-one@example.test>'`, [mailbox.id]);
    const keyOf = async (messageId: string) =>
      ((await db.query(`SELECT object_key, raw_purged_at FROM notification.inbound_messages WHERE mailbox_id = $1 AND message_id = $2`, [mailbox.id, `<${messageId}@example.test>`])) as Array<{ object_key: string; raw_purged_at: Date | null }>)[0]!;
    const store = harness.service.app.get(InboundMailStore);
    const old = await keyOf('old-one');
    expect((await store.read(old.object_key)).toString()).toContain('Subject: old-one');

    const purged = await harness.service.app.get(InboundMailRetention).purgeExpired();

    expect(purged).toBe(1);
    await expect(store.read(old.object_key)).rejects.toThrow(/No raw message/);
    expect((await keyOf('old-one')).raw_purged_at).not.toBeNull();
    const recent = await keyOf('new-one');
    expect(recent.raw_purged_at).toBeNull();
    expect((await store.read(recent.object_key)).toString()).toContain('Subject: new-one');
    // Its record still makes a late copy a duplicate.
    expect((await deliver('old-one')).outcome).toBe('duplicate');
    expect(await harness.service.app.get(InboundMailRetention).purgeExpired()).toBe(0);
  });
});
