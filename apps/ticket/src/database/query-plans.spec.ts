import { loadConfig, runMigrations } from '@helpdesk/common';
import { createTestDatabase } from '@helpdesk/testing';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketConfig } from '../ticket.config.js';
import { ticketMigrations } from './migrations/index.js';
import { TICKET_SCHEMA } from './schema.js';

/**
 * The main list queries on 40,000 tickets across 200 organizations, and a large tenant of 40,000 more, must be answered from the
 * indexes the migration creates, never by scanning the whole table. Plans are recorded in
 * docs/database.md.
 */
describe('query plans of the main ticket queries', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: DataSource;
  let orgId: string;
  let bigOrgId: string;
  let assigneeId: string;
  let requesterId: string;

  beforeAll(async () => {
    database = await createTestDatabase('plans');
    const config = loadConfig(TicketConfig, { DB_NAME: database.name });
    await runMigrations({ config, schema: TICKET_SCHEMA, migrations: ticketMigrations, direction: 'up' });
    db = new DataSource({ type: 'postgres', host: config.DB_HOST, port: config.DB_PORT, username: config.DB_USER, database: database.name });
    await db.initialize();
    await db.query(`INSERT INTO helpdesk.organizations (name, slug, business_hours) SELECT 'Org ' || n, 'org-' || n, '{}' FROM generate_series(1, 200) n`);
    await db.query(`INSERT INTO helpdesk.users (organization_id, email, name, role)
      SELECT o.id, r || '-' || n || '@' || o.slug || '.test', 'User', r FROM helpdesk.organizations o, generate_series(1, 5) n, unnest(ARRAY['agent', 'customer']) r`);
    // A large tenant: a few admins among many customers.
    await db.query(`INSERT INTO helpdesk.users (organization_id, email, name, role)
      SELECT o.id, 'member-' || n || '@' || o.slug || '.test', 'Member', CASE WHEN n <= 3 THEN 'admin' ELSE 'customer' END
      FROM helpdesk.organizations o, generate_series(1, 100) n`);
    await db.query(`INSERT INTO helpdesk.tickets (organization_id, number, subject, description, status, priority, requester_id, assignee_id, created_at, first_response_due_at, resolution_due_at)
      SELECT o.id, n, 'Ticket ' || n || (ARRAY[' printer', ' vpn', ' invoice', ' login'])[1 + n % 4], 'Description of ticket ' || n,
             (ARRAY['new', 'open', 'pending', 'solved', 'closed'])[1 + n % 5], (ARRAY['low', 'normal', 'high', 'urgent'])[1 + n % 4],
             (SELECT id FROM helpdesk.users u WHERE u.organization_id = o.id AND u.role = 'customer' ORDER BY id OFFSET n % 5 LIMIT 1),
             CASE WHEN n % 3 = 0 THEN NULL ELSE (SELECT id FROM helpdesk.users u WHERE u.organization_id = o.id AND u.role = 'agent' ORDER BY id OFFSET n % 5 LIMIT 1) END,
             now() - (n || ' minutes')::interval, now() + (n || ' minutes')::interval, now() + (n * 10 || ' minutes')::interval
      FROM helpdesk.organizations o, generate_series(1, 200) n`);
    // A large tenant with custom field values: a dropdown on every ticket, a checkbox set on one in a thousand, a multiselect value on one in five hundred.
    await db.query(`INSERT INTO helpdesk.organizations (name, slug, business_hours) VALUES ('Big', 'org-big', '{}')`);
    await db.query(`INSERT INTO helpdesk.tickets (organization_id, number, subject, description, status, priority, requester_id, created_at, fields)
      SELECT o.id, n, 'Ticket ' || n, 'Description', (ARRAY['new', 'open', 'pending', 'solved', 'closed'])[1 + n % 5], 'normal',
             (SELECT id FROM helpdesk.users ORDER BY id LIMIT 1), now() - (n || ' seconds')::interval,
             jsonb_build_object('product_area', (ARRAY['billing', 'shipping', 'returns', 'setup'])[1 + n % 4], 'vip', n % 1000 = 0,
                                'platforms', CASE WHEN n % 500 = 0 THEN '["ios", "web"]'::jsonb ELSE '["web"]'::jsonb END)
      FROM helpdesk.organizations o, generate_series(1, 40000) n WHERE o.slug = 'org-big'`);
    // A few new tickets still owed their AI triage.
    await db.query(`UPDATE helpdesk.tickets SET triage_pending = true WHERE number > 198`);
    await db.query('ANALYZE');
    [{ id: orgId }] = (await db.query(`SELECT id FROM helpdesk.organizations WHERE slug = 'org-7'`)) as Array<{ id: string }>;
    [{ id: bigOrgId }] = (await db.query(`SELECT id FROM helpdesk.organizations WHERE slug = 'org-big'`)) as Array<{ id: string }>;
    [{ assignee_id: assigneeId, requester_id: requesterId }] = (await db.query(`SELECT assignee_id, requester_id FROM helpdesk.tickets WHERE organization_id = $1 AND assignee_id IS NOT NULL LIMIT 1`, [orgId])) as Array<{
      assignee_id: string;
      requester_id: string;
    }>;
  }, 120_000);

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  const plan = async (sql: string, parameters: unknown[] = []) =>
    ((await db.query(`EXPLAIN ${sql}`, parameters)) as Array<{ 'QUERY PLAN': string }>).map((row) => row['QUERY PLAN']).join('\n');

  it.each([
    ['a queue view by status', `SELECT id FROM helpdesk.tickets WHERE organization_id = $1 AND status IN ('new', 'open') ORDER BY created_at DESC, id DESC LIMIT 26`, () => [orgId], /tickets_organization_(status|created)_idx/],
    ['an agent\'s open tickets', `SELECT id FROM helpdesk.tickets WHERE organization_id = $1 AND assignee_id = $2 AND status = 'open' LIMIT 26`, () => [orgId, assigneeId], /tickets_organization_assignee_status_idx/],
    ['urgent open tickets', `SELECT id FROM helpdesk.tickets WHERE organization_id = $1 AND priority = 'urgent' AND status = 'open' LIMIT 26`, () => [orgId], /tickets_organization_priority_status_idx/],
    ['a customer\'s own tickets', `SELECT id FROM helpdesk.tickets WHERE organization_id = $1 AND requester_id = $2 ORDER BY created_at DESC LIMIT 26`, () => [orgId, requesterId], /tickets_organization_requester_idx/],
    ['a queue filtered by a custom field', `SELECT id FROM helpdesk.tickets WHERE organization_id = $1 AND fields @> CAST($2 AS jsonb) ORDER BY created_at DESC, id DESC LIMIT 26`, () => [bigOrgId, '{"vip": true}'], /tickets_organization_fields_idx/],
    ['a queue filtered by a multiselect value', `SELECT id FROM helpdesk.tickets WHERE organization_id = $1 AND fields @> CAST($2 AS jsonb) AND status IN ('new', 'open') ORDER BY created_at DESC, id DESC LIMIT 26`, () => [bigOrgId, '{"platforms": ["ios"]}'], /tickets_organization_fields_idx/],
    ['full-text search', `SELECT id FROM helpdesk.tickets WHERE organization_id = $1 AND search_vector @@ websearch_to_tsquery('english', 'printer')`, () => [orgId], /tickets_search_idx|tickets_organization/],
    ['the "Unassigned" view\'s count', `SELECT count(*) FROM (SELECT 1 FROM helpdesk.tickets WHERE organization_id = $1 AND status IN ('new', 'open') AND assignee_id IS NULL LIMIT 10001) matching`, () => [orgId], /tickets_organization_(assignee_status|status)_idx/],
    ['the "Breached" view\'s count', `SELECT count(*) FROM (SELECT 1 FROM helpdesk.tickets WHERE organization_id = $1 AND status IN ('new', 'open', 'pending', 'on_hold') AND (first_response_breached_at IS NOT NULL OR next_response_breached_at IS NOT NULL OR resolution_breached_at IS NOT NULL) LIMIT 10001) matching`, () => [bigOrgId], /tickets_breached_idx/],
    ['the SLA sweep for first responses', `SELECT id FROM helpdesk.tickets WHERE first_response_due_at <= now() AND first_responded_at IS NULL AND status NOT IN ('solved', 'closed') LIMIT 500`, () => [], /tickets_first_response_due_idx/],
    ['the SLA sweep for resolutions', `SELECT id FROM helpdesk.tickets WHERE resolution_due_at <= now() AND status NOT IN ('solved', 'closed', 'pending') LIMIT 500`, () => [], /tickets_resolution_due_idx/],
    [
      'a team\'s tickets waiting for assignment',
      `SELECT id FROM helpdesk.tickets WHERE team_id = $1 AND organization_id = $2 AND assignee_id IS NULL AND status NOT IN ('solved', 'closed') ORDER BY created_at, id LIMIT 200`,
      () => ['00000000-0000-4000-8000-000000000001', orgId],
      /tickets_waiting_assignment_idx/,
    ],
    ['the tickets owed an AI triage', `SELECT id, organization_id, subject, description FROM helpdesk.tickets WHERE triage_pending ORDER BY id LIMIT 50`, () => [], /tickets_triage_pending_idx/],
    ['the admins told of a new ticket', `SELECT id FROM helpdesk.users WHERE organization_id = $1 AND active AND role = 'admin' ORDER BY email`, () => [orgId], /users_organization_staff_idx/],
  ])('%s uses its index', async (_name, sql, parameters, expectedIndex) => {
    const explained = await plan(sql, parameters());
    if (process.env.PRINT_PLANS) process.stdout.write(`\n### ${_name}\n\n\`\`\`sql\n${sql}\n\`\`\`\n\n\`\`\`\n${explained}\n\`\`\`\n`);
    expect(explained).toMatch(expectedIndex);
    expect(explained).not.toMatch(/Seq Scan on (tickets|users)/);
  });
});
