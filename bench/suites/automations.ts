import pg from 'pg';
import { DataSource } from 'typeorm';
import { from as copyFrom } from 'pg-copy-streams';
import { randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { loadConfig, startService } from '@helpdesk/common';
import { freePort } from '@helpdesk/testing';
import { AutomationScheduler, type AutomationPassResult } from '../../apps/ticket/src/automations/automation-scheduler.js';
import { automationCandidates, AutomationsService } from '../../apps/ticket/src/automations/automations.service.js';
import type { Automation } from '../../apps/ticket/src/automations/automation.entity.js';
import { calendarOf } from '../../apps/ticket/src/organizations/organization-calendar.js';
import { Organization } from '../../apps/ticket/src/organizations/organization.entity.js';
import { ticketApp } from '../../apps/ticket/src/ticket.app.js';
import { TicketConfig } from '../../apps/ticket/src/ticket.config.js';
import type { Row } from '../lib/report.js';
import { BenchStack } from '../lib/stack.js';
import type { BenchOptions } from '../run.js';
import { seededRandom } from './listing.js';

const TARGET_PASS_MS = 10_000;
const STATUSES = ['new', 'open', 'open', 'open', 'pending', 'on_hold', 'solved', 'solved', 'closed', 'closed'];
const PRIORITIES = ['low', 'normal', 'normal', 'normal', 'high', 'urgent'];
const TAGS = ['billing', 'shipping', 'login', 'refund', 'vip', 'bug'];
const AREAS = ['billing', 'shipping', 'returns', 'setup'];
const HOUR = 3_600_000;

/** The ten automations of the pass: every hoursSince moment, some in business hours, mixed with the usual filters. */
const AUTOMATIONS: Array<{ name: string; all: object[]; any?: object[] }> = [
  { name: 'Pending 3 days', all: [{ field: 'hoursSince.pending', op: 'gt', value: 72 }, { field: 'status', op: 'is', value: 'pending' }] },
  { name: 'Solved 4 days', all: [{ field: 'hoursSince.solved', op: 'gt', value: 96 }, { field: 'status', op: 'is', value: 'solved' }] },
  { name: 'Urgent unanswered 2h', all: [{ field: 'hoursSince.lastAgentReply', op: 'gt', value: 2 }, { field: 'status', op: 'is', value: 'open' }, { field: 'priority', op: 'is', value: 'urgent' }] },
  { name: 'New for a day', all: [{ field: 'hoursSince.created', op: 'gt', value: 24 }, { field: 'status', op: 'is', value: 'new' }] },
  { name: 'On hold a week', all: [{ field: 'hoursSince.updated', op: 'gt', value: 168 }, { field: 'status', op: 'is', value: 'on_hold' }] },
  { name: 'Pending 3 business days', all: [{ field: 'hoursSince.pending', op: 'gt', value: 24, businessHours: true }] },
  { name: 'No reply 2 business days', all: [{ field: 'hoursSince.lastAgentReply', op: 'gt', value: 16, businessHours: true }, { field: 'status', op: 'in', value: ['open', 'new'] }] },
  { name: 'Old billing', all: [{ field: 'hoursSince.created', op: 'gt', value: 720 }, { field: 'tags', op: 'contains', value: 'billing' }, { field: 'status', op: 'isNot', value: 'solved' }] },
  { name: 'Solved billing area', all: [{ field: 'hoursSince.solved', op: 'gt', value: 24 }, { field: 'fields.product_area', op: 'is', value: 'billing' }] },
  {
    name: 'Stale urgent unassigned',
    all: [{ field: 'hoursSince.updated', op: 'gt', value: 48 }, { field: 'assigneeId', op: 'is', value: null }],
    any: [{ field: 'priority', op: 'is', value: 'urgent' }, { field: 'tags', op: 'contains', value: 'vip' }],
  },
];

/** N tickets of one organization (the hardest case: every automation of the pass looks at all of them), with every moment set. */
async function copyTickets(client: pg.Client, orgId: string, agents: string[], customers: string[], count: number): Promise<void> {
  const random = seededRandom(7);
  const pick = <T>(values: T[]) => values[Math.floor(random() * values.length)]!;
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  function* lines(): Generator<string> {
    for (let number = 1; number <= count; number += 1) {
      const status = pick(STATUSES);
      const created = now - Math.floor(random() * 365 * 24 * HOUR);
      const updated = created + Math.floor(random() * Math.min(now - created, 10 * 24 * HOUR));
      const replied = random() < 0.7 ? iso(created + Math.floor((updated - created) / 2)) : '\\N';
      const assignee = random() < 0.8 ? pick(agents) : '\\N';
      const pendingSince = status === 'pending' ? iso(updated) : '\\N';
      const resolved = status === 'solved' || status === 'closed' ? iso(updated) : '\\N';
      const fields = JSON.stringify({ product_area: AREAS[number % AREAS.length] });
      yield `${randomUUID()}\t${orgId}\t${number}\tTicket ${number}\t<p>Ticket ${number}</p>\t${status}\t${pick(PRIORITIES)}\tweb\t{${pick(TAGS)}}\t${pick(customers)}\t${assignee}\t${iso(created)}\t${iso(updated)}\t${fields}\t${pendingSince}\t${resolved}\t${replied}\n`;
    }
  }
  const copy = client.query(
    copyFrom(
      'COPY helpdesk.tickets (id, organization_id, number, subject, description, status, priority, channel, tags, requester_id, assignee_id, created_at, updated_at, fields, pending_since, resolved_at, last_agent_reply_at) FROM STDIN',
    ),
  );
  await pipeline(Readable.from(lines(), { objectMode: false }), copy);
  await client.query(`UPDATE helpdesk.organizations SET next_ticket_number = $2 WHERE id = $1`, [orgId, count + 1]);
  await client.query('ANALYZE helpdesk.tickets');
}

/**
 * One automation scheduler pass over BENCH_TICKETS tickets (default 1,000,000) of one organization
 * with 10 automations: the time to select what to act on (each automation's indexed query, its
 * batch at most), the time to act on the selected tickets, and every automation's full match count
 * (the whole evaluation without the batch limit).
 */
export async function automationsBench(options: BenchOptions): Promise<{ rows: Row[]; results: Record<string, unknown> }> {
  const stack = await BenchStack.start('automations', []);
  const client = await stack.connectDatabase();
  let service: Awaited<ReturnType<typeof startService>> | undefined;
  try {
    const [org] = (await client.query<{ id: string }>(`INSERT INTO helpdesk.organizations (name, slug, business_hours) VALUES ('Automation Bench', 'automation-bench', $1) RETURNING id`, [
      JSON.stringify(Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => [day, [{ start: '09:00', end: '17:00' }]]))),
    ])).rows;
    const orgId = org!.id;
    const users = async (role: string, count: number) =>
      (
        await client.query<{ id: string }>(`INSERT INTO helpdesk.users (organization_id, email, name, role) SELECT $1, $2 || n || '@bench.test', $2 || ' ' || n, $2 FROM generate_series(1, $3) AS n RETURNING id`, [
          orgId,
          role,
          count,
        ])
      ).rows.map((row) => row.id);
    const [adminId] = await users('admin', 1);
    const agents = await users('agent', 20);
    const customers = await users('customer', 200);
    await client.query(`INSERT INTO helpdesk.ticket_fields (organization_id, key, label, type, options) VALUES ($1, 'product_area', 'Product area', 'dropdown', $2)`, [orgId, JSON.stringify(AREAS)]);
    const loadStarted = performance.now();
    await copyTickets(client, orgId, agents, customers, options.tickets);
    const loadSeconds = Math.round((performance.now() - loadStarted) / 100) / 10;
    console.log(`  loaded ${options.tickets} tickets in ${loadSeconds} s`);

    const config = loadConfig(TicketConfig, { ...stack.env, NATS_URL: stack.nats.urlFor('ticket'), TICKET_PORT: String(await freePort()), METRICS_PORT: '0', AUTOMATION_INTERVAL_SECONDS: '3600', LOG_LEVEL: 'error' });
    service = await startService(ticketApp, config, { logStream: new PassThrough() });
    const automations = service.app.get(AutomationsService);
    const principal = { orgId, userId: adminId!, role: 'admin' as const };
    for (const automation of AUTOMATIONS) {
      await automations.create({ principal, name: automation.name, all: automation.all as never, any: automation.any as never, actions: [{ type: 'addTags', value: ['automated'] }] });
    }

    // The whole evaluation: every automation's matches counted, without the batch limit.
    const rules = (await client.query<{ id: string; organization_id: string; conditions: Automation['conditions'] }>(`SELECT id, organization_id, conditions FROM helpdesk.automations`)).rows;
    const dataSource = service.app.get(DataSource);
    const calendar = calendarOf(await dataSource.manager.findOneByOrFail(Organization, { id: orgId }));
    const now = new Date();
    const evaluationStarted = performance.now();
    let matches = 0;
    for (const rule of rules) {
      matches += (await automationCandidates(dataSource.manager, { id: rule.id, organizationId: rule.organization_id, conditions: rule.conditions }, { now, calendar }, options.tickets, { ordered: false })).length;
    }
    const fullEvaluationMs = Math.round(performance.now() - evaluationStarted);

    const scheduler = service.app.get(AutomationScheduler);
    const first: AutomationPassResult = await scheduler.runPass(now);
    const second: AutomationPassResult = await scheduler.runPass(now);
    const passMs = (pass: AutomationPassResult) => Math.round(pass.evaluateMs + pass.actMs);
    const label = `automations, ${options.tickets.toLocaleString('en-US')} tickets, 10 automations`;
    const rows: Row[] = [
      { benchmark: label, measure: `full evaluation (${matches.toLocaleString('en-US')} matches), ms`, platform: String(fullEvaluationMs), baseline: '', ratio: '', target: `< ${TARGET_PASS_MS} ms`, met: fullEvaluationMs < TARGET_PASS_MS ? 'yes' : 'no' },
      { benchmark: label, measure: `pass 1: select ms / act ms (${first.applied} applied)`, platform: `${Math.round(first.evaluateMs)} / ${Math.round(first.actMs)}`, baseline: '', ratio: '', target: `< ${TARGET_PASS_MS} ms`, met: passMs(first) < TARGET_PASS_MS ? 'yes' : 'no' },
      { benchmark: label, measure: `pass 2: select ms / act ms (${second.applied} applied)`, platform: `${Math.round(second.evaluateMs)} / ${Math.round(second.actMs)}`, baseline: '', ratio: '', target: `< ${TARGET_PASS_MS} ms`, met: passMs(second) < TARGET_PASS_MS ? 'yes' : 'no' },
    ];
    return { rows, results: { tickets: options.tickets, loadSeconds, matches, fullEvaluationMs, batchSize: config.AUTOMATION_BATCH_SIZE, passes: [first, second] } };
  } finally {
    await service?.shutdown('bench end');
    await client.end();
    await stack.stop();
  }
}
