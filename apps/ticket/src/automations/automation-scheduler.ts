import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { calendarOf } from '../organizations/organization-calendar.js';
import { Organization } from '../organizations/organization.entity.js';
import { RuleActionRunner } from '../rules/rule-actions.js';
import { compileRuleConditions, ruleStateKeySql } from '../rules/rule-conditions.js';
import type { Ticket } from '../tickets/ticket.entity.js';
import { TicketConfig } from '../ticket.config.js';
import { Automation } from './automation.entity.js';
import { automationCandidates } from './automations.service.js';

/** One scheduler at a time across replicas (a session lock, released when the pass ends or the connection dies); distinct from the outbox relay's key. */
const SCHEDULER_LOCK_KEY = 0x6175746f; // "auto"

export interface AutomationPassResult {
  /** False when another replica held the scheduler lock: this one did nothing. */
  leader: boolean;
  automations: number;
  /** Tickets acted on (successfully or not: a failure is logged on the ticket and not retried in the same state). */
  applied: number;
  failed: number;
  /** Time spent selecting the tickets to act on, and acting on them. */
  evaluateMs: number;
  actMs: number;
}

/**
 * Runs every active automation every AUTOMATION_INTERVAL_SECONDS (DESIGN section 14). Each ticket
 * is acted on in its own transaction that first inserts the run row (automation, ticket, state)
 * with the conditions re-checked; a conflict means it was done already, so even two schedulers
 * racing act once. At most AUTOMATION_BATCH_SIZE tickets per automation per pass: the rest wait
 * for the next minute, so one busy automation cannot hold the scheduler for long.
 */
@Injectable()
export class AutomationScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AutomationScheduler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RuleActionRunner) private readonly runner: RuleActionRunner,
    @Inject(TicketConfig) private readonly config: TicketConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      // A pass still running (a large backlog) is not overlapped by the next tick.
      if (this.running) return;
      this.running = this.runPass()
        .catch((error: unknown) => this.logger.error({ message: `automation pass failed: ${String(error)}` }))
        .finally(() => (this.running = undefined));
    }, this.config.AUTOMATION_INTERVAL_SECONDS * 1_000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass over every organization's active automations, if this replica wins the scheduler lock. */
  async runPass(now = new Date()): Promise<AutomationPassResult> {
    const lock = this.dataSource.createQueryRunner();
    await lock.connect();
    const result: AutomationPassResult = { leader: false, automations: 0, applied: 0, failed: 0, evaluateMs: 0, actMs: 0 };
    try {
      const [{ leader }] = (await lock.query('SELECT pg_try_advisory_lock($1) AS leader', [SCHEDULER_LOCK_KEY])) as Array<{ leader: boolean }>;
      if (!leader) return result;
      result.leader = true;
      try {
        const automations = await this.dataSource.manager.find(Automation, { where: { active: true }, order: { organizationId: 'ASC', createdAt: 'ASC' } });
        const calendars = new Map<string, ReturnType<typeof calendarOf>>();
        for (const automation of automations) {
          let calendar = calendars.get(automation.organizationId);
          if (!calendar) {
            calendar = calendarOf(await this.dataSource.manager.findOneByOrFail(Organization, { id: automation.organizationId }));
            calendars.set(automation.organizationId, calendar);
          }
          result.automations += 1;
          const selecting = performance.now();
          const batch = this.config.AUTOMATION_BATCH_SIZE;
          // A pass at an earlier instant than the last (a clock step back, a test) looks at everything.
          const since = automation.evaluatedAt && automation.evaluatedAt <= now ? automation.evaluatedAt : null;
          const candidates = await automationCandidates(this.dataSource.manager, automation, { now, calendar }, batch, { ordered: false, since });
          result.evaluateMs += performance.now() - selecting;
          const acting = performance.now();
          for (const candidate of candidates) {
            const outcome = await this.actOn(automation, candidate.id, { now, calendar });
            if (outcome === 'applied') result.applied += 1;
            if (outcome === 'failed') result.failed += 1;
          }
          result.actMs += performance.now() - acting;
          // Nothing left over: the next pass need only look at what changes or ages from here. A full batch
          // keeps the old mark, so the next pass finds the rest. Written only if the conditions were not changed meanwhile.
          if (candidates.length < batch) {
            await this.dataSource.query(`UPDATE helpdesk.automations SET evaluated_at = $2 WHERE id = $1 AND date_trunc('milliseconds', updated_at) = $3`, [automation.id, now, automation.updatedAt]);
          }
        }
      } finally {
        await lock.query('SELECT pg_advisory_unlock($1)', [SCHEDULER_LOCK_KEY]);
      }
      if (result.applied + result.failed > 0) this.logger.log({ message: 'automation pass', ...result });
      return result;
    } finally {
      await lock.release();
    }
  }

  /** One ticket, one transaction: the run row (conditions re-checked on the row as it is now), then the actions. */
  private async actOn(automation: Automation, ticketId: string, context: { now: Date; calendar: ReturnType<typeof calendarOf> }): Promise<'applied' | 'failed' | 'skipped'> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      const compiled = compileRuleConditions(automation.conditions, { ...context, alias: 't', firstParam: 4 });
      const claimed: unknown[] = await manager.query(
        `INSERT INTO helpdesk.automation_runs (automation_id, ticket_id, state_key)
         SELECT $1, t.id, ${ruleStateKeySql(automation.conditions, 't')} FROM helpdesk.tickets t
          WHERE t.id = $2 AND t.organization_id = $3 AND t.status <> 'closed' AND (${compiled.sql})
         ON CONFLICT DO NOTHING RETURNING ticket_id`,
        [automation.id, ticketId, automation.organizationId, ...compiled.params],
      );
      if (claimed.length === 0) return { kind: 'skipped' as const };
      const run = await this.runner.run(manager, automation.organizationId, ticketId, automation.actions, {
        rule: { kind: 'automation', id: automation.id, name: automation.name },
        chain: { depth: 1, fired: [] },
        authorId: automation.createdBy,
      });
      return run.ok ? { kind: 'applied' as const, ticket: run.ticket } : { kind: 'failed' as const };
    });
    if (outcome.kind === 'applied') this.runner.committed(outcome.ticket as Ticket);
    else if (outcome.kind === 'failed') this.runner.committed();
    return outcome.kind;
  }
}
