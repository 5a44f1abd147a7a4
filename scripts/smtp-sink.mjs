import { createServer } from 'node:http';
import { appendFileSync, mkdirSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { DATA_DIR } from './lib/paths.mjs';

/**
 * The local mail sink of `npm start`, used when no SMTP server is configured: it accepts every
 * mail on SMTP_SINK_PORT, logs it, keeps the last 200 in memory and shows them on a small page.
 */
const SMTP_PORT = Number(process.env.SMTP_SINK_PORT || 1025);
const WEB_PORT = Number(process.env.SMTP_SINK_WEB_PORT || 8025);
const KEPT = 200;
const LOG_FILE = `${DATA_DIR}/mail/sink.log`;
const mails = [];

const escapeHtml = (value) => String(value ?? '').replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

mkdirSync(`${DATA_DIR}/mail`, { recursive: true });

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  async onData(stream, session, callback) {
    try {
      const parsed = await simpleParser(stream);
      const mail = {
        receivedAt: new Date().toISOString(),
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        to: session.envelope.rcptTo.map((recipient) => recipient.address),
        subject: parsed.subject ?? '',
        messageId: parsed.messageId ?? '',
        text: parsed.text ?? '',
      };
      mails.unshift(mail);
      mails.length = Math.min(mails.length, KEPT);
      appendFileSync(LOG_FILE, `${JSON.stringify(mail)}\n`);
      process.stdout.write(`mail to ${mail.to.join(', ')}: ${mail.subject}\n`);
      callback();
    } catch (error) {
      callback(error);
    }
  },
});
smtp.listen(SMTP_PORT, '127.0.0.1');

createServer((request, response) => {
  if (request.url === '/mails.json') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(mails));
    return;
  }
  const rows = mails
    .map((mail) => `<article><h2>${escapeHtml(mail.subject)}</h2><p>${escapeHtml(mail.receivedAt)} from ${escapeHtml(mail.from)} to ${escapeHtml(mail.to.join(', '))}</p><pre>${escapeHtml(mail.text)}</pre></article>`)
    .join('\n');
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" });
  response.end(`<!doctype html><meta charset="utf-8"><title>Helpdesk mail sink</title><style>body{font:14px sans-serif;margin:2em}article{border-bottom:1px solid #ccc}pre{white-space:pre-wrap}</style><h1>Mails sent by the local helpdesk (${mails.length})</h1>${rows || '<p>None yet.</p>'}`);
}).listen(WEB_PORT, '127.0.0.1');

process.stdout.write(`SMTP sink on 127.0.0.1:${SMTP_PORT}; mails at http://localhost:${WEB_PORT} and in ${LOG_FILE}\n`);
const stop = () => smtp.close(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
