import { loadConfig, runMigrations } from '@helpdesk/common';
import { createTestDatabase } from '@helpdesk/testing';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketConfig } from '../ticket.config.js';
import { ticketMigrations } from './migrations/index.js';
import { TICKET_SCHEMA } from './schema.js';

describe('ticket service migrations', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let config: TicketConfig;
  let inspector: DataSource;

  const tables = async () =>
    ((await inspector.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'migrations' ORDER BY table_name`, [TICKET_SCHEMA])) as Array<{ table_name: string }>).map(
      (row) => row.table_name,
    );
  const migrate = (direction: 'up' | 'down') => runMigrations({ config, schema: TICKET_SCHEMA, migrations: ticketMigrations, direction });

  beforeAll(async () => {
    database = await createTestDatabase('migrations');
    config = loadConfig(TicketConfig, { DB_NAME: database.name });
    inspector = new DataSource({ type: 'postgres', host: config.DB_HOST, port: config.DB_PORT, username: config.DB_USER, database: database.name });
    await inspector.initialize();
  });

  afterAll(async () => {
    await inspector?.destroy();
    await database?.drop();
  });

  it('apply to an empty database, are idempotent, and revert one by one back to nothing', async () => {
    expect(await migrate('up')).toEqual(ticketMigrations.map((migration) => new migration().name));
    expect(await tables()).toEqual(['api_tokens', 'attachments', 'automation_runs', 'automations', 'canned_responses', 'comments', 'macros', 'nats_integrations', 'organizations', 'outbox', 'refresh_tokens', 'report_backlog_snapshots', 'report_rollup_cells', 'report_rollup_days', 'satisfaction_surveys', 'saved_views', 'sla_policies', 'staff_presence', 'team_members', 'teams', 'ticket_events', 'ticket_fields', 'ticket_followers', 'ticket_links', 'ticket_participants', 'tickets', 'trigger_firings', 'triggers', 'user_tokens', 'users']);
    expect(await migrate('up')).toEqual([]);
    for (let remaining = ticketMigrations.length; remaining > 0; remaining -= 1) expect(await migrate('down')).toHaveLength(1);
    expect(await tables()).toEqual([]);
    expect(await migrate('down')).toEqual([]);
    expect(await migrate('up')).toHaveLength(ticketMigrations.length);
  });

  it('marks existing invitees (accounts invited by mail, without a password) as pending since their invitation', async () => {
    const invitationMigration = ticketMigrations.findIndex((migration) => new migration().name === 'UserInvitationPending1765510000000');
    for (let remaining = ticketMigrations.length; remaining > invitationMigration; remaining -= 1) await migrate('down');
    const [organization] = (await inspector.query(`INSERT INTO helpdesk.organizations (name, slug, business_hours) VALUES ('I', 'i-pending', '{}') RETURNING id`)) as Array<{ id: string }>;
    const addUser = async (email: string, role: string, passwordHash: string | null) =>
      ((await inspector.query(`INSERT INTO helpdesk.users (organization_id, email, name, role, password_hash) VALUES ($1, $2, 'U', $3, $4) RETURNING id`, [organization!.id, email, role, passwordHash])) as Array<{ id: string }>)[0]!.id;
    const invitedAgent = await addUser('agent@example.com', 'agent', null);
    const invitedCustomer = await addUser('invited-customer@example.com', 'customer', null);
    const requester = await addUser('requester@example.com', 'customer', null);
    const member = await addUser('member@example.com', 'agent', '$argon2id$stub');
    await inspector.query(`INSERT INTO helpdesk.user_tokens (user_id, purpose, token_hash, expires_at) VALUES ($1, 'invitation', 'hash-pending', now())`, [invitedCustomer]);

    await migrate('up');

    const rows = (await inspector.query(`SELECT id, invitation_pending_since IS NOT NULL AS pending FROM helpdesk.users WHERE organization_id = $1`, [organization!.id])) as Array<{ id: string; pending: boolean }>;
    expect(Object.fromEntries(rows.map((row) => [row.id, row.pending]))).toEqual({ [invitedAgent]: true, [invitedCustomer]: true, [requester]: false, [member]: false });
  });

  it('gives every existing organization the default shared views, and the breached tickets an index their count uses', async () => {
    const viewsMigration = ticketMigrations.findIndex((migration) => new migration().name === 'SavedViews1766870000000');
    for (let remaining = ticketMigrations.length; remaining > viewsMigration; remaining -= 1) await migrate('down');
    const [organization] = (await inspector.query(`INSERT INTO helpdesk.organizations (name, slug, business_hours) VALUES ('V', 'v-views', '{}') RETURNING id`)) as Array<{ id: string }>;

    await migrate('up');

    const views = (await inspector.query(`SELECT name, owner_id, query, sort, position FROM helpdesk.saved_views WHERE organization_id = $1 ORDER BY position`, [organization!.id])) as Array<Record<string, unknown>>;
    expect(views).toEqual([
      { name: 'My open', owner_id: null, query: { assigneeId: 'me', status: ['new', 'open', 'pending', 'on_hold'] }, sort: 'resolutionDueAt', position: 1 },
      { name: 'Unassigned', owner_id: null, query: { assigneeId: 'none', status: ['new', 'open'] }, sort: 'createdAt', position: 2 },
      { name: 'Breached', owner_id: null, query: { breached: true, status: ['new', 'open', 'pending', 'on_hold'] }, sort: 'resolutionDueAt', position: 3 },
      { name: 'Waiting on customer', owner_id: null, query: { status: ['pending'] }, sort: '-updatedAt', position: 4 },
    ]);
    const indexes = (await inspector.query(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND indexname = 'tickets_breached_idx'`, [TICKET_SCHEMA])) as unknown[];
    expect(indexes).toHaveLength(1);
  });

  it('keeps the audit history append-only at the database level', async () => {
    const [organization] = (await inspector.query(`INSERT INTO helpdesk.organizations (name, slug, business_hours) VALUES ('A', 'a-append', '{}') RETURNING id`)) as Array<{ id: string }>;
    const [user] = (await inspector.query(`INSERT INTO helpdesk.users (organization_id, email, name, role) VALUES ($1, 'x@example.com', 'X', 'admin') RETURNING id`, [organization!.id])) as Array<{ id: string }>;
    const [ticket] = (await inspector.query(`INSERT INTO helpdesk.tickets (organization_id, number, subject, description, requester_id) VALUES ($1, 1, 's', 'd', $2) RETURNING id`, [organization!.id, user!.id])) as Array<{ id: string }>;
    await inspector.query(`INSERT INTO helpdesk.ticket_events (organization_id, ticket_id, action) VALUES ($1, $2, 'created')`, [organization!.id, ticket!.id]);
    await expect(inspector.query(`UPDATE helpdesk.ticket_events SET action = 'forged'`)).rejects.toThrow('ticket_events is append-only');
  });
});
