import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventSubject, type EventEnvelope, type MailboxView, type MailboxWithTokenView } from '@helpdesk/contracts';
import { freePort, TestImapServer, waitFor, type ImapAccount } from '@helpdesk/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { GatewayHarness, type SignedUpAdmin } from '../../../gateway/src/testing/gateway-harness.js';
import { NotificationHarness } from '../testing/notification-harness.js';
import { DataEncryption } from './data-encryption.js';
import { MailboxReaders, type MailboxFailedData } from './mailbox-readers.service.js';

const KEY = randomBytes(32).toString('base64');
const account: ImapAccount = { user: 'support@replicas.test', password: 'replica-secret' };
// Short syncs so a replica takes over quickly; two failures in a row make an incident at once.
const REPLICA_SETTINGS = { DATA_ENCRYPTION_KEY: KEY, MAILBOX_SYNC_SECONDS: '1', IMAP_POLL_SECONDS: '5', MAILBOX_FAILED_AFTER_FAILURES: '2', MAILBOX_FAILED_AFTER_MINUTES: '0' };

function mail(messageId: string): string {
  return [`From: Customer <customer-${messageId}@example.test>`, `To: ${account.user}`, `Subject: Question ${messageId}`, `Message-ID: <${messageId}@example.test>`, '', `Body of ${messageId}`, ''].join('\r\n');
}

