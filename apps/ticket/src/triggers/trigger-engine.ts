import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { JetStreamConnection } from '@helpdesk/common';
import { EVENT_SUBJECT_PREFIX, EVENTS_STREAM, isStaff, RULE_CHAIN_MAX_DEPTH, TRIGGER_EVENTS_CONSUMER, type EventEnvelope, type Role, type RuleChain, type TriggerEvent } from '@helpdesk/contracts';
import { AckPolicy, DeliverPolicy, type ConsumerConfig, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, type EntityManager } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';
import { calendarOf } from '../organizations/organization-calendar.js';
import { Organization } from '../organizations/organization.entity.js';
import { RuleActionRunner } from '../rules/rule-actions.js';
import { compileRuleConditions } from '../rules/rule-conditions.js';
import type { Ticket } from '../tickets/ticket.entity.js';
import { TicketConfig } from '../ticket.config.js';
import { Trigger } from './trigger.entity.js';

const NANOS_PER_MS = 1_000_000;
/** An unacknowledged event comes back after 30 s (a replica that died holding it), then later and later. */
const REDELIVERY_BACKOFF_MS = [30_000, 60_000, 120_000, 300_000];
const MAX_DELIVER = 10;
const NAK_BASE_DELAY_MS = 1_000;
const NAK_MAX_DELAY_MS = 60_000;
const STREAM_RETRY_MS = 1_000;
const SHUTDOWN_WAIT_MS = 2_000;
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
export function triggersConsumerConfig(): Partial<ConsumerConfig> {
  return {
    durable_name: TRIGGER_EVENTS_CONSUMER,
    filter_subject: `${EVENT_SUBJECT_PREFIX}.>`,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.New,
    ack_wait: REDELIVERY_BACKOFF_MS[0]! * NANOS_PER_MS,
    backoff: REDELIVERY_BACKOFF_MS.map((ms) => ms * NANOS_PER_MS),
    max_deliver: MAX_DELIVER,
    max_ack_pending: 256,
  };
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
 * Fires triggers (DESIGN section 14). Per event, in one transaction holding the ticket's row lock:
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
  private stopping = false;
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private pruning?: NodeJS.Timeout;
  private readyResolve!: () => void;
  /** Resolves once the durable consumer exists and pulling has started. */
  readonly ready = new Promise<void>((resolve) => (this.readyResolve = resolve));

  constructor(
    @Inject(JetStreamConnection) private readonly jetStream: JetStreamConnection,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RuleActionRunner) private readonly runner: RuleActionRunner,
    @Inject(TicketConfig) private readonly config: TicketConfig,
  ) {}

  onApplicationBootstrap(): void {
    // Not awaited: the service boots while NATS is unreachable, and fires triggers once it is back.
    this.loop = this.run();
    this.pruning = setInterval(() => void this.prune().catch((error: unknown) => this.logger.warn(`Pruning trigger firings failed: ${String(error)}`)), PRUNE_EVERY_MS).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.pruning);
    await this.messages?.close();
    await Promise.race([this.loop, sleep(SHUTDOWN_WAIT_MS, undefined, { ref: false })]);
  }

  /** Fires the triggers one event calls for; answers which fired (for tests and logs). */
  async handle(event: EventEnvelope): Promise<TriggerOutcome> {
    const kind = triggerEventOf(event);
    if (!kind) return { fired: [] };
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

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.ensureConsumer();
        const consumer = await (await this.jetStream.client()).consumers.get(EVENTS_STREAM, TRIGGER_EVENTS_CONSUMER);
        this.messages = await consumer.consume({ max_messages: 64 });
        this.readyResolve();
        const inHand = new Set<Promise<void>>();
        for await (const message of this.messages) {
          const processing: Promise<void> = this.process(message).finally(() => inHand.delete(processing));
          inHand.add(processing);
          if (inHand.size >= EVENTS_IN_PARALLEL) await Promise.race(inHand);
        }
        await Promise.all(inHand);
      } catch (error) {
        this.logger.error(`Trigger consumer interrupted, resuming: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (!this.stopping) await sleep(STREAM_RETRY_MS);
    }
  }

  /** The outbox relay creates the stream: until it has, look again every second. */
  private async ensureConsumer(): Promise<void> {
    while (!this.stopping) {
      try {
        const manager = await this.jetStream.manager();
        await manager.streams.info(EVENTS_STREAM);
        const existing = await manager.consumers.info(EVENTS_STREAM, TRIGGER_EVENTS_CONSUMER).catch(() => undefined);
        // deliver_policy cannot change on an existing consumer: update only what may.
        if (existing) await manager.consumers.update(EVENTS_STREAM, TRIGGER_EVENTS_CONSUMER, { ack_wait: triggersConsumerConfig().ack_wait, backoff: triggersConsumerConfig().backoff, max_deliver: MAX_DELIVER, max_ack_pending: 256 });
        else await manager.consumers.add(EVENTS_STREAM, triggersConsumerConfig()).catch(async (error: unknown) => {
          // Another replica created it first.
          if (!(await manager.consumers.info(EVENTS_STREAM, TRIGGER_EVENTS_CONSUMER).catch(() => undefined))) throw error;
        });
        return;
      } catch {
        await sleep(STREAM_RETRY_MS);
      }
    }
  }

  private async process(message: JsMsg): Promise<void> {
    let event: EventEnvelope;
    try {
      event = message.json<EventEnvelope>();
    } catch {
      this.logger.error(`Unreadable event at stream sequence ${message.seq}: dropped`);
      message.term('unreadable');
      return;
    }
    try {
      const outcome = await this.handle(event);
      message.ack();
      if (outcome.fired.length > 0) this.logger.debug({ message: `${event.type}: ${outcome.fired.length} trigger(s) fired`, eventId: event.id });
    } catch (error) {
      const attempt = message.info.deliveryCount;
      const reason = error instanceof Error ? error.message : String(error);
      if (attempt >= MAX_DELIVER) this.logger.error({ message: `CRITICAL: ${event.type} not handled after ${MAX_DELIVER} deliveries, its triggers do not fire: ${reason}`, critical: true, eventId: event.id });
      else this.logger.warn({ message: `${event.type}: triggers not fired (delivery ${attempt} of ${MAX_DELIVER}): ${reason}`, eventId: event.id });
      message.nak(Math.min(NAK_BASE_DELAY_MS * 2 ** (attempt - 1), NAK_MAX_DELAY_MS));
    }
  }
}
