/**
 * The baseline of the inbound benchmark: one process accepting mail with smtp-server, parsing each
 * with mailparser and writing one row per mail to PostgreSQL before answering 250. What the platform
 * adds on top is the price of a helpdesk: the raw message kept in the object store, the record that
 * makes a mail count once, classification, threading, the sender's account, the ticket, its history,
 * SLA and outbox rows, the event, and the acknowledgement and triage that follow.
 */
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import pg from 'pg';

const { PORT, DB_NAME } = process.env;
const pool = new pg.Pool({ host: process.env.DB_HOST || '127.0.0.1', user: process.env.DB_USER || 'postgres', database: DB_NAME, max: 10 });
await pool.query('CREATE TABLE IF NOT EXISTS bench_inbound_baseline (id bigserial PRIMARY KEY, message_id text, sender text, subject text, body text)');

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, _session, callback) {
    simpleParser(stream)
      .then((mail) =>
        pool.query('INSERT INTO bench_inbound_baseline (message_id, sender, subject, body) VALUES ($1, $2, $3, $4)', [mail.messageId, mail.from?.value[0]?.address, mail.subject, mail.html || mail.text]),
      )
      .then(() => callback(), callback);
  },
});
server.listen(Number(PORT), '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
