/**
 * An integration as a customer would write it: an API token (created under Admin > API tokens with
 * `tickets:read` and `tickets:write`), a ticket, a comment on it, and the tickets still waiting (new or open) listed.
 * Typed by the client generated from the gateway's OpenAPI document (see docs/api.md):
 *
 *   npx openapi-typescript http://localhost:8080/api/docs-json -o examples/api-client/api-schema.d.ts
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './api-schema.js';

type Ticket = components['schemas']['TicketView'];
type Comment = components['schemas']['CommentView'];

export interface ScriptResult {
  ticket: Ticket;
  comment: Comment;
  openTickets: Ticket[];
}

export async function runIntegration(baseUrl: string, apiToken: string, log: (line: string) => void = console.log): Promise<ScriptResult> {
  const client = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${apiToken}` } });

  const created = await client.POST('/api/v1/tickets', {
    body: { subject: 'The printer on floor 3 is on fire', description: 'Smoke since 9:00; the extinguisher is empty.', priority: 'urgent', tags: ['facilities'] },
  });
  if (!created.data) throw new Error(`creating the ticket answered ${created.response.status}: ${describe(created.error)}`);
  const ticket = created.data;
  log(`created ticket #${ticket.number} (${ticket.status}, ${ticket.priority})`);

  const commented = await client.POST('/api/v1/tickets/{id}/comments', {
    params: { path: { id: ticket.id } },
    body: { body: 'Facilities are on their way.', internal: true },
  });
  if (!commented.data) throw new Error(`commenting answered ${commented.response.status}: ${describe(commented.error)}`);
  const comment = commented.data;
  log(`commented at ${comment.createdAt}`);

  const listed = await client.GET('/api/v1/tickets', { params: { query: { status: ['new', 'open'], limit: 25 } } });
  if (!listed.data) throw new Error(`listing answered ${listed.response.status}: ${describe(listed.error)}`);
  for (const open of listed.data.items) log(`#${open.number} ${open.subject} [${open.tags.join(', ')}]`);
  return { ticket, comment, openTickets: listed.data.items };
}

/** Every error answers the same envelope: `message` is a list when several fields were refused. */
function describe(error: components['schemas']['ErrorResponse'] | undefined): string {
  if (!error) return 'no body';
  return `${error.error}: ${Array.isArray(error.message) ? error.message.join('; ') : error.message} (request ${error.requestId ?? 'unknown'})`;
}
