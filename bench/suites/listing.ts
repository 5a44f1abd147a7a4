import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import { httpSequential, timeSequential, type Latencies } from '../lib/load.js';
import { ratio, type Row } from '../lib/report.js';
import { BenchStack } from '../lib/stack.js';
import type { BenchOptions } from '../run.js';
import { seededRandom } from '../../test/support/seeded-random.js';

const RUNS = 300;
const TARGET_P95_MS = 25;
/** The benchmark's own organization is a large tenant: this share of all tickets. */
const LARGE_TENANT_SHARE = 0.02;
const AGENTS_PER_ORG = 5;
const CUSTOMERS_PER_ORG = 20;

const WORDS = 'printer jammed invoice refund password reset login error slow crash update billing shipping delivery broken screen account locked payment failed export report email bounce sync calendar mobile app timeout upload attachment permission denied license renewal cancel subscription'.split(' ');
const STATUSES = ['new', 'open', 'open', 'open', 'pending', 'on_hold', 'solved', 'solved', 'closed', 'closed'];
const PRIORITIES = ['low', 'normal', 'normal', 'normal', 'high', 'urgent'];

export interface Tenant {
  id: string;
  agents: string[];
  customers: string[];
  tickets: number;
}

async function createTenants(client: pg.Client, ownOrgId: string, ownAdminId: string, options: BenchOptions): Promise<Tenant[]> {
  await client.query(
    `INSERT INTO helpdesk.organizations (name, slug, business_hours)
     SELECT 'Org ' || n, 'bench-org-' || n, '{}'::jsonb FROM generate_series(2, $1) AS n`,
    [options.organizations],
  );
  for (const [role, count] of [['agent', AGENTS_PER_ORG], ['customer', CUSTOMERS_PER_ORG]] as const) {
    await client.query(
      `INSERT INTO helpdesk.users (organization_id, email, name, role)
       SELECT o.id, $1 || n || '@' || o.slug || '.test', $1 || ' ' || n, $1 FROM helpdesk.organizations o, generate_series(1, $2) AS n`,
      [role, count],
    );
  }
  const { rows } = await client.query<{ organization_id: string; role: string; ids: string[] }>(
    `SELECT organization_id, role, array_agg(id) AS ids FROM helpdesk.users WHERE role IN ('agent', 'customer') GROUP BY organization_id, role`,
  );
  const tenants = new Map<string, Tenant>();
  for (const row of rows) {
    const tenant = tenants.get(row.organization_id) ?? { id: row.organization_id, agents: [], customers: [], tickets: 0 };
    if (row.role === 'agent') tenant.agents = row.ids;
    else tenant.customers = row.ids;
    tenants.set(row.organization_id, tenant);
  }
  const own = tenants.get(ownOrgId)!;
  own.agents.push(ownAdminId);
  const largeTenantTickets = Math.round(options.tickets * LARGE_TENANT_SHARE);
  const perOther = Math.floor((options.tickets - largeTenantTickets) / (tenants.size - 1));
  for (const tenant of tenants.values()) tenant.tickets = tenant.id === ownOrgId ? largeTenantTickets : perOther;
  return [...tenants.values()];
}

const PRODUCT_AREAS = ['billing', 'shipping', 'returns', 'setup'];

/**
 * Custom field values (DESIGN section 14), from the ticket number so the seeded random sequence, and
 * with it the other columns, stays as it was: a dropdown on every ticket, a checkbox on one in a hundred.
 */
function customFieldsOf(number: number): string {
  return JSON.stringify({ product_area: PRODUCT_AREAS[number % PRODUCT_AREAS.length], escalated: number % 100 === 0 });
}

/** Streams every ticket row into COPY: the fastest way to load a million rows with their indexes. */
export async function copyTickets(client: pg.Client, tenants: Tenant[]): Promise<number> {
  const random = seededRandom(42);
  const pick = <T>(values: T[]) => values[Math.floor(random() * values.length)]!;
  const now = Date.now();
  function* lines(): Generator<string> {
    for (const tenant of tenants) {
      for (let number = 1; number <= tenant.tickets; number += 1) {
        const words = Array.from({ length: 6 }, () => pick(WORDS));
        const created = new Date(now - Math.floor(random() * 365 * 86_400_000));
        const updated = new Date(created.getTime() + Math.floor(random() * 5 * 86_400_000));
        const assignee = random() < 0.8 ? pick(tenant.agents) : '\\N';
        const tags = `{${pick(WORDS)},${pick(WORDS)}}`;
        yield `${randomUUID()}\t${tenant.id}\t${number}\t${words.slice(0, 4).join(' ')}\t<p>${words.join(' ')}</p>\t${pick(STATUSES)}\t${pick(PRIORITIES)}\tweb\t${tags}\t${pick(tenant.customers)}\t${assignee}\t${created.toISOString()}\t${updated.toISOString()}\t${customFieldsOf(number)}\n`;
      }
    }
  }
  const copy = client.query(copyFrom('COPY helpdesk.tickets (id, organization_id, number, subject, description, status, priority, channel, tags, requester_id, assignee_id, created_at, updated_at, fields) FROM STDIN'));
  await pipeline(Readable.from(lines(), { objectMode: false }), copy);
  await client.query(`UPDATE helpdesk.organizations o SET next_ticket_number = c.n + 1 FROM (SELECT organization_id, max(number) AS n FROM helpdesk.tickets GROUP BY organization_id) c WHERE c.organization_id = o.id`);
  await client.query('ANALYZE');
  return copy.rowCount ?? 0;
}

