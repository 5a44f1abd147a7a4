import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MetricsService } from '@helpdesk/common';
import type { SlaTarget } from '@helpdesk/contracts';
import { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';
import { updateReturning } from '../database/update-returning.js';
import { recordHistory } from '../history/ticket-history.js';
import { DomainEvents } from '../outbox/domain-events.js';

type Milestone = 'warning' | 'breach';

interface Rule {
  target: SlaTarget;
  milestone: Milestone;
  /** Column set once when the milestone is reached, and the time it is due at. */
  markColumn: string;
  atColumn: string;
  /** Further conditions: the clock is running and the target not yet met. */
  running: string;
}

const TABLE = `${TICKET_SCHEMA}.tickets`;
const ACTIVE = `status NOT IN ('solved', 'closed')`;

/**
 * Each rule is one conditional UPDATE: it sets the mark only if the time has come and the mark is
 * not already there, so a warning or breach is recorded (and its event emitted) exactly once per
 * target, however many timers, sweeps or replicas race for it. A next-response mark older than the
 * current window's time belongs to an earlier window and does not count.
 */
const RULES: Rule[] = [
  { target: 'first_response', milestone: 'warning', markColumn: 'first_response_warned_at', atColumn: 'first_response_warning_at', running: `${ACTIVE} AND first_responded_at IS NULL AND first_response_warned_at IS NULL AND first_response_due_at > now()` },
  { target: 'first_response', milestone: 'breach', markColumn: 'first_response_breached_at', atColumn: 'first_response_due_at', running: `${ACTIVE} AND first_responded_at IS NULL AND first_response_breached_at IS NULL` },
  { target: 'next_response', milestone: 'warning', markColumn: 'next_response_warned_at', atColumn: 'next_response_warning_at', running: `${ACTIVE} AND (next_response_warned_at IS NULL OR next_response_warned_at < next_response_warning_at) AND next_response_due_at > now()` },
  { target: 'next_response', milestone: 'breach', markColumn: 'next_response_breached_at', atColumn: 'next_response_due_at', running: `${ACTIVE} AND (next_response_breached_at IS NULL OR next_response_breached_at < next_response_due_at)` },
  { target: 'resolution', milestone: 'warning', markColumn: 'resolution_warned_at', atColumn: 'resolution_warning_at', running: `status NOT IN ('solved', 'closed', 'pending') AND resolution_warned_at IS NULL AND resolution_due_at > now()` },
  { target: 'resolution', milestone: 'breach', markColumn: 'resolution_breached_at', atColumn: 'resolution_due_at', running: `status NOT IN ('solved', 'closed', 'pending') AND resolution_breached_at IS NULL` },
];

const due = (rule: Rule) => `${rule.atColumn} IS NOT NULL AND ${rule.atColumn} <= now() AND ${rule.running}`;

@Injectable()
export class SlaEnforcer {
  private readonly logger = new Logger(SlaEnforcer.name);
  private readonly breaches: Counter<'target'>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(DomainEvents) private readonly events: DomainEvents,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    this.breaches = new Counter({ name: 'helpdesk_sla_breaches_total', help: 'SLA targets breached, by target (first_response, next_response, resolution)', labelNames: ['target'], registers: [metrics.registry] });
  }

  /** Records every warning and breach of one ticket whose time has come; returns how many. */
  async check(ticketId: string): Promise<number> {
    const breached: SlaTarget[] = [];
    const fired = await this.dataSource.transaction(async (manager) => {
      let count = 0;
      for (const rule of RULES) {
        const [row] = await updateReturning<Record<string, string | number | Date | null>>(
          manager,
          `UPDATE ${TABLE} SET ${rule.markColumn} = now(), version = version + 1, updated_at = now() WHERE id = $1 AND ${due(rule)}
           RETURNING id, organization_id, number, subject, priority, status, assignee_id, team_id, requester_id, ${rule.atColumn} AS at, ${rule.markColumn} AS marked`,
          [ticketId],
        );
        if (!row) continue;
        count += 1;
        if (rule.milestone === 'breach') breached.push(rule.target);
        const organizationId = String(row.organization_id);
        await recordHistory(manager, {
          organizationId,
          ticketId,
          actorId: null,
          action: rule.milestone === 'warning' ? 'sla.warning' : 'sla.breached',
          changes: { [rule.markColumn]: { from: null, to: (row.marked as Date).toISOString() } },
        });
        await this.events.record(manager, {
          type: rule.milestone === 'warning' ? 'ticket.sla.warning' : 'ticket.sla.breached',
          orgId: organizationId,
          aggregateId: ticketId,
          actor: { system: 'sla' },
          data: {
            target: rule.target,
            dueAt: rule.milestone === 'breach' ? (row.at as Date).toISOString() : undefined,
            warningAt: rule.milestone === 'warning' ? (row.at as Date).toISOString() : undefined,
            ticket: { id: ticketId, number: row.number, subject: row.subject, priority: row.priority, status: row.status, assigneeId: row.assignee_id, teamId: row.team_id, requesterId: row.requester_id },
          },
        });
      }
      return count;
    });
    if (fired > 0) this.events.committed();
    // Counted once committed: a rolled-back transaction recorded nothing.
    for (const target of breached) this.breaches.inc({ target });
    return fired;
  }

  /** Finds tickets with a milestone due (timers lost while the service was down) and checks each. */
  async sweep(limit = 500): Promise<number> {
    const rows = (await this.dataSource.query(`SELECT id FROM ${TABLE} WHERE ${RULES.map((rule) => `(${due(rule)})`).join(' OR ')} LIMIT $1`, [limit])) as Array<{ id: string }>;
    let fired = 0;
    for (const { id } of rows) fired += await this.check(id);
    if (fired > 0) this.logger.log(`SLA sweep recorded ${fired} warning(s) or breach(es) on ${rows.length} ticket(s)`);
    return fired;
  }
}
