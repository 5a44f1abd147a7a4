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

const { PORT, DB_NAME, ORG_ID, REQUESTER_ID } = process.env;
const pool = new pg.Pool({ host: process.env.DB_HOST || '127.0.0.1', user: process.env.DB_USER || 'postgres', database: DB_NAME, max: 10 });
const app = Fastify({ logger: false });

app.post<{ Body: { subject: string; description: string; priority?: string } }>('/tickets', async (request, reply) => {
  const { subject, description, priority = 'normal' } = request.body;
  const { rows } = await pool.query(
    `WITH reserved AS (
       UPDATE helpdesk.organizations SET next_ticket_number = next_ticket_number + 1 WHERE id = $1 RETURNING next_ticket_number - 1 AS number
     ), ticket AS (
       INSERT INTO helpdesk.tickets (organization_id, number, subject, description, priority, channel, requester_id, created_at, updated_at)
       SELECT $1::uuid, reserved.number, $2::text, $3::text, $4::text, 'api', $5::uuid, now(), now() FROM reserved
       RETURNING id, organization_id, number, status, priority, created_at
     ), history AS (
       INSERT INTO helpdesk.ticket_events (organization_id, ticket_id, actor_id, action, changes)
       SELECT organization_id, id, $5::uuid, 'created', jsonb_build_object('subject', jsonb_build_array(NULL, $2::text)) FROM ticket
     ), outbox AS (
       INSERT INTO helpdesk.outbox (id, organization_id, aggregate_id, type, envelope)
       SELECT $6::uuid, organization_id, id, 'ticket.created', jsonb_build_object('ticket', to_jsonb(ticket)) FROM ticket
     )
     SELECT id, number, status, priority, created_at FROM ticket`,
    [ORG_ID, subject, description, priority, REQUESTER_ID, randomUUID()],
  );
  return reply.code(201).send(rows[0]);
});

await app.listen({ host: '127.0.0.1', port: Number(PORT) });
process.send?.('ready');
process.on('SIGTERM', () => void app.close().then(() => pool.end()).then(() => process.exit(0)));
