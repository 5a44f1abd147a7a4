/**
 * The baselines' ticket creation: the ticket service's writes in one statement (number reservation,
 * ticket row, history row, outbox row). Parameters: organization, subject, description, priority,
 * requester, event id.
 */
export const CREATE_TICKET_SQL = `WITH reserved AS (
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
     SELECT id, number, status, priority, created_at FROM ticket`;
