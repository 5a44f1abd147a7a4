import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DurableEventConsumer, durableEventsConsumerConfig, JetStreamConnection, MetricsService, type DurableEventsConsumerConfig } from '@helpdesk/common';
import { isStaff, RULE_CHAIN_MAX_DEPTH, TRIGGER_EVENTS_CONSUMER, type EventEnvelope, type Role, type RuleChain, type TriggerEvent } from '@helpdesk/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';
import { calendarOf } from '../organizations/organization-calendar.js';
import { Organization } from '../organizations/organization.entity.js';
import { RuleActionRunner } from '../rules/rule-actions.js';
import { compileRuleConditions } from '../rules/rule-conditions.js';
import type { Ticket } from '../tickets/ticket.entity.js';
import { TicketConfig } from '../ticket.config.js';
import { Trigger } from './trigger.entity.js';

/** An unacknowledged event comes back after 30 s (a replica that died holding it), then later and later. */
const REDELIVERY_BACKOFF_MS = [30_000, 60_000, 120_000, 300_000];
const MAX_DELIVER = 10;
const STREAM_RETRY_MS = 1_000;
/**
 * Events handled at once per replica; events of one ticket serialize on its row lock. Each may hold
 * a pooled connection for its transaction: kept well under DB_POOL_SIZE (10) so API requests always find one.
 */
const EVENTS_IN_PARALLEL = 4;
/** How often each replica deletes firings whose events have left the stream (every replica may: the delete is idempotent). */
const PRUNE_EVERY_MS = 3_600_000;

/**
 * The replicas share one durable consumer, so each event goes to one of them and survives restarts.
 * It starts at the events published after its creation: triggers written today do not act on
 * last week's events. The stream keeps every event type; those no trigger listens to are acknowledged at once.
 */
export function triggersConsumerConfig(): DurableEventsConsumerConfig {
  return durableEventsConsumerConfig({ name: TRIGGER_EVENTS_CONSUMER, from: 'new', redeliveryBackoffMs: REDELIVERY_BACKOFF_MS, maxDeliver: MAX_DELIVER, maxAckPending: 256 });
}

/** The trigger event a domain event is, if any: a comment is a customer's or an agent's reply; internal notes fire nothing. */
export function triggerEventOf(event: EventEnvelope): TriggerEvent | undefined {
  switch (event.type) {
    case 'ticket.created':
    case 'ticket.updated':
    case 'ticket.sla.warning':
    case 'ticket.sla.breached':
      return event.type;
    case 'comment.created': {
      const data = event.data as { comment?: { internal?: boolean }; authorRole?: Role };
      if (data.comment?.internal !== false || !data.authorRole) return undefined;
      return isStaff(data.authorRole) ? 'comment.agent' : 'comment.customer';
    }
    default:
      return undefined;
  }
}

/** The chain an event belongs to: the one a rule's change carries, or a fresh one for a person's change. */
export function chainOf(event: EventEnvelope): RuleChain {
  const chain = (event.data as { chain?: { depth?: unknown; fired?: unknown } }).chain;
  if (!chain || typeof chain.depth !== 'number' || !Array.isArray(chain.fired)) return { depth: 0, fired: [] };
  return { depth: chain.depth, fired: chain.fired.filter((id): id is string => typeof id === 'string') };
}

export interface TriggerOutcome {
  fired: Array<{ triggerId: string; ok: boolean }>;
}

/**
 * Fires triggers (DESIGN section 14) on every event after a ticket's creation (its `ticket.created`
 * triggers act inside the creation: TicketsService.applyCreationTriggers). Per event, in one transaction holding the ticket's row lock:
 * one query evaluates the conditions of every active trigger of the organization for that event
 * against the ticket; each match not yet recorded for this event in trigger_firings runs, in
 * position order, through RuleActionRunner (a failure is recorded on the ticket and the next trigger
 * runs). The lock and the firing's key (trigger, event) make each trigger act at most once per
 * event, whichever replica receives it and however often. Changes carry their chain: a change made
 * at depth 5 fires nothing, and no trigger fires twice in one chain.
 */
