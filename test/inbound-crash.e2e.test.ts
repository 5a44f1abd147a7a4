import { randomBytes } from 'node:crypto';
import { subjects, type MailboxWithTokenView, type Principal } from '@helpdesk/contracts';
import { deleteRedisKeys, migrateBuilt, SERVICE_SPECS, ServiceProcess, TestImapServer, waitFor, type ImapAccount } from '@helpdesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundCrashPoint } from '../apps/notification/src/inbound/inbound-crash-points.js';
import { SmtpSink } from '../apps/notification/src/testing/smtp-sink.js';
import { TicketHarness } from '../apps/ticket/src/testing/ticket-harness.js';

/**
 * The notification service reading a real Dovecot over IMAP, killed (SIGKILL) in the middle of one
 * message at each point the pipeline passes: after recording the message, after the ticket
 * service committed the change but before the record did, and after both committed but before the
 * message was flagged `\Seen`. Restarted, it reads the still unread message again, and the
 * (mailbox, Message-ID) record with its change id makes exactly one ticket or comment of it.
 *
 * The kill comes from inside: the test-only fault hook INBOUND_CRASH_AT (inbound-crash-points.ts,
 * honoured only with NODE_ENV=test) SIGKILLs the process at that point, which no outside timing
 * could hit reliably. The process is the built notification service, which starts the mailbox's
 * IMAP reader itself (MailboxReaders); the lease it leaves expires (3 syncs of 1 s), and the next run takes over.
 */
const notification = SERVICE_SPECS.find((spec) => spec.name === 'notification')!;
const CRASH_POINTS: InboundCrashPoint[] = ['after-record', 'before-record-commit', 'after-commit'];
const account: ImapAccount = { user: 'support@crash.test', password: 'dovecot-secret' };
const CUSTOMER = 'carla@customer.test';