interface Scenario {
  name: string;
  path: string;
  sql: string;
  parameters: unknown[];
}

/**
 * `GET /tickets` with filters, sorting and full-text search on a large database, end to end through
 * the gateway, against the same SQL run directly on PostgreSQL.
 */
export async function listing(options: BenchOptions): Promise<{ rows: Row[]; results: Record<string, unknown> }> {
  const stack = await BenchStack.start('listing', ['ticket', 'gateway']);
  const client = await stack.connectDatabase();
  try {
    const admin = await stack.signup();
    const loadStarted = performance.now();
    const tenants = await createTenants(client, admin.orgId, admin.userId, options);
    const loaded = await copyTickets(client, tenants);
    const loadSeconds = Math.round((performance.now() - loadStarted) / 100) / 10;
    console.log(`  loaded ${loaded} tickets in ${tenants.length} organizations in ${loadSeconds} s`);

    await client.query(
      `INSERT INTO helpdesk.ticket_fields (organization_id, key, label, type, options) VALUES ($1, 'product_area', 'Product area', 'dropdown', $2), ($1, 'escalated', 'Escalated', 'checkbox', '[]')`,
      [admin.orgId, JSON.stringify(PRODUCT_AREAS)],
    );
    const own = tenants.find((tenant) => tenant.id === admin.orgId)!;
    const agent = own.agents[0]!;
    const columns = 'ticket.*';
    const scenarios: Scenario[] = [
      {
        name: 'status+priority, -updatedAt',
        path: '/api/v1/tickets?status=open&priority=high&sort=-updatedAt&limit=25',
        sql: `SELECT ${columns} FROM helpdesk.tickets ticket WHERE organization_id = $1 AND status IN ('open') AND priority IN ('high') ORDER BY updated_at DESC, id DESC LIMIT 26`,
        parameters: [admin.orgId],
      },
      {
        name: 'assignee+status, -createdAt',
        path: `/api/v1/tickets?assigneeId=${agent}&status=open&sort=-createdAt&limit=25`,
        sql: `SELECT ${columns} FROM helpdesk.tickets ticket WHERE organization_id = $1 AND status IN ('open') AND assignee_id = $2 ORDER BY created_at DESC, id DESC LIMIT 26`,
        parameters: [admin.orgId, agent],
      },
      {
        name: 'custom field (1 in 4), -createdAt',
        path: '/api/v1/tickets?field.product_area=billing&limit=25',
        sql: `SELECT ${columns} FROM helpdesk.tickets ticket WHERE organization_id = $1 AND fields @> $2::jsonb ORDER BY created_at DESC, id DESC LIMIT 26`,
        parameters: [admin.orgId, '{"product_area": "billing"}'],
      },
      {
        name: 'custom field (1 in 100), -createdAt',
        path: '/api/v1/tickets?field.escalated=true&limit=25',
        sql: `SELECT ${columns} FROM helpdesk.tickets ticket WHERE organization_id = $1 AND fields @> $2::jsonb ORDER BY created_at DESC, id DESC LIMIT 26`,
        parameters: [admin.orgId, '{"escalated": true}'],
      },
      {
        name: 'full text "printer jammed"',
        path: '/api/v1/tickets?q=printer%20jammed&limit=25',
        sql: `SELECT ${columns} FROM helpdesk.tickets ticket WHERE organization_id = $1 AND search_vector @@ websearch_to_tsquery('english', $2) ORDER BY created_at DESC, id DESC LIMIT 26`,
        parameters: [admin.orgId, 'printer jammed'],
      },
    ];

    const rows: Row[] = [];
    const results: Record<string, { platform: Latencies; baseline: Latencies }> = {};
    for (const scenario of scenarios) {
      const call = () => ({ method: 'GET' as const, path: scenario.path, headers: { authorization: `Bearer ${admin.token}` }, expect: 200 });
      await httpSequential(stack.url('gateway'), 30, call);
      await timeSequential(30, () => client.query(scenario.sql, scenario.parameters));
      const platform = await httpSequential(stack.url('gateway'), RUNS, call);
      const baseline = await timeSequential(RUNS, () => client.query(scenario.sql, scenario.parameters));
      results[scenario.name] = { platform, baseline };
      for (const percentile of ['p50', 'p95', 'p99'] as const) {
        rows.push({
          benchmark: `list, ${loaded.toLocaleString('en-US')} tickets`,
          measure: `${scenario.name}, ${percentile} ms`,
          platform: `${platform[percentile]}${percentile === 'p50' && platform.errors ? ` (${platform.errors} errors)` : ''}`,
          baseline: String(baseline[percentile]),
          ratio: ratio(platform[percentile], baseline[percentile]),
          target: percentile === 'p95' ? `< ${TARGET_P95_MS} ms` : '',
          met: percentile === 'p95' ? (platform.p95 < TARGET_P95_MS && platform.errors === 0 ? 'yes' : 'no') : '',
        });
      }
    }
    return { rows, results: { ticketsLoaded: loaded, organizations: tenants.length, largeTenantTickets: own.tickets, loadSeconds, scenarios: results } };
  } finally {
    await client.end();
    await stack.stop();
  }
}