describe('IMAP readers across notification replicas', () => {
  let gateway: GatewayHarness;
  let replicas: NotificationHarness[];
  let imap: TestImapServer;
  let admin: SignedUpAdmin;
  let nats: NatsConnection;

  beforeAll(async () => {
    imap = await TestImapServer.start([account]);
    gateway = await GatewayHarness.start('mailbox-readers');
    replicas = [
      await NotificationHarness.start('mailbox-readers-a', REPLICA_SETTINGS, { ticket: gateway.ticket }),
      await NotificationHarness.start('mailbox-readers-b', REPLICA_SETTINGS, { ticket: gateway.ticket }),
    ];
    admin = await gateway.signup();
    nats = await connect({ servers: gateway.ticket.nats.url });
  });

  afterAll(async () => {
    await nats?.close();
    for (const replica of replicas ?? []) await replica.stop().catch(() => undefined);
    await gateway?.stop();
    await imap?.close();
  });

  const readersOf = (replica: NotificationHarness) => replica.service.app.get(MailboxReaders).reading;
  const mailboxView = async (id: string) => (await (await gateway.call(`/mailboxes/${id}`, { token: admin.accessToken })).json()) as MailboxView;

  it('leaves a mailbox alone while the lease of a replica that died is current, and takes it over once it expired', async () => {
    const address = `orphaned-${randomBytes(3).toString('hex')}@replicas.test`;
    const created = (await (await gateway.call('/mailboxes', { token: admin.accessToken, body: { address } })).json()) as MailboxWithTokenView;
    // A replica killed while reading it: its lease row stays behind, with a few seconds left.
    await gateway.ticket.dataSource.query(`INSERT INTO notification.mailbox_reader_leases (mailbox_id, holder, expires_at) VALUES ($1, 'killed-replica', now() + interval '4 seconds')`, [
      created.id,
    ]);
    const patched = await gateway.call(`/mailboxes/${created.id}`, {
      method: 'PATCH',
      token: admin.accessToken,
      body: { imap: { host: imap.host, port: imap.port, tls: false, user: account.user, password: account.password } },
    });
    expect(patched.status).toBe(200);
    const leaseCurrent = async () => {
      const [row] = (await gateway.ticket.dataSource.query(`SELECT expires_at > now() AS current FROM notification.mailbox_reader_leases WHERE mailbox_id = $1 AND holder = 'killed-replica'`, [created.id])) as Array<{ current: boolean }>;
      return row?.current === true;
    };
    // Syncs run every second on both replicas: while the lease is current, none of them reads the mailbox.
    let checked = 0;
    while (await leaseCurrent()) {
      expect(replicas.some((replica) => readersOf(replica).includes(created.id))).toBe(false);
      checked += 1;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(checked).toBeGreaterThan(0);
    const owner = await waitFor('a live replica taking the expired lease', async () => replicas.find((replica) => readersOf(replica).includes(created.id)));
    const [lease] = (await gateway.ticket.dataSource.query(`SELECT holder FROM notification.mailbox_reader_leases WHERE mailbox_id = $1`, [created.id])) as Array<{ holder: string }>;
    expect(lease?.holder).toBe(owner.service.app.get(MailboxReaders).holder);
    await waitFor('a first poll by the new owner', async () => (await mailboxView(created.id)).status.lastPollAt ?? undefined);
    expect(replicas.filter((replica) => readersOf(replica).includes(created.id))).toHaveLength(1);
    expect((await gateway.call(`/mailboxes/${created.id}`, { method: 'DELETE', token: admin.accessToken })).status).toBe(204);
  });

  it('stops a reader whose lease another replica holds now, and leaves the mailbox to that holder', async () => {
    const address = `stolen-${randomBytes(3).toString('hex')}@replicas.test`;
    const created = (await (
      await gateway.call('/mailboxes', { token: admin.accessToken, body: { address, imap: { host: imap.host, port: imap.port, tls: false, user: account.user, password: account.password } } })
    ).json()) as MailboxWithTokenView;
    const owner = await waitFor('a replica reading the mailbox', async () => replicas.find((replica) => readersOf(replica).includes(created.id)));
    // As after a pause longer than the lease (a frozen process, a partition): another replica took the expired lease.
    await gateway.ticket.dataSource.query(`UPDATE notification.mailbox_reader_leases SET holder = 'replica-elsewhere', expires_at = now() + interval '1 hour' WHERE mailbox_id = $1`, [created.id]);
    await waitFor('the reader stopping at its next renewal', async () => !readersOf(owner).includes(created.id) || undefined);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(replicas.filter((replica) => readersOf(replica).includes(created.id))).toHaveLength(0);
    // The holder gone (its lease deleted), the mailbox is read again.
    await gateway.ticket.dataSource.query(`DELETE FROM notification.mailbox_reader_leases WHERE mailbox_id = $1`, [created.id]);
    await waitFor('a replica reading the mailbox again', async () => replicas.find((replica) => readersOf(replica).includes(created.id)));
    expect((await gateway.call(`/mailboxes/${created.id}`, { method: 'DELETE', token: admin.accessToken })).status).toBe(204);
  });

  it('reads each mailbox on exactly one replica, and another replica takes over when that one stops', async () => {
    const created = (await (
      await gateway.call('/mailboxes', { token: admin.accessToken, body: { address: account.user, imap: { host: imap.host, port: imap.port, tls: false, user: account.user, password: account.password } } })
    ).json()) as MailboxWithTokenView;

    const owner = await waitFor('a replica reading the mailbox', async () => replicas.find((replica) => readersOf(replica).includes(created.id)));
    const other = replicas.find((replica) => replica !== owner)!;
    // Several syncs pass on the other replica: it never starts a second reader.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(readersOf(other)).not.toContain(created.id);

    await imap.append(account, mail('first'));
    await waitFor('the first mail as a ticket', async () => (await mailboxView(created.id)).status.counts.ticketsCreated === 1 || undefined);
    expect((await mailboxView(created.id)).status.lastPollAt).not.toBeNull();

    const ownerName = owner.service.app.get(MailboxReaders).holder;
    await owner.stop();
    replicas = [other];
    // A replica that stops hands its leases back at once rather than leaving them to expire.
    const leftBehind = (await gateway.ticket.dataSource.query(`SELECT 1 FROM notification.mailbox_reader_leases WHERE holder = $1`, [ownerName])) as unknown[];
    expect(leftBehind).toHaveLength(0);
    await waitFor('the other replica taking the mailbox over', async () => readersOf(other).includes(created.id) || undefined, 15_000);
    await imap.append(account, mail('second'));
    await waitFor('the second mail as a ticket', async () => (await mailboxView(created.id)).status.counts.ticketsCreated === 2 || undefined);
    expect((await mailboxView(created.id)).status.counts).toMatchObject({ received: 2, ticketsCreated: 2, failures: 0 });

    expect((await gateway.call(`/mailboxes/${created.id}`, { method: 'DELETE', token: admin.accessToken })).status).toBe(204);
    await waitFor('the reader stopping with the mailbox deleted', async () => !readersOf(other).includes(created.id) || undefined);
  });

  /** A sample without labels of its own, from the replica's /metrics. */
  const scraped = async (replica: NotificationHarness, metric: string) => {
    const text = await (await fetch(`http://127.0.0.1:${replica.service.metricsPort}/metrics`)).text();
    return Number(new RegExp(`^${metric}\\{service="notification"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  };
  const failingInTable = async () => Number((await gateway.ticket.dataSource.query(`SELECT count(*)::int AS n FROM notification.mailboxes WHERE failure_announced_at IS NOT NULL`))[0].n);

  it('announces a mailbox that keeps failing once (mailbox.failed), stays ready, and closes the incident when it recovers', async () => {
    const failedEvents: Array<EventEnvelope<MailboxFailedData>> = [];
    const subscription = nats.subscribe(eventSubject('mailbox.failed'), { callback: (_error, message) => void failedEvents.push(message.json()) });
    const address = `failing-${randomBytes(3).toString('hex')}@replicas.test`;
    const created = (await (
      await gateway.call('/mailboxes', { token: admin.accessToken, body: { address, imap: { host: imap.host, port: imap.port, tls: false, user: account.user, password: account.password } } })
    ).json()) as MailboxWithTokenView;
    await waitFor('a first successful poll', async () => (await mailboxView(created.id)).status.lastPollAt ?? undefined);

    // The mail server moves away (a port nothing listens on), as when it is down: the reader restarts on the new settings and fails.
    // (Stopping Dovecot would not do: its logged-in imap processes outlive the master and keep serving the session.)
    const setPort = (port: number) => gateway.ticket.dataSource.query(`UPDATE notification.mailboxes SET imap_port = $2 WHERE id = $1`, [created.id, port]);
    await setPort(await freePort());
    const failing = await waitFor('the mailbox failing', async () => {
      const view = await mailboxView(created.id);
      return view.status.failing ? view : undefined;
    }, 30_000);
    expect(failing.status.lastError).toMatch(/ECONNREFUSED/);
    expect(await scraped(replicas[0]!, 'helpdesk_mailboxes_failing')).toBe(await failingInTable());
    expect(await scraped(replicas[0]!, 'helpdesk_mailboxes_failing')).toBeGreaterThanOrEqual(1);
    expect(Math.max(...(await Promise.all(replicas.map((replica) => scraped(replica, 'helpdesk_mailbox_poll_failures_total')))))).toBeGreaterThanOrEqual(1);
    expect(failing.status.lastError).not.toContain(account.password);
    const ready = await fetch(`http://127.0.0.1:${replicas[0]!.config.NOTIFICATION_PORT}/health/ready`);
    expect(ready.status).toBe(200);
    // More failures of the same incident announce nothing more.
    await waitFor('more failures', async () => (await mailboxView(created.id)).status.consecutiveFailures >= 4 || undefined, 40_000);

    await setPort(imap.port);
    const recovered = await waitFor('the mailbox recovering', async () => {
      const view = await mailboxView(created.id);
      return view.status.failing ? undefined : view;
    }, 60_000);
    expect(recovered.status).toMatchObject({ lastError: null, consecutiveFailures: 0 });
    expect(await scraped(replicas[0]!, 'helpdesk_mailboxes_failing')).toBe(await failingInTable());
    subscription.unsubscribe();

    const ours = failedEvents.filter((event) => event.aggregateId === created.id);
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({ type: 'mailbox.failed', orgId: admin.organization.id, data: { mailboxId: created.id, address } });
    expect(JSON.stringify(ours[0])).not.toContain(account.password);

    // The organization's admin hears of it by mail, once (whichever replica consumed the event sent it).
    const adminMails = () => replicas.flatMap((replica) => replica.sink.mailsTo(admin.user.email)).filter((received) => received.subject.includes(`Mailbox ${address} keeps failing`));
    await waitFor('the admin mail', async () => adminMails().length > 0 || undefined);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(adminMails()).toHaveLength(1);
    expect(adminMails()[0]!.text).toContain('ECONNREFUSED');
  });

  it('leaves a mailbox whose password no configured key opens with an error saying so, without holding up the others', async () => {
    const imapSettings = { host: imap.host, port: imap.port, tls: false, user: account.user, password: account.password };
    const create = async (address: string) => (await (await gateway.call('/mailboxes', { token: admin.accessToken, body: { address, imap: imapSettings } })).json()) as MailboxWithTokenView;
    const broken = await create(`broken-${randomBytes(3).toString('hex')}@replicas.test`);
    const foreign = new DataEncryption(randomBytes(32).toString('base64')).encrypt(account.password);
    await gateway.ticket.dataSource.query(`UPDATE notification.mailboxes SET imap_password_encrypted = $2 WHERE id = $1`, [broken.id, foreign]);

    const shown = await waitFor('the reader refusing to start', async () => {
      const view = await mailboxView(broken.id);
      return view.status.lastError?.includes('cannot start') ? view : undefined;
    });
    expect(shown.status.lastError).not.toContain(account.password);
    const healthy = await create(`healthy-${randomBytes(3).toString('hex')}@replicas.test`);
    await waitFor('the other mailbox read', async () => (await mailboxView(healthy.id)).status.lastPollAt ?? undefined);
  });
});
