/**
 * The baseline of the ticket-creation benchmark: one process, Fastify and pg, no auth, no NATS, doing
 * the same writes as the ticket service in one transaction (number reservation, ticket row, history
 * row, outbox row). What the platform adds on top of this is the price of its architecture.
 */
import Fastify from 'fastify';
import pg from 'pg';
import { randomUUID } from 'node:crypto';

const { PORT, DB_NAME, ORG_ID, REQUESTER_ID } = process.env;
const pool = new pg.Pool({ host: process.env.DB_HOST || '127.0.0.1', user: process.env.DB_USER || 'postgres', database: DB_NAME, max: 10 });
const app = Fastify({ logger: false });

app.post<{ Body: { subject: string; description: string; priority?: string } }>('/tickets', async (request, reply) => {
  const { subject, description, priority = 'normal' } = request.body;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query('UPDATE helpdesk.organizations SET next_ticket_number = next_ticket_number + 1 WHERE id = $1 RETURNING next_ticket_number - 1 AS number', [ORG_ID]);
    const ticket = await client.query(
      `INSERT INTO helpdesk.tickets (organization_id, number, subject, description, priority, channel, requester_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'api', $6, now(), now()) RETURNING id, number, status, priority, created_at`,
      [ORG_ID, rows[0].number, subject, description, priority, REQUESTER_ID],
    );
    const created = ticket.rows[0];
    await client.query(`INSERT INTO helpdesk.ticket_events (organization_id, ticket_id, actor_id, action, changes) VALUES ($1, $2, $3, 'created', $4)`, [ORG_ID, created.id, REQUESTER_ID, { subject: [null, subject] }]);
    await client.query(`INSERT INTO helpdesk.outbox (id, organization_id, aggregate_id, type, envelope) VALUES ($1, $2, $3, 'ticket.created', $4)`, [randomUUID(), ORG_ID, created.id, { ticket: created }]);
    await client.query('COMMIT');
    return reply.code(201).send(created);
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
});

await app.listen({ host: '127.0.0.1', port: Number(PORT) });
process.send?.('ready');
process.on('SIGTERM', () => void app.close().then(() => pool.end()).then(() => process.exit(0)));
