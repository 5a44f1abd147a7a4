/**
 * The baseline of the ticket-creation benchmark: one process, Fastify and pg, no auth, no NATS, doing
 * the same writes as the ticket service in the same single statement (number reservation, ticket
 * row, history row, outbox row). What the platform adds on top of this is the price of its
 * architecture: authentication, validation, NATS, the caller and SLA policy read, the outbox relay,
 * the SLA timer and the AI triage.
 */
import Fastify from 'fastify';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { CREATE_TICKET_SQL } from './create-ticket-statement.js';

const { PORT, DB_NAME, ORG_ID, REQUESTER_ID } = process.env;
const pool = new pg.Pool({ host: process.env.DB_HOST || '127.0.0.1', user: process.env.DB_USER || 'postgres', database: DB_NAME, max: 10 });
const app = Fastify({ logger: false });

app.post<{ Body: { subject: string; description: string; priority?: string } }>('/tickets', async (request, reply) => {
  const { subject, description, priority = 'normal' } = request.body;
  const { rows } = await pool.query(
    CREATE_TICKET_SQL,
    [ORG_ID, subject, description, priority, REQUESTER_ID, randomUUID()],
  );
  return reply.code(201).send(rows[0]);
});

await app.listen({ host: '127.0.0.1', port: Number(PORT) });
process.send?.('ready');
process.on('SIGTERM', () => void app.close().then(() => pool.end()).then(() => process.exit(0)));
