/**
 * The floor of the pipeline benchmark: one process doing only the I/O every ticket needs, with
 * nothing between the steps. Fastify and pg write the ticket in the request-path baseline's single
 * statement and answer 201; then a bare Socket.IO server sends one frame to each socket of the room
 * and nodemailer (pooled, as many connections as the platform's mail worker) sends the two mails to
 * the same SMTP server. No auth, no NATS or outbox, no queue, no retries, no triage, no delivery log:
 * whatever a design spends above this floor is what durability and the services' separation cost.
 */
import Fastify from 'fastify';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { Server } from 'socket.io';
import { randomUUID } from 'node:crypto';
import { CREATE_TICKET_SQL } from './create-ticket-statement.js';

const { PORT, DB_NAME, ORG_ID, REQUESTER_ID, SMTP_PORT, MAIL_CONNECTIONS } = process.env;
const pool = new pg.Pool({ host: process.env.DB_HOST || '127.0.0.1', user: process.env.DB_USER || 'postgres', database: DB_NAME, max: 10 });
const mail = nodemailer.createTransport({ host: '127.0.0.1', port: Number(SMTP_PORT), secure: false, ignoreTLS: true, pool: true, maxConnections: Number(MAIL_CONNECTIONS ?? 5) });
const app = Fastify({ logger: false });
const io = new Server(app.server, { path: '/socket.io', transports: ['websocket'] });
io.on('connection', (socket) => void socket.join('organization'));

/** The confirmation to the requester and the new-ticket mail to a second admin, threaded as the platform's are. */
function sendMails(ticket: { id: string; number: number; subject: string }, requesterEmail: string): void {
  for (const to of [requesterEmail, 'second-admin@bench.test']) {
    mail
      .sendMail({
        from: 'Helpdesk <support@bench.test>',
        to,
        subject: `[#${ticket.number}] ${ticket.subject}`,
        text: `Ticket #${ticket.number} was opened: ${ticket.subject}`,
        inReplyTo: `<ticket-${ticket.id}@bench.test>`,
        references: [`<ticket-${ticket.id}@bench.test>`],
      })
      .catch((error: Error) => console.error(`floor mail failed: ${error.message}`));
  }
}

app.post<{ Body: { subject: string; description: string; priority?: string; requesterEmail: string } }>('/tickets', async (request, reply) => {
  const { subject, description, priority = 'normal', requesterEmail } = request.body;
  const { rows } = await pool.query(
    CREATE_TICKET_SQL,
    [ORG_ID, subject, description, priority, REQUESTER_ID, randomUUID()],
  );
  const ticket = { ...(rows[0] as { id: string; number: number }), subject };
  await reply.code(201).send(ticket);
  io.to('organization').emit('ticket.created', { type: 'ticket.created', aggregateId: ticket.id, data: { ticket } });
  sendMails(ticket, requesterEmail);
});

await app.listen({ host: '127.0.0.1', port: Number(PORT) });
process.send?.('ready');
process.on('SIGTERM', () => {
  mail.close();
  // Closes the HTTP server too.
  io.close(() => void pool.end().then(() => process.exit(0)));
});
