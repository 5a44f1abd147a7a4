import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  FINISHED_STATUSES,
  isStaff,
  TICKET_LIMITS,
  type CreateTicketCommand,
  type ListTicketsCommand,
  type Page,
  type PageCommand,
  type Principal,
  type Role,
  type TeamAssignment,
  type TicketChannel,
  type TicketChanges,
  type TicketFilters,
  type TicketHistoryEntry,
  type TicketPriority,
  type TicketView,
  type UpdateTicketCommand,
} from '@helpdesk/contracts';
import { CommandError, type CursorValueKind, decodeCursor, encodeCursor, preparedQuery, preparedQueryIn, sanitizeRichText, stripToPlainText } from '@helpdesk/common';
import { AiTriageQueue } from '../ai/ai-triage.queue.js';
import { DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { TICKET_SCHEMA } from '../database/schema.js';
import { AssignmentService } from '../assignment/assignment.service.js';
import { TicketEvent, type FieldChanges } from '../history/ticket-event.entity.js';
import { diff, historyActor, recordHistory } from '../history/ticket-history.js';
import { calendarOf } from '../organizations/organization-calendar.js';
import type { BusinessCalendar, WeeklySchedule } from '../sla/business-calendar.js';
import { Organization } from '../organizations/organization.entity.js';
import { actorOf, DomainEvents, traceCarrierJson } from '../outbox/domain-events.js';
import { SlaPolicy } from '../sla/sla-policy.entity.js';
import { SlaTimers } from '../sla/sla-timers.service.js';
import { applyPriorityPolicy, pauseResolutionClock, resumeResolutionClock } from '../sla/ticket-sla.js';
import { Team } from '../teams/team.entity.js';
import { organizationFields } from '../ticket-fields/ticket-fields.service.js';
import { applyFieldChanges, fieldDiff, fieldFilterContainment, missingToSolve, type FieldValues } from '../ticket-fields/ticket-field-values.js';
import type { TicketField } from '../ticket-fields/ticket-field.entity.js';
import { PrincipalVerifier, UNKNOWN_ACCOUNT, type VerifiedPrincipal } from '../users/principal-verifier.js';
import { findOrCreateRequester } from '../users/requesters.js';
import { User } from '../users/user.entity.js';
import { combinedFilters, findVisibleView } from '../views/view-visibility.js';
import { CreationTriggers, fieldActionsOf, hasEffects } from '../triggers/creation-triggers.js';
import type { Trigger } from '../triggers/trigger.entity.js';
import { ticketChangesOf } from '../macros/macro-actions.js';
import { Ticket } from './ticket.entity.js';
import { ticketEventData, toTicketView } from './ticket-view.js';

const PRIORITY_RANK = `CASE ticket.priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'normal' THEN 2 ELSE 1 END`;
/** Sort expressions; nulls sort last through 'infinity' so keyset comparisons stay total. */
const SORT_EXPRESSIONS = {
  createdAt: 'ticket.created_at',
  updatedAt: 'ticket.updated_at',
  priority: PRIORITY_RANK,
  resolutionDueAt: `COALESCE(ticket.resolution_due_at, 'infinity'::timestamptz)`,
} as const;
type SortField = keyof typeof SORT_EXPRESSIONS;
const SORT_VALUE_KINDS: Record<SortField, CursorValueKind> = { createdAt: 'timestamp', updatedAt: 'timestamp', priority: 'integer', resolutionDueAt: 'timestamp' };

/** The SLA clock fields of a ticket nobody has answered yet; applyPriorityPolicy sets the due times. */
const NEW_TICKET_CLOCKS = {
  assigneeId: null,
  teamId: null,
  slaPolicyId: null,
  firstResponseDueAt: null,
  firstResponseWarningAt: null,
  firstRespondedAt: null,
  nextResponseDueAt: null,
  nextResponseWarningAt: null,
  resolutionDueAt: null,
  resolutionWarningAt: null,
  resolvedAt: null,
  lastAgentReplyAt: null,
  slaPausedAt: null,
  slaPausedMinutes: 0,
  firstResponseWarnedAt: null,
  nextResponseWarnedAt: null,
  resolutionWarnedAt: null,
  firstResponseBreachedAt: null,
  nextResponseBreachedAt: null,
  resolutionBreachedAt: null,
} satisfies Partial<Ticket>;

type PolicyTargets = Pick<SlaPolicy, 'id' | 'firstResponseMinutes' | 'nextResponseMinutes' | 'resolutionMinutes' | 'businessHoursOnly'>;

/** Every organization's default: what a customer's ticket gets, whatever the customer asked for (kept as requestedPriority). */
const DEFAULT_PRIORITY: TicketPriority = 'normal';

export const TRACKED_FIELDS = ['subject', 'status', 'priority', 'requestedPriority', 'assigneeId', 'teamId', 'tags', 'slaPolicyId', 'firstResponseDueAt', 'resolutionDueAt', 'resolvedAt'] as const;

function isPrimaryKeyConflict(error: unknown, constraint: string): boolean {
  const { code, constraint: violated } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === '23505' && violated === constraint;
}

export function normalizeTags(tags: string[] | undefined): string[] {
  const cleaned = (tags ?? []).map((tag) => stripToPlainText(tag).toLowerCase()).filter((tag) => tag.length > 0 && tag.length <= TICKET_LIMITS.tag);
  return [...new Set(cleaned)];
}

@Injectable()
export class TicketsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
    @Inject(DomainEvents) private readonly events: DomainEvents,
    @Inject(SlaTimers) private readonly slaTimers: SlaTimers,
    @Inject(AiTriageQueue) private readonly aiTriage: AiTriageQueue,
    @Inject(AssignmentService) private readonly assignment: AssignmentService,
    @Inject(CreationTriggers) private readonly creationTriggers: CreationTriggers,
  ) {}

  /**
   * Two statements: the caller with the organization's calendar and SLA policy, then the ticket with
   * its number, history row and outbox event. Ticket creation is the hottest write, and on the
   * machines we measured each round trip to PostgreSQL cost more than the SQL it carried.
   */
  /**
   * `trusted` comes from this service's own code (the email channel), never from a caller's payload:
   * the channel, and the ticket's id, which makes the creation idempotent (the same id again answers
   * the ticket made the first time).
   */
  async create(command: CreateTicketCommand, trusted: { channel?: TicketChannel; id?: string } = {}): Promise<TicketView> {
    const { caller, calendar, policy, teamAssignment, triggersVersion } = await this.callerAndTerms(command.principal, command.priority ?? DEFAULT_PRIORITY, command.teamId);
    if (!caller.staff && command.requesterEmail) throw new CommandError('FORBIDDEN', 'Customers can only open tickets for themselves');
    // Priority drives SLA targets and tags feed AI training: both are staff's (DESIGN section 17).
    if (!caller.staff && command.tags?.length) throw new CommandError('FORBIDDEN', 'tags are set by staff; customers cannot set tags');
    // The channel records how the request reached the desk (reports and routing rely on it): a customer's own ticket is always web.
    if (!caller.staff && command.channel !== undefined) throw new CommandError('FORBIDDEN', 'channel is set by staff; customers cannot set channel');
    // Custom fields are staff's working data (DESIGN section 14): customers neither see nor set them.
    if (!caller.staff && command.fields !== undefined) throw new CommandError('FORBIDDEN', 'custom fields are set by staff; customers cannot set fields');
    // Routing is staff's; the team's assignment rule then picks the assignee.
    if (!caller.staff && command.teamId !== undefined) throw new CommandError('FORBIDDEN', 'teamId is set by staff; customers cannot set teamId');
    if (command.teamId !== undefined && !teamAssignment) throw new CommandError('VALIDATION', 'teamId must be a team of this organization');
    const subject = stripToPlainText(command.subject);
    if (!subject) throw new CommandError('VALIDATION', 'subject must contain text');
    const fields = command.fields && Object.keys(command.fields).length > 0 ? applyFieldChanges({}, command.fields, await organizationFields(this.dataSource.manager, caller.orgId)) : {};
    const requesterId = command.requesterEmail ? await findOrCreateRequester(this.dataSource.manager, caller.orgId, command.requesterEmail, command.requesterName) : caller.userId;
    const now = new Date();
    const ticket = this.dataSource.manager.create(Ticket, {
      id: trusted.id ?? uuidv7(),
      organizationId: caller.orgId,
      subject,
      description: sanitizeRichText(command.description),
      status: 'new',
      priority: caller.staff ? (command.priority ?? DEFAULT_PRIORITY) : DEFAULT_PRIORITY,
      requestedPriority: caller.staff ? null : (command.priority ?? null),
      channel: trusted.channel ?? (caller.staff ? (command.channel ?? 'api') : 'web'),
      tags: normalizeTags(command.tags),
      requesterId,
      ...NEW_TICKET_CLOCKS,
      teamId: command.teamId ?? null,
      aiTriage: null,
      fields,
      publicCommentsText: '',
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
    applyPriorityPolicy(ticket, policy, calendar);
    const initial = { ...ticket };
    const triggers = await this.applyCreationTriggers(ticket, calendar, triggersVersion);
    // The team's rule picks when the ticket ends up in an automatic team with nobody assigned (a trigger may have routed it).
    const pick = ticket.teamId !== null && ticket.assigneeId === null && (ticket.teamId !== (command.teamId ?? null) || (teamAssignment !== null && teamAssignment !== 'manual'));
    let created: Ticket;
    const insert = (mayPick: boolean, assignment?: TeamAssignment) =>
      mayPick || triggers.withEffects.length > 0 ? this.insertInTransaction(ticket, initial, caller, triggers, mayPick, assignment) : this.insertCreated(ticket, initial, caller, triggers, { assignment });
    try {
      const roundRobinAssignee = pick ? await this.assignment.takeRoundRobinTurn(ticket.teamId!, ticket.organizationId) : undefined;
      if (roundRobinAssignee) {
        ticket.assigneeId = roundRobinAssignee;
        created = await insert(false, 'round_robin');
      } else {
        created = pick ? await this.assignment.inCreationTurn(ticket.teamId!, insert) : await insert(false);
      }
    } catch (error) {
      // Nothing of this second attempt was written (not even a ticket number), except a round-robin turn it took: one member's turn skipped.
      if (trusted.id && isPrimaryKeyConflict(error, 'tickets_pkey')) return this.get(command.principal, trusted.id);
      throw error;
    }
    this.afterCommit(created);
    // Nobody was free, or older tickets wait: the team's pass assigns it in turn.
    if (created.teamId && !created.assigneeId) void this.assignment.kickTeam(created.teamId);
    this.aiTriage.ticketsCreated();
    return toTicketView(created, caller.staff);
  }

  /**
   * PrincipalVerifier's check (an active user of that organization), with the organization's calendar
   * and the active policy for the priority: the one asked for when the caller is staff, the default otherwise;
   * and the assignment rule of `teamId` (null when it is no team of the organization), in the same round trip.
   */
  private async callerAndTerms(
    principal: Principal,
    priority: TicketPriority,
    teamId: string | undefined,
  ): Promise<{ caller: Principal & { staff: boolean }; calendar: BusinessCalendar; policy: SlaPolicy | null; teamAssignment: TeamAssignment | null; triggersVersion: string }> {
    const [row] = await preparedQuery<{
      role: Role;
      timezone: string;
      business_hours: WeeklySchedule;
      holidays: string[];
      triggers_version: string;
      policy: PolicyTargets | null;
      team_assignment: TeamAssignment | null;
    }>(
      this.dataSource,
      'ticket-create-caller-and-terms',
      `SELECT person.role, organization.timezone, organization.business_hours, organization.holidays, organization.triggers_version,
         (SELECT json_build_object('id', policy.id, 'firstResponseMinutes', policy.first_response_minutes, 'nextResponseMinutes', policy.next_response_minutes,
                 'resolutionMinutes', policy.resolution_minutes, 'businessHoursOnly', policy.business_hours_only)
            FROM ${TICKET_SCHEMA}.sla_policies policy
           WHERE policy.organization_id = organization.id AND policy.priority = (CASE WHEN person.role IN ('admin', 'agent') THEN $3 ELSE $4 END) AND policy.active LIMIT 1) AS policy,
         (SELECT team.assignment FROM ${TICKET_SCHEMA}.teams team WHERE team.id = $5::uuid AND team.organization_id = organization.id) AS team_assignment
       FROM ${TICKET_SCHEMA}.users person JOIN ${TICKET_SCHEMA}.organizations organization ON organization.id = person.organization_id
       WHERE person.id = $1 AND person.organization_id = $2 AND person.active`,
      [principal.userId, principal.orgId, priority, DEFAULT_PRIORITY, teamId ?? null],
    );
    if (!row) throw new CommandError('UNAUTHORIZED', UNKNOWN_ACCOUNT);
    return {
      caller: { orgId: principal.orgId, userId: principal.userId, role: row.role, staff: isStaff(row.role), ...(principal.apiToken ? { apiToken: principal.apiToken } : {}), ...(principal.integration ? { integration: principal.integration } : {}) },
      calendar: calendarOf({ timezone: row.timezone, businessHours: row.business_hours, holidays: row.holidays }),
      policy: row.policy ? this.dataSource.manager.create(SlaPolicy, row.policy) : null,
      teamAssignment: row.team_assignment,
      triggersVersion: String(row.triggers_version),
    };
  }

  /**
   * The organization's `ticket.created` triggers, applied to the ticket before it is inserted (DESIGN
   * section 14, docs/workflow.md "Triggers"): those whose conditions the ticket as asked for meets, in
   * order, each changing a copy of the ticket's fields as an update would. A trigger whose change is
   * refused (an assignee gone, a required field missing) changes nothing and is recorded as failed;
   * the next goes on. Their comments and notifications are written right after the insert.
   */
  private async applyCreationTriggers(ticket: Ticket, calendar: BusinessCalendar, version: string): Promise<CreationTriggerOutcome> {
    const outcome: CreationTriggerOutcome = { fired: [], failed: [], withEffects: [] };
    const triggers = await this.creationTriggers.of(ticket.organizationId, version);
    const matching = await this.creationTriggers.matching(ticket, triggers, calendar);
    for (const trigger of matching) {
      const draft = Object.assign(new Ticket(), ticket);
      try {
        const changes = ticketChangesOf(fieldActionsOf(trigger.actions), draft.tags);
        await this.applyChanges(this.dataSource.manager, ticket.organizationId, draft, changes, calendar);
        await this.applyCustomFields(this.dataSource.manager, ticket.organizationId, ticket, draft, changes);
      } catch (error) {
        if (!(error instanceof CommandError)) throw error;
        outcome.failed.push({ trigger, error: error.message });
        continue;
      }
      outcome.fired.push({ trigger, changes: { ...diff(ticket, draft, [...TRACKED_FIELDS]), ...fieldDiff(ticket.fields, draft.fields) } });
      if (hasEffects(trigger.actions)) outcome.withEffects.push(trigger);
      Object.assign(ticket, draft);
    }
    return outcome;
  }

  /**
   * One statement, atomic on its own: the next number under the organization's row lock (consecutive
   * and unique, even when 100 arrive at once, and no gap if the insert fails), the ticket, its
   * 'created' history row (then its creation triggers' rows) and its ticket.created outbox event
   * (the rows recordHistory and DomainEvents.record would write), marked as owed an AI triage.
   * Answers the ticket with its number.
   */
  private async insertCreated(ticket: Ticket, initial: Ticket, caller: Principal, triggers: CreationTriggerOutcome, options: { manager?: EntityManager; assignment?: TeamAssignment; lastAssignedUserId?: string } = {}): Promise<Ticket> {
    const { manager, assignment } = options;
    // The creation as asked for, by its author; then what the team's rule and each trigger changed, by them.
    const assigned = assignment ? { assigneeId: { from: null, to: ticket.assigneeId }, assignment: { from: null, to: assignment } } : {};
    const history = [
      { actor_id: caller.userId, ...(caller.apiToken ? { api_token: caller.apiToken } : {}), ...(caller.integration ? { integration: caller.integration } : {}), action: 'created', changes: { ...diff({} as Ticket, initial, [...TRACKED_FIELDS]), ...fieldDiff({}, initial.fields), ...assigned } },
      ...creationTriggerHistory(triggers),
    ];
    const firedTriggers = triggers.fired.map(({ trigger }) => ({ id: trigger.id, name: trigger.name }));
    // The number is known only inside the statement, which writes it into the event too.
    const event = this.events.envelope({
      type: 'ticket.created',
      orgId: caller.orgId,
      aggregateId: ticket.id,
      actor: actorOf(caller),
      data: {
        ticket: ticketEventData({ ...ticket, number: 0 }),
        ...(assignment ? { assignment } : {}),
        ...(firedTriggers.length > 0 ? { triggers: firedTriggers } : {}),
      },
    });
    const run = <TRow>(name: string, text: string, values: unknown[]) => (manager ? preparedQueryIn<TRow>(manager, name, text, values) : preparedQuery<TRow>(this.dataSource, name, text, values));
    const [row] = await run<{ number: number }>(
      'ticket-create-insert',
      `WITH reserved AS (
         UPDATE ${TICKET_SCHEMA}.organizations SET next_ticket_number = next_ticket_number + 1 WHERE id = $2 RETURNING next_ticket_number - 1 AS number
       ), ticket AS (
         INSERT INTO ${TICKET_SCHEMA}.tickets (id, organization_id, number, subject, description, status, priority, channel, tags, requester_id, sla_policy_id,
           first_response_due_at, first_response_warning_at, resolution_due_at, resolution_warning_at, created_at, updated_at, triage_pending, requested_priority, fields, team_id, assignee_id, resolved_at, sla_paused_at)
         SELECT $1::uuid, $2::uuid, reserved.number, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text[], $9::uuid, $10::uuid,
           $11::timestamptz, $12::timestamptz, $13::timestamptz, $14::timestamptz, $15::timestamptz, $15::timestamptz, true, $20::text, $21::jsonb, $22::uuid, $23::uuid, $24::timestamptz, $25::timestamptz
         FROM reserved
         RETURNING id, organization_id, number
       ), history AS (
         INSERT INTO ${TICKET_SCHEMA}.ticket_events (organization_id, ticket_id, actor_id, action, changes, api_token, integration)
         SELECT ticket.organization_id, ticket.id, (element.entry ->> 'actor_id')::uuid, element.entry ->> 'action', element.entry -> 'changes', element.entry -> 'api_token', element.entry -> 'integration'
           FROM ticket, jsonb_array_elements($16::jsonb) WITH ORDINALITY AS element(entry, n)
          ORDER BY element.n
       ), turn AS (
         UPDATE ${TICKET_SCHEMA}.teams SET last_assigned_user_id = $26::uuid WHERE $26::uuid IS NOT NULL AND id = $22::uuid
       ), outbox AS (
         INSERT INTO ${TICKET_SCHEMA}.outbox (id, organization_id, aggregate_id, type, envelope, attempts, trace_context)
         SELECT $17::uuid, organization_id, id, $18::text, jsonb_set($19::jsonb, '{data,ticket,number}', to_jsonb(number)), 0, $27::jsonb FROM ticket
       )
       SELECT number FROM ticket`,
      [
        ticket.id, ticket.organizationId, ticket.subject, ticket.description, ticket.status, ticket.priority, ticket.channel, ticket.tags, ticket.requesterId, ticket.slaPolicyId,
        ticket.firstResponseDueAt, ticket.firstResponseWarningAt, ticket.resolutionDueAt, ticket.resolutionWarningAt, ticket.createdAt,
        JSON.stringify(history),
        event.id, event.type, JSON.stringify(event),
        ticket.requestedPriority,
        JSON.stringify(ticket.fields),
        ticket.teamId,
        ticket.assigneeId ?? null,
        // A creation trigger may have solved the ticket or set it pending.
        ticket.resolvedAt,
        ticket.slaPausedAt,
        // The team's round-robin turn, advanced by the pick.
        options.lastAssignedUserId ?? null,
        // The creating command's trace, which the event joins (null when untraced).
        traceCarrierJson(),
      ],
    );
    if (!row) throw new CommandError('NOT_FOUND', 'Organization not found');
    ticket.number = row.number;
    return ticket;
  }

  /**
   * insertCreated in one transaction with what must commit with it:
   * - the team rule's pick (AssignmentService.pickForNewTicket) when `pick`, so the ticket is born
   *   assigned and its one ticket.created carries the assignee and `data.assignment`, instead of a
   *   later pass adding ticket.updated and ticket.assigned (without a pick it waits for the pass);
   * - the comments and notifications of its triggers, after the insert so they follow its event.
   * Answers the ticket as committed.
   */
  private insertInTransaction(ticket: Ticket, initial: Ticket, caller: Principal, triggers: CreationTriggerOutcome, pick: boolean, assigned?: TeamAssignment): Promise<Ticket> {
    return this.dataSource.transaction(async (manager) => {
      const picked = pick ? await this.assignment.pickForNewTicket(manager, ticket.teamId!, ticket.organizationId) : undefined;
      if (picked) ticket.assigneeId = picked.assigneeId;
      let created = await this.insertCreated(ticket, initial, caller, triggers, { manager, assignment: picked?.assignment ?? assigned, lastAssignedUserId: picked?.lastAssignedUserId });
      if (triggers.withEffects.length === 0) return created;
      const chain = { depth: 1, fired: [...triggers.fired, ...triggers.failed].map(({ trigger }) => trigger.id) };
      for (const trigger of triggers.withEffects) {
        const result = await this.creationTriggers.runEffects(manager, created, trigger.actions, { rule: { kind: 'trigger', id: trigger.id, name: trigger.name }, chain, authorId: trigger.createdBy });
        if (result.ok) created = result.ticket;
      }
      return created;
    });
  }

  async get(principal: VerifiedPrincipal | CreateTicketCommand['principal'], ticketId: string): Promise<TicketView> {
    const caller = 'user' in principal ? principal : await this.principals.verify(principal);
    return toTicketView(await this.findVisible(this.dataSource.manager, caller, ticketId), caller.staff);
  }

  /** A ticket the caller may see: same organization, and for customers only their own; anything else is "not found". */
  async findVisible(manager: EntityManager, caller: VerifiedPrincipal, ticketId: string, lock = false): Promise<Ticket> {
    return this.findTicket(manager, caller.orgId, ticketId, lock, caller.staff ? undefined : caller.userId);
  }

  /** A ticket of the organization, whoever asks: for callers that have checked the asker's part in it themselves (the email channel). */
  findInOrganization(manager: EntityManager, orgId: string, ticketId: string, lock = false): Promise<Ticket> {
    return this.findTicket(manager, orgId, ticketId, lock);
  }

  private async findTicket(manager: EntityManager, orgId: string, ticketId: string, lock: boolean, requesterId?: string): Promise<Ticket> {
    const query = manager.createQueryBuilder(Ticket, 'ticket').where('ticket.id = :ticketId AND ticket.organizationId = :orgId', { ticketId, orgId });
    if (requesterId) query.andWhere('ticket.requesterId = :userId', { userId: requesterId });
    if (lock) query.setLock('pessimistic_write');
    const ticket = await query.getOne();
    if (!ticket) throw new CommandError('NOT_FOUND', 'Ticket not found');
    return ticket;
  }

  async list(command: ListTicketsCommand): Promise<Page<TicketView>> {
    const caller = await this.principals.verify(command.principal);
    let filters: TicketFilters = command;
    let sortText = command.sort ?? '-createdAt';
    if (command.view) {
      const view = await findVisibleView(this.dataSource.manager, caller, command.view);
      filters = combinedFilters(view.query, command);
      sortText = command.sort ?? view.sort ?? sortText;
    }
    const limit = command.limit ?? TICKET_LIMITS.defaultPageSize;
    const sort = sortText.replace(/^-/, '') as SortField;
    const descending = sortText.startsWith('-');
    const fieldSort = sort.startsWith('field.');
    const { query, definitions } = await this.filteredQuery(caller, filters, fieldSort ? sort : undefined);
    const { expression, kind, cursorParameter, selectAsText } = fieldSort
      ? fieldSortOf(definitions, sort.slice('field.'.length))
      : { expression: SORT_EXPRESSIONS[sort], kind: SORT_VALUE_KINDS[sort], cursorParameter: ':cursorValue', selectAsText: SORT_VALUE_KINDS[sort] === 'timestamp' };
    if (command.number !== undefined) query.andWhere('ticket.number = :number', { number: command.number });
    if (command.cursor) {
      const cursor = decodeCursor(command.cursor, kind);
      query.andWhere(`(${expression}, ticket.id) ${descending ? '<' : '>'} (${cursorParameter}, :cursorId)`, { cursorValue: cursor.value, cursorId: cursor.id });
    }
    const direction = descending ? 'DESC' : 'ASC';
    query.addSelect(selectAsText ? `(${expression})::text` : expression, 'sort_value').orderBy(expression, direction).addOrderBy('ticket.id', direction).limit(limit + 1);
    const { entities, raw } = await query.getRawAndEntities<{ sort_value: number | string }>();
    const page = entities.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((ticket) => toTicketView(ticket, caller.staff)),
      nextCursor: entities.length > limit && last ? encodeCursor({ value: raw[page.length - 1]?.sort_value ?? null, id: last.id }) : null,
    };
  }

  /**
   * How many tickets match `filters` for `caller`, counting at most `cap` + 1 rows (a view's badge:
   * one statement on the list's own indexes, bounded however large the organization grows).
   */
  async count(caller: VerifiedPrincipal, filters: TicketFilters, cap: number): Promise<{ count: number; capped: boolean }> {
    const { query } = await this.filteredQuery(caller, filters);
    const [sql, parameters] = query.select('1').limit(cap + 1).getQueryAndParameters();
    const [row] = (await this.dataSource.query(`SELECT count(*)::int AS count FROM (${sql}) matching`, parameters)) as Array<{ count: number }>;
    const count = row?.count ?? 0;
    return count > cap ? { count: cap, capped: true } : { count, capped: false };
  }

  /** Checks a view's filters and sort as the list would when it runs them (custom field keys and values against the organization's fields). */
  async checkFilters(caller: VerifiedPrincipal, filters: TicketFilters, sort?: string | null): Promise<void> {
    const key = sort?.replace(/^-/, '');
    const { definitions } = await this.filteredQuery(caller, filters, key?.startsWith('field.') ? key : undefined);
    if (key?.startsWith('field.')) fieldSortOf(definitions, key.slice('field.'.length));
  }

  /** The organization's tickets the caller may see, narrowed by `filters`; the definitions are loaded when custom fields are filtered or sorted by. */
  private async filteredQuery(caller: VerifiedPrincipal, filters: TicketFilters, fieldSort?: string): Promise<{ query: SelectQueryBuilder<Ticket>; definitions: TicketField[] }> {
    const fieldFiltered = filters.fields !== undefined && Object.keys(filters.fields).length > 0;
    const definitions = fieldSort || fieldFiltered ? await this.fieldsForListing(caller, fieldSort ?? '') : [];
    const query = this.dataSource.manager.createQueryBuilder(Ticket, 'ticket').where('ticket.organizationId = :orgId', { orgId: caller.orgId });
    this.applyFilters(query, filters, caller);
    if (fieldFiltered) query.andWhere('ticket.fields @> CAST(:fieldFilter AS jsonb)', { fieldFilter: JSON.stringify(fieldFilterOf(definitions, filters.fields!)) });
    return { query, definitions };
  }

  /** Filtering or sorting by custom fields is for staff, who see them; the definitions give each key its type. */
  private async fieldsForListing(caller: VerifiedPrincipal, sort: string): Promise<TicketField[]> {
    if (!caller.staff) throw new CommandError('FORBIDDEN', `custom fields are for staff: customers cannot filter or sort by them${sort.startsWith('field.') ? ` (sort=${sort})` : ''}`);
    return organizationFields(this.dataSource.manager, caller.orgId);
  }

  private applyFilters(query: SelectQueryBuilder<Ticket>, filters: TicketFilters, caller: VerifiedPrincipal): void {
    if (!caller.staff) query.andWhere('ticket.requesterId = :self', { self: caller.userId });
    else if (filters.requesterId) query.andWhere('ticket.requesterId = :requesterId', { requesterId: filters.requesterId });
    if (filters.status?.length) query.andWhere('ticket.status IN (:...statuses)', { statuses: filters.status });
    if (filters.priority?.length) query.andWhere('ticket.priority IN (:...priorities)', { priorities: filters.priority });
    if (filters.assigneeId === 'none') query.andWhere('ticket.assigneeId IS NULL');
    // `me` is whoever reads: a shared "My open" shows each agent their own tickets.
    else if (filters.assigneeId === 'me') query.andWhere('ticket.assigneeId = :assigneeId', { assigneeId: caller.userId });
    else if (filters.assigneeId) query.andWhere('ticket.assigneeId = :assigneeId', { assigneeId: filters.assigneeId });
    if (filters.teamId) query.andWhere('ticket.teamId = :teamId', { teamId: filters.teamId });
    if (filters.tag) query.andWhere(':tag = ANY(ticket.tags)', { tag: filters.tag.toLowerCase() });
    if (filters.breached !== undefined) {
      // Written as tickets_breached_idx's predicate, so the planner can use that index.
      const anyBreach = 'ticket.first_response_breached_at IS NOT NULL OR ticket.next_response_breached_at IS NOT NULL OR ticket.resolution_breached_at IS NOT NULL';
      query.andWhere(filters.breached ? `(${anyBreach})` : `NOT (${anyBreach})`);
    }
    // Always a bound parameter through websearch_to_tsquery: user syntax can never become SQL or a tsquery error.
    if (filters.q) query.andWhere(`ticket.search_vector @@ websearch_to_tsquery('english', :q)`, { q: filters.q });
  }

  async update(command: UpdateTicketCommand): Promise<TicketView> {
    const { ticket, changed } = await this.dataSource.transaction(async (manager) => {
      const caller = await this.principals.verify(command.principal, manager);
      const ticket = await this.findVisible(manager, caller, command.ticketId, true);
      if (!caller.staff) throw new CommandError('FORBIDDEN', 'Only agents and admins may change tickets');
      this.expectVersion(ticket, command.expectedVersion);
      return this.updateLocked(manager, caller, ticket, command.changes);
    });
    if (changed) this.afterCommit(ticket);
    return toTicketView(ticket, true);
  }

  /** Optimistic concurrency (If-Match): CONFLICT when the ticket has moved on from the version the caller saw. */
  expectVersion(ticket: Ticket, expectedVersion: number | undefined): void {
    if (expectedVersion !== undefined && expectedVersion !== ticket.version) {
      throw new CommandError('CONFLICT', `The ticket has changed since version ${expectedVersion}`, { currentVersion: ticket.version });
    }
  }

  /**
   * Staff's changes to a ticket the caller has locked, inside the caller's transaction, recorded in
   * the history as one `updated` entry. The single update, bulk updates and merges change tickets
   * through here. Call `afterCommit` once the transaction has committed.
   */
  async updateLocked(manager: EntityManager, caller: VerifiedPrincipal, ticket: Ticket, changes: TicketChanges): Promise<{ ticket: Ticket; changed: boolean }> {
    const { ticket: saved, fieldChanges } = await this.changeLocked(manager, caller, ticket, changes);
    if (Object.keys(fieldChanges).length === 0) return { ticket: saved, changed: false };
    await recordHistory(manager, { organizationId: caller.orgId, ticketId: saved.id, ...historyActor(caller), action: 'updated', changes: fieldChanges });
    return { ticket: saved, changed: true };
  }

  /**
   * Staff's changes to a ticket locked by the caller's transaction: validated, saved, and announced
   * (`ticket.updated`, plus `ticket.assigned` and `ticket.status_changed` when those changed, with
   * `eventData` added to each). The history row is the caller's to write, so a macro records one.
   * Answers the field changes; none means nothing was written.
   */
  async changeLocked(manager: EntityManager, caller: VerifiedPrincipal, ticket: Ticket, changes: TicketChanges, eventData: Record<string, unknown> = {}): Promise<{ ticket: Ticket; fieldChanges: FieldChanges }> {
    const before = { ...ticket };
    await this.applyChanges(manager, caller.orgId, ticket, changes);
    await this.applyCustomFields(manager, caller.orgId, before, ticket, changes);
    const fieldChanges = diff(before, ticket, [...TRACKED_FIELDS]);
    const customChanges = fieldDiff(before.fields, ticket.fields);
    if (Object.keys(fieldChanges).length === 0 && Object.keys(customChanges).length === 0) return { ticket, fieldChanges };
    if (fieldChanges.status && FINISHED_STATUSES.includes(ticket.status)) await this.refuseWhileChildrenOpen(manager, ticket);
    if (fieldChanges.status && before.status === 'closed') await this.refuseReopeningMerged(manager, ticket);
    const saved = await manager.save(ticket);
    const actor = actorOf(caller);
    const data = ticketEventData(saved);
    if (Object.keys(fieldChanges).length > 0) {
      await this.events.record(manager, { type: 'ticket.updated', orgId: caller.orgId, aggregateId: saved.id, actor, data: { ticket: data, changes: fieldChanges, ...eventData } });
    }
    // A separate event, because realtime pushes `changes.fields` to staff only: the requester never sees the values.
    if (Object.keys(customChanges).length > 0) {
      const byKey = Object.fromEntries(Object.entries(customChanges).map(([name, change]) => [name.slice('fields.'.length), change]));
      await this.events.record(manager, { type: 'ticket.updated', orgId: caller.orgId, aggregateId: saved.id, actor, data: { ticket: data, changes: { fields: byKey }, ...eventData } });
    }
    if (fieldChanges.assigneeId) {
      await this.events.record(manager, { type: 'ticket.assigned', orgId: caller.orgId, aggregateId: saved.id, actor, data: { ticket: data, previousAssigneeId: before.assigneeId, ...eventData } });
    }
    if (fieldChanges.status) {
      await this.events.record(manager, { type: 'ticket.status_changed', orgId: caller.orgId, aggregateId: saved.id, actor, data: { ticket: data, from: before.status, to: saved.status, ...eventData } });
    }
    this.noteAssignment(manager, before, saved);
    // Custom field values are audited as `fields.<key>` entries of the same history row.
    return { ticket: saved, fieldChanges: { ...fieldChanges, ...customChanges } };
  }

  /**
   * Automatic assignment after the commit: an open ticket left in a team without an assignee waits
   * for the team's rule; an agent whose ticket finished or went to someone else may have room again.
   */
  private noteAssignment(manager: EntityManager, before: Ticket, after: Ticket): void {
    const open = !FINISHED_STATUSES.includes(after.status);
    if (open && after.teamId && !after.assigneeId) this.assignment.noteTeam(manager, after.teamId);
    if (before.assigneeId && (before.assigneeId !== after.assigneeId || (!open && !FINISHED_STATUSES.includes(before.status)))) this.assignment.noteUser(manager, before.assigneeId);
  }

  /** A merged ticket's conversation lives on in its target: reopening the empty shell would split the request again. */
  private async refuseReopeningMerged(manager: EntityManager, ticket: Ticket): Promise<void> {
    const [merge] = (await manager.query(
      `SELECT target.number FROM ${TICKET_SCHEMA}.ticket_links link JOIN ${TICKET_SCHEMA}.tickets target ON target.id = link.target_id WHERE link.source_id = $1 AND link.kind = 'merged_into'`,
      [ticket.id],
    )) as Array<{ number: number }>;
    if (merge) throw new CommandError('CONFLICT', `Ticket #${ticket.number} was merged into #${merge.number}: continue there`);
  }

  /** A parent is finished only after its children (DESIGN section 14): the refusal names the open ones. */
  private async refuseWhileChildrenOpen(manager: EntityManager, ticket: Ticket): Promise<void> {
    const open = (await manager.query(
      `SELECT child.number FROM ${TICKET_SCHEMA}.ticket_links link JOIN ${TICKET_SCHEMA}.tickets child ON child.id = link.target_id
        WHERE link.source_id = $1 AND link.kind = 'parent' AND child.status NOT IN ('solved', 'closed')
        ORDER BY child.number`,
      [ticket.id],
    )) as Array<{ number: number }>;
    if (open.length === 0) return;
    const numbers = open.map((child) => child.number);
    throw new CommandError('CONFLICT', `Ticket #${ticket.number} has open child tickets (${numbers.map((number) => `#${number}`).join(', ')}): solve or close them first`, { openChildren: numbers });
  }

  private async applyChanges(manager: EntityManager, orgId: string, ticket: Ticket, changes: TicketChanges, knownCalendar?: BusinessCalendar): Promise<void> {
    if (changes.subject !== undefined) {
      const subject = stripToPlainText(changes.subject);
      if (!subject) throw new CommandError('VALIDATION', 'subject must contain text');
      ticket.subject = subject;
    }
    if (changes.tags !== undefined) ticket.tags = normalizeTags(changes.tags);
    if (changes.assigneeId !== undefined) {
      if (changes.assigneeId !== null) {
        const assignee = await manager.findOne(User, { where: { id: changes.assigneeId, organizationId: orgId, active: true } });
        if (!assignee || assignee.role === 'customer') throw new CommandError('VALIDATION', 'assigneeId must be an active agent or admin of this organization');
      }
      ticket.assigneeId = changes.assigneeId;
    }
    if (changes.teamId !== undefined) {
      if (changes.teamId !== null && !(await manager.exists(Team, { where: { id: changes.teamId, organizationId: orgId } }))) {
        throw new CommandError('VALIDATION', 'teamId must be a team of this organization');
      }
      ticket.teamId = changes.teamId;
    }
    const needsCalendar = (changes.status !== undefined && changes.status !== ticket.status) || (changes.priority !== undefined && changes.priority !== ticket.priority);
    if (!needsCalendar) return;
    const calendar = knownCalendar ?? calendarOf(await manager.findOneByOrFail(Organization, { id: orgId }));
    const now = new Date();
    if (changes.status !== undefined && changes.status !== ticket.status) {
      if (ticket.status === 'pending') {
        const policy = ticket.slaPolicyId ? await manager.findOneBy(SlaPolicy, { id: ticket.slaPolicyId }) : null;
        resumeResolutionClock(ticket, now, calendar, policy?.businessHoursOnly ?? true);
      }
      if (changes.status === 'pending') pauseResolutionClock(ticket, now);
      if (changes.status === 'solved' || changes.status === 'closed') ticket.resolvedAt ??= now;
      else ticket.resolvedAt = null;
      ticket.status = changes.status;
    }
    if (changes.priority !== undefined && changes.priority !== ticket.priority) {
      ticket.priority = changes.priority;
      applyPriorityPolicy(ticket, await this.activePolicy(manager, orgId, changes.priority), calendar);
    }
  }

  /**
   * Custom field values, validated against the organization's definitions; and the required-to-solve
   * rule, checked whenever the ticket ends up solved or closed by this change (becoming so, or having
   * its values changed while so).
   */
  private async applyCustomFields(manager: EntityManager, orgId: string, before: Ticket, ticket: Ticket, changes: TicketChanges): Promise<void> {
    const givesValues = changes.fields !== undefined && Object.keys(changes.fields).length > 0;
    const finished = FINISHED_STATUSES.includes(ticket.status);
    const becomesFinished = finished && !FINISHED_STATUSES.includes(before.status);
    if (!givesValues && !becomesFinished) return;
    const definitions = await organizationFields(manager, orgId);
    if (givesValues) ticket.fields = applyFieldChanges(ticket.fields, changes.fields!, definitions);
    if (!finished || (!becomesFinished && Object.keys(fieldDiff(before.fields, ticket.fields)).length === 0)) return;
    const missing = missingToSolve(ticket.fields, definitions);
    if (missing.length > 0) {
      throw new CommandError('VALIDATION', `A ${ticket.status} ticket needs a value for: ${missing.map((field) => `${field.label} (fields.${field.key})`).join(', ')}`, {
        missingFields: missing.map((field) => field.key),
      });
    }
  }

  /** Oldest first, paged by the history row's identity (it only grows, so the id alone is a stable key). */
  async history(command: PageCommand): Promise<Page<TicketHistoryEntry>> {
    const caller = await this.principals.verify(command.principal);
    await this.findVisible(this.dataSource.manager, caller, command.ticketId);
    if (!caller.staff) throw new CommandError('FORBIDDEN', 'Only agents and admins may read ticket history');
    const limit = command.limit ?? TICKET_LIMITS.defaultPageSize;
    const query = this.dataSource.manager
      .createQueryBuilder(TicketEvent, 'entry')
      .where('entry.ticketId = :ticketId AND entry.organizationId = :orgId', { ticketId: command.ticketId, orgId: caller.orgId })
      .orderBy('entry.id', 'ASC')
      .limit(limit + 1);
    if (command.cursor) query.andWhere('entry.id > :afterId', { afterId: decodeCursor(command.cursor, 'none', 'integer').id });
    const rows = await query.getMany();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => ({ id: row.id, ticketId: row.ticketId, actorId: row.actorId, apiToken: row.apiToken, integration: row.integration, action: row.action, changes: row.changes, createdAt: row.createdAt.toISOString() })),
      nextCursor: rows.length > limit && last ? encodeCursor({ value: null, id: last.id }) : null,
    };
  }

  private activePolicy(manager: EntityManager, organizationId: string, priority: Ticket['priority']): Promise<SlaPolicy | null> {
    return manager.findOne(SlaPolicy, { where: { organizationId, priority, active: true } });
  }

  /** After a commit that changed the ticket: publishes its events now and (re)schedules its SLA timers. */
  afterCommit(ticket: Ticket): void {
    this.events.committed();
    if (!FINISHED_STATUSES.includes(ticket.status)) void this.slaTimers.schedule(ticket);
  }
}