@Injectable()
export class TriggerEngine implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TriggerEngine.name);
  private readonly consumer: DurableEventConsumer;
  private pruning?: NodeJS.Timeout;
  /** Resolves once the durable consumer exists and pulling has started. */
  readonly ready: Promise<void>;

  constructor(
    @Inject(JetStreamConnection) jetStream: JetStreamConnection,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RuleActionRunner) private readonly runner: RuleActionRunner,
    @Inject(TicketConfig) private readonly config: TicketConfig,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    this.consumer = new DurableEventConsumer(jetStream, {
      config: triggersConsumerConfig(),
      inParallel: EVENTS_IN_PARALLEL,
      retryMs: STREAM_RETRY_MS,
      handle: async (event) => {
        const outcome = await this.handle(event);
        return outcome.fired.length > 0 ? `${outcome.fired.length} trigger(s) fired` : undefined;
      },
      lossOnFailure: 'its triggers do not fire',
      logger: this.logger,
      metricsRegistry: metrics.registry,
    });
    this.ready = this.consumer.ready;
  }

  onApplicationBootstrap(): void {
    this.consumer.start();
    this.pruning = setInterval(() => void this.prune().catch((error: unknown) => this.logger.warn(`Pruning trigger firings failed: ${String(error)}`)), PRUNE_EVERY_MS).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.pruning);
    await this.consumer.stop();
  }

  /** Fires the triggers one event calls for; answers which fired (for tests and logs). */
  async handle(event: EventEnvelope): Promise<TriggerOutcome> {
    const kind = triggerEventOf(event);
    // A creation's triggers acted inside the creation itself (TicketsService.applyCreationTriggers).
    if (!kind || kind === 'ticket.created') return { fired: [] };
    const chain = chainOf(event);
    if (chain.depth >= RULE_CHAIN_MAX_DEPTH) {
      this.logger.log({ message: `${event.type}: trigger chain at depth ${chain.depth}, no further trigger fires`, eventId: event.id, ticketId: event.aggregateId });
      return { fired: [] };
    }
    const triggers = (
      await this.dataSource.manager.find(Trigger, { where: { organizationId: event.orgId, event: kind, active: true }, order: { position: 'ASC', id: 'ASC' } })
    ).filter((trigger) => !chain.fired.includes(trigger.id));
    if (triggers.length === 0) return { fired: [] };
    // A first look without the lock or a transaction: most events match no trigger, and then cost one query.
    if ((await this.matching(this.dataSource.manager, event, triggers, { lock: false })).length === 0) return { fired: [] };
    let lastTicket: Ticket | undefined;
    const outcome = await this.dataSource.transaction(async (manager): Promise<TriggerOutcome> => {
      const matching = await this.matching(manager, event, triggers, { lock: true });
      const fired: TriggerOutcome['fired'] = [];
      // Every trigger firing on this event counts as fired in the chain its changes start.
      const firedInChain = [...chain.fired, ...matching.map((trigger) => trigger.id)];
      for (const trigger of matching) {
        const result = await this.runner.run(manager, event.orgId, event.aggregateId, trigger.actions, {
          rule: { kind: 'trigger', id: trigger.id, name: trigger.name },
          chain: { depth: chain.depth + 1, fired: firedInChain },
          authorId: trigger.createdBy,
          triggeringEvent: { id: event.id, type: event.type },
        });
        await manager.query(`INSERT INTO ${TICKET_SCHEMA}.trigger_firings (trigger_id, event_id, organization_id, ticket_id, succeeded) VALUES ($1, $2, $3, $4, $5)`, [
          trigger.id,
          event.id,
          event.orgId,
          event.aggregateId,
          result.ok,
        ]);
        if (result.ok) lastTicket = result.ticket;
        fired.push({ triggerId: trigger.id, ok: result.ok });
      }
      return { fired };
    });
    if (outcome.fired.length > 0) this.runner.committed(lastTicket);
    return outcome;
  }

  /**
   * Deletes the firings of events older than the stream keeps (EVENTS_RETENTION_DAYS, plus a day):
   * such an event can no longer be delivered again, so its firings guard nothing. Answers how many.
   */
  async prune(): Promise<number> {
    const [, deleted] = (await this.dataSource.query(`DELETE FROM ${TICKET_SCHEMA}.trigger_firings WHERE fired_at < now() - make_interval(days => $1)`, [this.config.EVENTS_RETENTION_DAYS + 1])) as [unknown, number];
    return deleted;
  }

  /**
   * The triggers whose conditions the ticket meets, in order, less those already fired for this
   * event: one query (each trigger's compiled conditions a column). With `lock`, after locking the
   * ticket, so another replica handling the same event waits and then sees the firings.
   */
  private async matching(manager: EntityManager, event: EventEnvelope, triggers: Trigger[], { lock }: { lock: boolean }): Promise<Trigger[]> {
    if (lock) {
      const locked: unknown[] = await manager.query(`SELECT id FROM ${TICKET_SCHEMA}.tickets WHERE id = $1 AND organization_id = $2 FOR UPDATE`, [event.aggregateId, event.orgId]);
      if (locked.length === 0) return [];
    }
    const needsCalendar = triggers.some((trigger) => [...trigger.all, ...trigger.any].some((condition) => condition.businessHours));
    const calendar = needsCalendar ? calendarOf(await manager.findOneByOrFail(Organization, { id: event.orgId })) : undefined;
    const now = new Date();
    const params: unknown[] = [event.aggregateId, event.orgId, event.id, triggers.map((trigger) => trigger.id)];
    const columns = triggers.map((trigger, index) => {
      const compiled = compileRuleConditions({ all: trigger.all, any: trigger.any }, { now, calendar, alias: 't', firstParam: params.length + 1 });
      params.push(...compiled.params);
      return `(${compiled.sql}) AS m${index}`;
    });
    const [row] = (await manager.query(
      `SELECT ${columns.join(', ')},
              ARRAY(SELECT trigger_id::text FROM ${TICKET_SCHEMA}.trigger_firings WHERE event_id = $3 AND trigger_id = ANY(CAST($4 AS uuid[]))) AS already
         FROM ${TICKET_SCHEMA}.tickets t WHERE t.id = $1 AND t.organization_id = $2`,
      params,
    )) as Array<Record<string, boolean> & { already: string[] }>;
    if (!row) return [];
    return triggers.filter((trigger, index) => row[`m${index}`] === true && !row.already.includes(trigger.id));
  }
}
