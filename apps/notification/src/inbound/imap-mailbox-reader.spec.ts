import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestImapServer, waitFor, type ImapAccount } from '@helpdesk/testing';
import { ImapMailboxReader, type ImapMessage, type ImapReaderStatus } from './imap-mailbox-reader.js';

const account: ImapAccount = { user: 'support@reader.test', password: 'mailbox-secret' };

function mail(messageId: string, subject = messageId): string {
  return [`From: Customer <customer@example.test>`, `To: ${account.user}`, `Subject: ${subject}`, `Message-ID: <${messageId}@example.test>`, 'Date: Fri, 04 Dec 2026 04:00:00 +0000', '', `Body of ${subject}`, ''].join('\r\n');
}

function messageIdOf(message: ImapMessage): string {
  return /^Message-ID: <([^>]+)@/m.exec(message.source.toString('utf8'))?.[1] ?? '';
}

describe('ImapMailboxReader against Dovecot', () => {
  let server: TestImapServer;
  let reader: ImapMailboxReader | undefined;

  beforeAll(async () => {
    server = await TestImapServer.start([account]);
  });
  afterEach(async () => {
    await reader?.stop();
    reader = undefined;
  });
  afterAll(async () => {
    await server?.close();
  });

  function startReader(deliver: (message: ImapMessage) => Promise<void>, folder = 'INBOX', statuses: ImapReaderStatus[] = []) {
    reader = new ImapMailboxReader({ host: server.host, port: server.port, tls: false, user: account.user, password: account.password, folder }, deliver, {
      pollSeconds: 60,
      backoff: { initialDelay: 50, maxDelay: 300 },
      connectionTimeoutMs: 5_000,
      onStatus: (status) => statuses.push(status),
    });
    reader.start();
    return reader;
  }

  it('delivers unread mail oldest first, flags it \\Seen only after delivery, and leaves read mail alone', async () => {
    await server.append(account, mail('already-read'), 'INBOX', ['\\Seen']);
    await server.append(account, mail('first'));
    await server.append(account, mail('second'));
    const delivered: string[] = [];
    const unseenWhileDelivering: boolean[] = [];
    startReader(async (message) => {
      const flags = await server.flagsByMessageId(account);
      unseenWhileDelivering.push(!flags.get(`<${messageIdOf(message)}@example.test>`)?.has('\\Seen'));
      delivered.push(messageIdOf(message));
    });
    await waitFor('both unread mails delivered', async () => delivered.length === 2);
    expect(delivered).toEqual(['first', 'second']);
    expect(unseenWhileDelivering).toEqual([true, true]);
    const flags = await waitFor('the delivered mails flagged', async () => {
      const current = await server.flagsByMessageId(account);
      return current.get('<second@example.test>')?.has('\\Seen') ? current : undefined;
    });
    expect(flags.get('<first@example.test>')?.has('\\Seen')).toBe(true);
  });

  it('notices new mail through IDLE without waiting for the poll interval', async () => {
    await server.append(account, mail('idle-folder-setup'), 'INBOX', ['\\Seen']);
    const delivered: string[] = [];
    const statuses: ImapReaderStatus[] = [];
    startReader(async (message) => void delivered.push(messageIdOf(message)), 'INBOX', statuses);
    await waitFor('the first read of the folder', async () => statuses.some((status) => status.lastPollAt));
    await server.append(account, mail('arrives-while-idle'));
    // pollSeconds is 60: within 10 s only the server's EXISTS during IDLE can have woken the reader.
    await waitFor('the new mail delivered', async () => delivered.includes('arrives-while-idle'), 10_000);
    expect(delivered).toEqual(['arrives-while-idle']);
  });

  it('leaves a mail unread when its delivery fails, records the error, and delivers it on the next attempt', async () => {
    await server.append(account, mail('fails-once'));
    const statuses: ImapReaderStatus[] = [];
    let attempts = 0;
    startReader(
      async (message) => {
        if (messageIdOf(message) !== 'fails-once') return;
        attempts += 1;
        if (attempts === 1) throw new Error('ticket service unavailable');
      },
      'INBOX',
      statuses,
    );
    await waitFor('the second attempt', async () => attempts >= 2 && statuses.at(-1)?.lastError === null);
    expect(statuses.some((status) => status.lastError === 'ticket service unavailable' && status.consecutiveFailures === 1)).toBe(true);
    const flags = await server.flagsByMessageId(account);
    expect(flags.get('<fails-once@example.test>')?.has('\\Seen')).toBe(true);
    expect(attempts).toBe(2);
  });

  it('reconnects after Dovecot restarts and reads what arrived meanwhile', async () => {
    const delivered: string[] = [];
    const statuses: ImapReaderStatus[] = [];
    startReader(async (message) => void delivered.push(messageIdOf(message)), 'INBOX', statuses);
    await waitFor('the first read of the folder', async () => statuses.some((status) => status.lastPollAt));
    await server.stop();
    await waitFor('the lost connection reported', async () => statuses.some((status) => status.lastError !== null));
    await server.restart();
    await server.append(account, mail('after-restart'));
    await waitFor('the mail delivered after the restart', async () => delivered.includes('after-restart'), 15_000);
    expect(reader?.status.consecutiveFailures).toBe(0);
  });

  it('reports a wrong password as the mailbox error and keeps trying', async () => {
    const statuses: ImapReaderStatus[] = [];
    reader = new ImapMailboxReader({ host: server.host, port: server.port, tls: false, user: account.user, password: 'wrong', folder: 'INBOX' }, async () => {}, {
      pollSeconds: 60,
      backoff: { initialDelay: 50, maxDelay: 200 },
      onStatus: (status) => statuses.push(status),
    });
    reader.start();
    const failing = await waitFor('two failed attempts', async () => statuses.find((status) => status.consecutiveFailures >= 2));
    expect(failing.lastError).toMatch(/^The IMAP server refused the login of support@reader\.test/);
    expect(failing.lastPollAt).toBeNull();
  });
});