/** One containment object for every `field.<key>` filter (AND); an unknown key is refused by name. */
function fieldFilterOf(definitions: TicketField[], filters: Record<string, string>): FieldValues {
  const filter: FieldValues = {};
  for (const [key, text] of Object.entries(filters)) {
    const field = definitions.find((candidate) => candidate.key === key);
    if (!field) throw new CommandError('VALIDATION', `field.${key} is not a custom field of this organization`, { field: key });
    if (typeof text !== 'string') throw new CommandError('VALIDATION', `field.${key} takes one value`, { field: key });
    Object.assign(filter, fieldFilterContainment(field, text));
  }
  return filter;
}

/**
 * Sorting by a custom field: by its typed value, tickets without one last when ascending. The key is
 * safe to inline: it is an existing definition's, which the database constrains to [a-z0-9_].
 */
function fieldSortOf(definitions: TicketField[], key: string): { expression: string; kind: CursorValueKind; cursorParameter: string; selectAsText: boolean } {
  const field = definitions.find((candidate) => candidate.key === key);
  if (!field) throw new CommandError('VALIDATION', `sort=field.${key}: ${key} is not a custom field of this organization`, { field: key });
  const value = `ticket.fields ->> '${field.key}'`;
  switch (field.type) {
    case 'number':
      return { expression: `COALESCE((${value})::numeric, 'Infinity'::numeric)`, kind: 'text', cursorParameter: 'CAST(:cursorValue AS numeric)', selectAsText: true };
    case 'checkbox':
      return { expression: `CASE ${value} WHEN 'true' THEN 1 WHEN 'false' THEN 0 ELSE 2 END`, kind: 'integer', cursorParameter: ':cursorValue', selectAsText: false };
    default:
      // U+10FFFF sorts after any real text, so tickets without a value come last when ascending.
      return { expression: `COALESCE(${value}, chr(1114111)) COLLATE "C"`, kind: 'text', cursorParameter: ':cursorValue COLLATE "C"', selectAsText: true };
  }
}

