import type pg from 'pg';
import { AREAS, AUTOMATIONS } from '../suites/automations.js';

/** Matches every pipeline ticket ("Printer on floor N..."): its one change per ticket is part of what rules cost. */
const MATCHING_TRIGGER = { name: 'Printers go to hardware', event: 'ticket.created', all: [{ field: 'subject', op: 'contains', value: 'printer' }], actions: [{ type: 'addTags', value: ['hardware'] }] };

/** The other 19: evaluated on every event of their kind, matching none of the pipeline's tickets, as most of a real desk's rules do not. */
function idleTriggers(): object[] {
  const events = ['ticket.created', 'ticket.updated', 'comment.customer', 'comment.agent'];
  return Array.from({ length: 19 }, (_, index) => ({
    name: `Rule ${index + 1}`,
    event: events[index % events.length],
    all: [{ field: 'subject', op: 'contains', value: `refund-${index}` }, { field: 'priority', op: 'in', value: ['urgent', 'low'] }],
    any: [{ field: 'tags', op: 'contains', value: `vip-${index}` }, { field: 'channel', op: 'is', value: 'email' }],
    actions: [{ type: 'set', field: 'priority', value: 'urgent' }, { type: 'addTags', value: [`escalated-${index}`] }],
  }));
}

async function post(gateway: string, token: string, method: string, path: string, body: object): Promise<{ id: string }> {
  const response = await fetch(`${gateway}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await response.json()) as { id: string };
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}

/**
 * Gives the organization what issue 18's rules benchmark asks for, through the public API as an admin
 * would: 20 active triggers, 10 automations and a round-robin team of the second admin and three
 * agents, all online (presence rows stand in for their consoles). Not the admin who creates the
 * tickets: each ticket then mails the requester and its assignee, as without rules it mails the
 * requester and the second admin. Answers the team's id, for the tickets to be created into.
 */
export async function setUpRules(gateway: string, token: string, database: pg.Client, orgId: string, secondAdminId: string): Promise<string> {
  const members = [secondAdminId];
  for (let index = 1; index <= 3; index += 1) {
    const { rows } = await database.query<{ id: string }>(`INSERT INTO helpdesk.users (organization_id, email, name, role) VALUES ($1, $2, $3, 'agent') RETURNING id`, [orgId, `rr-agent-${index}@bench.test`, `Agent ${index}`]);
    members.push(rows[0]!.id);
  }
  await database.query(`INSERT INTO helpdesk.staff_presence (user_id, replica_id, expires_at) SELECT unnest($1::uuid[]), 'bench', now() + interval '1 day'`, [members]);
  await post(gateway, token, 'POST', '/ticket-fields', { key: 'product_area', label: 'Product area', type: 'dropdown', options: AREAS });
  for (const trigger of [MATCHING_TRIGGER, ...idleTriggers()]) await post(gateway, token, 'POST', '/triggers', trigger);
  for (const automation of AUTOMATIONS) await post(gateway, token, 'POST', '/automations', { ...automation, actions: [{ type: 'addTags', value: ['followed-up'] }] });
  const team = await post(gateway, token, 'POST', '/teams', { name: 'Hardware', assignment: 'round_robin' });
  await post(gateway, token, 'PUT', `/teams/${team.id}/members`, { memberIds: members });
  return team.id;
}
