/**
 * The pipeline benchmark's SMTP server, in its own process so that its CPU is reported apart from
 * the platform's and the load generator's. It accepts every mail and tells its parent, in batches
 * over IPC, which ticket each mail was about (from In-Reply-To, which every ticket mail carries) and
 * when it was accepted. Only that header is read: parsing whole mails would compete with the
 * platform for the CPU being measured.
 */
import { SMTPServer } from 'smtp-server';

/** `In-Reply-To: <ticket-<uuid>@domain>` (apps/notification/src/mail/threading.ts). */
const TICKET_THREAD = /^In-Reply-To:\s*<ticket-([0-9a-f-]{36})@/im;
const FLUSH_MS = 50;

/** [ticket id ('' for a mail about no ticket), epoch ms accepted] */
let accepted: Array<[string, number]> = [];

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, _session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', (error: Error) => callback(error));
    stream.on('end', () => {
      const raw = Buffer.concat(chunks);
      const headerEnd = raw.indexOf('\r\n\r\n');
      const ticketId = TICKET_THREAD.exec(raw.toString('latin1', 0, headerEnd < 0 ? raw.length : headerEnd))?.[1] ?? '';
      accepted.push([ticketId, performance.timeOrigin + performance.now()]);
      callback();
    });
  },
});

setInterval(() => {
  if (accepted.length === 0) return;
  process.send?.({ accepted });
  accepted = [];
}, FLUSH_MS);

server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