/** What the organization's `ticket.created` triggers did to a ticket being created (TicketsService.applyCreationTriggers). */
interface CreationTriggerOutcome {
  fired: Array<{ trigger: Trigger; changes: FieldChanges }>;
  failed: Array<{ trigger: Trigger; error: string }>;
  /** Fired triggers that also comment or notify: run after the insert, in its transaction. */
  withEffects: Trigger[];
}

/** The history rows of the creation's triggers, in firing order, as RuleActionRunner writes them for later events. */
function creationTriggerHistory({ fired, failed }: CreationTriggerOutcome): Array<{ actor_id: null; action: string; changes: Record<string, unknown> }> {
  const rows = [
    ...fired.map(({ trigger, changes }) => ({
      position: trigger,
      action: 'trigger.fired',
      changes: { trigger: { from: null, to: { id: trigger.id, name: trigger.name, depth: 1 } }, ...effectsOf(trigger), ...changes },
    })),
    ...failed.map(({ trigger, error }) => ({
      position: trigger,
      action: 'trigger.failed',
      changes: { trigger: { from: null, to: { id: trigger.id, name: trigger.name } }, error: { from: null, to: error } },
    })),
  ];
  rows.sort((a, b) => a.position.position - b.position.position || a.position.id.localeCompare(b.position.id));
  return rows.map(({ action, changes }) => ({ actor_id: null, action, changes }));
}

/** What a trigger's history row says of its comment and notifications (RuleActionRunner writes them right after the insert). */
function effectsOf(trigger: Trigger): Record<string, { from: null; to: unknown }> {
  const comment = trigger.actions.find((action) => action.type === 'comment');
  const notified = trigger.actions.flatMap((action) => (action.type === 'notify' ? [action.to] : []));
  return {
    ...(comment ? { comment: { from: null, to: { internal: comment.internal } } } : {}),
    ...(notified.length > 0 ? { notified: { from: null, to: notified } } : {}),
  };
}
