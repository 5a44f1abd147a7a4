import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The helpdesk core: organizations, users, teams, SLA policies, tickets, comments, attachments,
 * audit history, auth tokens and the transactional outbox. Each index below names the query it serves.
 */
export class CreateHelpdeskSchema1764400000000 implements MigrationInterface {
  name = 'CreateHelpdeskSchema1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE helpdesk.organizations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        slug text NOT NULL,
        timezone text NOT NULL DEFAULT 'UTC',
        business_hours jsonb NOT NULL,
        holidays jsonb NOT NULL DEFAULT '[]',
        settings jsonb NOT NULL DEFAULT '{}',
        -- Next ticket number: incremented under the row lock, so numbers are consecutive and unique per organization.
        next_ticket_number integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX organizations_slug_key ON helpdesk.organizations (slug)`);

    await db.query(`
      CREATE TABLE helpdesk.users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES helpdesk.organizations (id) ON DELETE CASCADE,
        email text NOT NULL,
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'agent', 'customer')),
        password_hash text,
        active boolean NOT NULL DEFAULT true,
        notification_preferences jsonb NOT NULL DEFAULT '{}',
        last_login_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Login and "find or create requester by email": one account per email per organization, case-insensitively.
    await db.query(`CREATE UNIQUE INDEX users_organization_email_key ON helpdesk.users (organization_id, lower(email))`);
    // Login without an organization slug looks the email up across organizations.
    await db.query(`CREATE INDEX users_email_idx ON helpdesk.users (lower(email))`);

    await db.query(`
      CREATE TABLE helpdesk.teams (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES helpdesk.organizations (id) ON DELETE CASCADE,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX teams_organization_name_key ON helpdesk.teams (organization_id, lower(name))`);
    await db.query(`
      CREATE TABLE helpdesk.team_members (
        team_id uuid NOT NULL REFERENCES helpdesk.teams (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES helpdesk.users (id) ON DELETE CASCADE,
        PRIMARY KEY (team_id, user_id)
      )`);
    await db.query(`CREATE INDEX team_members_user_idx ON helpdesk.team_members (user_id)`);

    await db.query(`
      CREATE TABLE helpdesk.sla_policies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES helpdesk.organizations (id) ON DELETE CASCADE,
        name text NOT NULL,
        priority text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
        first_response_minutes integer NOT NULL CHECK (first_response_minutes > 0),
        next_response_minutes integer CHECK (next_response_minutes > 0),
        resolution_minutes integer NOT NULL CHECK (resolution_minutes > 0),
        business_hours_only boolean NOT NULL DEFAULT true,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One active policy per priority; also the lookup when a ticket is created or changes priority.
    await db.query(`CREATE UNIQUE INDEX sla_policies_active_priority_key ON helpdesk.sla_policies (organization_id, priority) WHERE active`);

    await db.query(`
      CREATE TABLE helpdesk.tickets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES helpdesk.organizations (id) ON DELETE CASCADE,
        number integer NOT NULL,
        subject text NOT NULL,
        description text NOT NULL,
        status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
        priority text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
        channel text NOT NULL DEFAULT 'web',
        tags text[] NOT NULL DEFAULT '{}',
        requester_id uuid NOT NULL REFERENCES helpdesk.users (id),
        assignee_id uuid REFERENCES helpdesk.users (id),
        team_id uuid REFERENCES helpdesk.teams (id) ON DELETE SET NULL,
        sla_policy_id uuid REFERENCES helpdesk.sla_policies (id) ON DELETE SET NULL,
        first_response_due_at timestamptz,
        first_response_warning_at timestamptz,
        first_responded_at timestamptz,
        next_response_due_at timestamptz,
        next_response_warning_at timestamptz,
        resolution_due_at timestamptz,
        resolution_warning_at timestamptz,
        resolved_at timestamptz,
        sla_paused_at timestamptz,
        sla_paused_minutes double precision NOT NULL DEFAULT 0,
        first_response_warned_at timestamptz,
        next_response_warned_at timestamptz,
        resolution_warned_at timestamptz,
        first_response_breached_at timestamptz,
        next_response_breached_at timestamptz,
        resolution_breached_at timestamptz,
        ai_triage jsonb,
        public_comments_text text NOT NULL DEFAULT '',
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        -- Customers search too, so only public text is indexed: internal notes never match a customer's query.
        search_vector tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('english', subject), 'A') ||
          setweight(to_tsvector('english', description), 'B') ||
          setweight(to_tsvector('english', public_comments_text), 'C')
        ) STORED
      )`);
    await db.query(`CREATE UNIQUE INDEX tickets_organization_number_key ON helpdesk.tickets (organization_id, number)`);
    // Queue views: GET /tickets?status=...
    await db.query(`CREATE INDEX tickets_organization_status_idx ON helpdesk.tickets (organization_id, status)`);
    // "My open tickets": GET /tickets?assigneeId=...&status=...
    await db.query(`CREATE INDEX tickets_organization_assignee_status_idx ON helpdesk.tickets (organization_id, assignee_id, status)`);
    // GET /tickets?priority=...&status=...
    await db.query(`CREATE INDEX tickets_organization_priority_status_idx ON helpdesk.tickets (organization_id, priority, status)`);
    // Customers' own tickets: GET /tickets as a customer, newest first.
    await db.query(`CREATE INDEX tickets_organization_requester_idx ON helpdesk.tickets (organization_id, requester_id, created_at DESC)`);
    // Default listing order and its cursor: newest first, id as tie-breaker.
    await db.query(`CREATE INDEX tickets_organization_created_idx ON helpdesk.tickets (organization_id, created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX tickets_organization_updated_idx ON helpdesk.tickets (organization_id, updated_at DESC, id DESC)`);
    // The SLA sweep: open tickets whose first response or resolution is due.
    await db.query(`CREATE INDEX tickets_first_response_due_idx ON helpdesk.tickets (first_response_due_at) WHERE first_responded_at IS NULL AND status NOT IN ('solved', 'closed')`);
    await db.query(`CREATE INDEX tickets_resolution_due_idx ON helpdesk.tickets (resolution_due_at) WHERE status NOT IN ('solved', 'closed', 'pending')`);
    await db.query(`CREATE INDEX tickets_next_response_due_idx ON helpdesk.tickets (next_response_due_at) WHERE next_response_due_at IS NOT NULL AND status NOT IN ('solved', 'closed')`);
    // GET /tickets?q=... (websearch_to_tsquery) and ?tag=...
    await db.query(`CREATE INDEX tickets_search_idx ON helpdesk.tickets USING gin (search_vector)`);
    await db.query(`CREATE INDEX tickets_tags_idx ON helpdesk.tickets USING gin (tags)`);

    await db.query(`
      CREATE TABLE helpdesk.comments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES helpdesk.organizations (id) ON DELETE CASCADE,
        ticket_id uuid NOT NULL REFERENCES helpdesk.tickets (id) ON DELETE CASCADE,
        author_id uuid NOT NULL REFERENCES helpdesk.users (id),
        body text NOT NULL,
        internal boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // A ticket's conversation in order: GET /tickets/:id/comments.
    await db.query(`CREATE INDEX comments_ticket_created_idx ON helpdesk.comments (ticket_id, created_at, id)`);

    await db.query(`
      CREATE TABLE helpdesk.attachments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES helpdesk.organizations (id) ON DELETE CASCADE,
        ticket_id uuid NOT NULL REFERENCES helpdesk.tickets (id) ON DELETE CASCADE,
        comment_id uuid REFERENCES helpdesk.comments (id) ON DELETE SET NULL,
        filename text NOT NULL,
        content_type text NOT NULL,
        size bigint NOT NULL CHECK (size >= 0),
        sha256 text NOT NULL,
        object_key text NOT NULL,
        uploaded_by uuid NOT NULL REFERENCES helpdesk.users (id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX attachments_ticket_idx ON helpdesk.attachments (ticket_id, created_at)`);

    await db.query(`
      CREATE TABLE helpdesk.ticket_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES helpdesk.organizations (id) ON DELETE CASCADE,
        ticket_id uuid NOT NULL REFERENCES helpdesk.tickets (id) ON DELETE CASCADE,
        actor_id uuid REFERENCES helpdesk.users (id),
        action text NOT NULL,
        changes jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // GET /tickets/:id/events, in order.
    await db.query(`CREATE INDEX ticket_events_ticket_idx ON helpdesk.ticket_events (ticket_id, id)`);
    // The audit history is append-only: edits are refused by the database itself.
    await db.query(`
      CREATE FUNCTION helpdesk.refuse_history_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ticket_events is append-only';
      END $$`);
    await db.query(`CREATE TRIGGER ticket_events_append_only BEFORE UPDATE ON helpdesk.ticket_events FOR EACH ROW EXECUTE FUNCTION helpdesk.refuse_history_update()`);

    await db.query(`
      CREATE TABLE helpdesk.refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES helpdesk.users (id) ON DELETE CASCADE,
        family_id uuid NOT NULL,
        token_hash text NOT NULL,
        expires_at timestamptz NOT NULL,
        rotated_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX refresh_tokens_hash_key ON helpdesk.refresh_tokens (token_hash)`);
    await db.query(`CREATE INDEX refresh_tokens_family_idx ON helpdesk.refresh_tokens (family_id)`);
    await db.query(`CREATE INDEX refresh_tokens_user_idx ON helpdesk.refresh_tokens (user_id)`);

    await db.query(`
      CREATE TABLE helpdesk.user_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES helpdesk.users (id) ON DELETE CASCADE,
        purpose text NOT NULL CHECK (purpose IN ('password_reset', 'invitation')),
        token_hash text NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX user_tokens_hash_key ON helpdesk.user_tokens (token_hash)`);
    await db.query(`CREATE INDEX user_tokens_user_idx ON helpdesk.user_tokens (user_id, purpose)`);

    await db.query(`
      CREATE TABLE helpdesk.outbox (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        aggregate_id uuid NOT NULL,
        type text NOT NULL,
        envelope jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        last_error text
      )`);
    // The relay's batch: pending rows oldest first (ids are UUIDv7, so id order is creation order).
    await db.query(`CREATE INDEX outbox_pending_idx ON helpdesk.outbox (id) WHERE published_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['outbox', 'user_tokens', 'refresh_tokens', 'ticket_events', 'attachments', 'comments', 'tickets', 'sla_policies', 'team_members', 'teams', 'users', 'organizations']) {
      await db.query(`DROP TABLE helpdesk.${table}`);
    }
    await db.query(`DROP FUNCTION helpdesk.refuse_history_update()`);
  }
}