describe('the notification service killed while it turns an IMAP message into a ticket change', () => {
  let ticket: TicketHarness;
  let imap: TestImapServer;
  let sink: SmtpSink;
  let env: Record<string, string>;
  let running: ServiceProcess | undefined;
  let admin: Principal;
  let mailbox: MailboxWithTokenView;

  beforeAll(async () => {
    ticket = await TicketHarness.start('inbound-crash');
    imap = await TestImapServer.start([account]);
    sink = await SmtpSink.start();
    env = {
      NATS_URL: ticket.nats.url,
      DB_NAME: ticket.config.DB_NAME,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      QUEUE_PREFIX: `inbound-crash-${randomBytes(4).toString('hex')}`,
      EMAIL_HOST: '127.0.0.1',
      EMAIL_PORT: String(sink.port),
      DEFAULT_FROM_EMAIL: 'Helpdesk <support@crash.test>',
      DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      EVENTS_STREAM_RETRY_MS: '100',
      // A restarted service finds the mailbox at once and its reader sees the message left unread.
      MAILBOX_SYNC_SECONDS: '1',
      INBOUND_SMTP_PORT: '0',
    };
    migrateBuilt(['notification'], env);
    ({ admin } = await ticket.signup('Crash Desk'));
    running = await start();
    mailbox = await ticket.send<MailboxWithTokenView>(subjects.mailboxes.create, {
      principal: admin,
      address: account.user,
      imap: { host: '127.0.0.1', port: imap.port, tls: false, user: account.user, password: account.password, folder: 'INBOX' },
    });
  }, 90_000);

  afterAll(async () => {
    await running?.kill();
    await imap?.close();
    await sink?.stop();
    await ticket?.stop();
    if (env) await deleteRedisKeys(env.QUEUE_PREFIX!);
  });

  async function start(crashAt?: InboundCrashPoint): Promise<ServiceProcess> {
    const process = await ServiceProcess.start(notification, crashAt ? { ...env, INBOUND_CRASH_AT: crashAt } : env);
    if (!crashAt) await process.waitUntilReady();
    return process;
  }

  const unique = () => randomBytes(6).toString('hex');
  const mail = (messageId: string, subject: string, headers: string[] = []) =>
    [`From: Carla <${CUSTOMER}>`, `To: ${account.user}`, `Subject: ${subject}`, `Message-ID: ${messageId}`, 'Date: Fri, 04 Dec 2026 12:00:00 +0000', ...headers, '', `Text of ${subject}`, ''].join('\r\n');
  const seen = async (messageId: string) => (await imap.flagsByMessageId(account)).get(messageId)?.has('\\Seen') ?? false;
  const record = async (messageId: string) =>
    ((await ticket.dataSource.query(`SELECT id, outcome, ticket_id, comment_id FROM notification.inbound_messages WHERE mailbox_id = $1 AND message_id = $2`, [mailbox.id, messageId])) as Array<{
      id: string;
      outcome: string | null;
      ticket_id: string | null;
      comment_id: string | null;
    }>)[0];
  const ticketsTitled = async (subject: string) =>
    ((await ticket.dataSource.query(`SELECT id FROM helpdesk.tickets WHERE organization_id = $1 AND subject = $2`, [admin.orgId, subject])) as Array<{ id: string }>).map((row) => row.id);
  const commentsSaying = async (text: string) =>
    ((await ticket.dataSource.query(`SELECT id FROM helpdesk.comments WHERE body LIKE $1`, [`%${text}%`])) as Array<{ id: string }>).map((row) => row.id);

  /** Appends the message, runs the service until it kills itself at `point`, checks what it left, and restarts it to finish. */
  async function crashAndRecover(point: InboundCrashPoint, messageId: string, raw: string, changes: () => Promise<string[]>) {
    await running?.kill();
    await imap.append(account, raw);
    const crashing = await start(point);
    running = crashing;
    await crashing.exited(30_000);
    expect(await seen(messageId)).toBe(false);
    const left = await record(messageId);
    expect(left, 'recorded before any crash point').toBeDefined();
    // Before the record commits its outcome, the crash leaves it open; the change is made or not depending on the point.
    expect(left!.outcome === null).toBe(point !== 'after-commit');
    expect(await changes()).toHaveLength(point === 'after-record' ? 0 : 1);

    running = await start();
    await waitFor(`the message read again and flagged \\Seen after the crash ${point}`, () => seen(messageId), 30_000);
    const made = await changes();
    expect(made).toHaveLength(1);
    const settled = await record(messageId);
    // The change carries the record's id, whichever run committed it.
    expect(settled!.outcome).not.toBeNull();
    expect(made[0]).toBe(settled!.id);
    return settled!;
  }

  it.each(CRASH_POINTS)('makes exactly one ticket of a new mail when killed %s', { timeout: 90_000 }, async (point) => {
    const subject = `Printer jam ${point} ${unique()}`;
    const messageId = `<${unique()}@customer.test>`;
    const settled = await crashAndRecover(point, messageId, mail(messageId, subject), () => ticketsTitled(subject));
    expect(settled).toMatchObject({ outcome: 'ticket_created', comment_id: null });
  });

  it.each(CRASH_POINTS)('makes exactly one comment of a reply when killed %s', { timeout: 90_000 }, async (point) => {
    // The ticket the reply answers, opened by mail without a crash.
    const subject = `Scanner ${point} ${unique()}`;
    const openingId = `<${unique()}@customer.test>`;
    await imap.append(account, mail(openingId, subject));
    await waitFor('the opening mail read', () => seen(openingId), 30_000);
    const [ticketId] = await ticketsTitled(subject);
    expect(ticketId).toBeDefined();

    const replyId = `<${unique()}@customer.test>`;
    const text = `Reply ${unique()}`;
    const reply = mail(replyId, `Re: ${subject}`, [`In-Reply-To: ${openingId}`, `References: ${openingId}`]).replace(`Text of Re: ${subject}`, text);
    const settled = await crashAndRecover(point, replyId, reply, () => commentsSaying(text));
    expect(settled).toMatchObject({ outcome: 'comment_added', ticket_id: ticketId });
    expect(await ticketsTitled(subject)).toEqual([ticketId]);
  });
});
