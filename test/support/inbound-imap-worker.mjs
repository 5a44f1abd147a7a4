// The built notification service, plus an IMAP reader (ImapMailboxReader, the production class) for
// every mailbox with IMAP settings, delivering through the service's InboundIntake: the service
// itself does not start readers yet, and the inbound crash test must kill a process that reads
// Dovecot and commits ticket changes. New mailboxes are picked up within a second. Plain JS over
// dist/, like the service's own entry point, so the test kills exactly what runs in production.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { startService } from '../../dist/libs/common/src/bootstrap.js';
import { loadConfig } from '../../dist/libs/common/src/config/load-config.js';
import { notificationApp } from '../../dist/apps/notification/src/notification.app.js';
import { ImapMailboxReader } from '../../dist/apps/notification/src/inbound/imap-mailbox-reader.js';
import { InboundIntake } from '../../dist/apps/notification/src/inbound/inbound-intake.js';
import { Mailboxes } from '../../dist/apps/notification/src/mailboxes/mailboxes.service.js';

const { app } = await startService(notificationApp, loadConfig(notificationApp.configClass));
const dataSource = app.get(DataSource);
const intake = app.get(InboundIntake);
const mailboxes = app.get(Mailboxes);
const started = new Set();

async function startReaders() {
  const rows = await dataSource.query(
    `SELECT id, organization_id, address, imap_host, imap_port, imap_tls, imap_user, imap_folder FROM notification.mailboxes WHERE imap_host IS NOT NULL`,
  );
  for (const row of rows) {
    if (started.has(row.id)) continue;
    started.add(row.id);
    const mailbox = { id: row.id, organizationId: row.organization_id, address: row.address };
    const settings = { host: row.imap_host, port: row.imap_port, tls: row.imap_tls, user: row.imap_user, password: await mailboxes.imapPassword(row.id), folder: row.imap_folder };
    new ImapMailboxReader(settings, async (message) => void (await intake.receive(mailbox, message.source)), { pollSeconds: 1, backoff: { initialDelay: 100, maxDelay: 500 } }).start();
  }
}

await startReaders();
setInterval(() => void startReaders().catch((error) => process.stderr.write(`inbound worker: ${error.message}\n`)), 1_000);
process.on('SIGTERM', () => process.exit(0));
