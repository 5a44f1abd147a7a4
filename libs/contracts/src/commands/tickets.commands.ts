import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsEmail,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { TICKET_FIELD_LIMITS, type TicketFieldValue } from '../ticket-fields.js';
import { TICKET_CHANNELS, TICKET_LINK_KINDS, TICKET_PRIORITIES, TICKET_SORTS, TICKET_STATUSES, type TicketChannel, type TicketLinkKind, type TicketPriority, type TicketStatus } from '../tickets.js';
import { AuthenticatedCommand, PrincipalDto } from './principal.dto.js';
import { PageCursor, PageLimit, PAGE_SIZE } from './pagination.js';
import { QueryBoolean, QueryInt, QueryList } from './query-transforms.js';

export const TICKET_LIMITS = {
  subject: 250,
  /** Rich text: 64 KiB of HTML. The sanitizer's parser slows quadratically on deeply nested tags, so this also bounds its cost. */
  body: 65_536,
  tags: 20,
  tag: 50,
  pageSize: PAGE_SIZE.max,
  defaultPageSize: PAGE_SIZE.default,
  query: 200,
  /** Ticket numbers are PostgreSQL integers, counted from 1 per organization. */
  number: { min: 1, max: 2_147_483_647 },
  /** Tickets one bulk update may change. */
  bulkIds: 100,
} as const;

const TICKET_NUMBER_RANGE = `number must be a ticket number: an integer from ${TICKET_LIMITS.number.min} to ${TICKET_LIMITS.number.max}`;

export const SORT_PATTERN = new RegExp(`^-?(${TICKET_SORTS.join('|')}|field\\.[a-z][a-z0-9_]{0,${TICKET_FIELD_LIMITS.key - 1}})$`);
export const SORT_MESSAGE = `sort must be one of ${TICKET_SORTS.join(', ')} or field.<key>, optionally prefixed with - for descending`;

/** Custom field values by key (checked against the organization's fields by the ticket service); null clears one. */
const FieldValues = () => IsObject({ message: 'fields must be an object of custom field values by key, e.g. { "product_area": "billing" }' });

export class CreateTicketCommand extends AuthenticatedCommand {
  @Length(1, TICKET_LIMITS.subject)
  @IsString()
  subject!: string;

  @MaxLength(TICKET_LIMITS.body)
  @IsString()
  description!: string;

  @IsOptional()
  @IsIn(TICKET_PRIORITIES)
  priority?: TicketPriority;

  @IsOptional()
  @ArrayMaxSize(TICKET_LIMITS.tags)
  @Length(1, TICKET_LIMITS.tag, { each: true })
  @IsString({ each: true })
  @IsArray()
  tags?: string[];

  /** Staff may open a ticket for a requester; an unknown email becomes a customer without a password. */
  @IsOptional()
  @MaxLength(254)
  @IsEmail()
  requesterEmail?: string;

  @IsOptional()
  @Length(1, 200)
  @IsString()
  requesterName?: string;

  @IsOptional()
  @IsIn(TICKET_CHANNELS)
  channel?: TicketChannel;

  /** Staff only. */
  @IsOptional()
  @FieldValues()
  fields?: Record<string, TicketFieldValue | null>;

  /** Staff only: the team the ticket starts in; its assignment rule then picks an assignee (DESIGN section 14). */
  @IsOptional()
  @IsUUID()
  teamId?: string;
}

export class TicketRefCommand extends AuthenticatedCommand {
  @IsUUID()
  ticketId!: string;
}

/**
 * The filters of GET /tickets. A view's saved query (views.commands.ts) is this very class, so a view
 * is checked by the same rules, with the same messages, as the list it stands for.
 */
export class TicketFilters {
  @IsOptional()
  @QueryList()
  @IsIn(TICKET_STATUSES, { each: true })
  @IsArray()
  status?: TicketStatus[];

  @IsOptional()
  @QueryList()
  @IsIn(TICKET_PRIORITIES, { each: true })
  @IsArray()
  priority?: TicketPriority[];

  /** A user id, `none` for unassigned tickets, or `me` for the caller's (what lets one shared view serve every agent). */
  @IsOptional()
  @ValidateIf((command: TicketFilters) => command.assigneeId !== 'none' && command.assigneeId !== 'me')
  @IsUUID(undefined, { message: 'assigneeId must be a user id, "none" or "me"' })
  assigneeId?: string;

  @IsOptional()
  @IsUUID()
  teamId?: string;

  @IsOptional()
  @Length(1, TICKET_LIMITS.tag)
  @IsString()
  tag?: string;

  @IsOptional()
  @IsUUID()
  requesterId?: string;

  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  breached?: boolean;

  @IsOptional()
  @Length(1, TICKET_LIMITS.query)
  @IsString()
  q?: string;

  /**
   * Custom field filters, `field.<key>=<value>` in the query string: exact match (a multiselect
   * contains the value). Staff only.
   */
  @IsOptional()
  @IsObject()
  fields?: Record<string, string>;
}

export class ListTicketsCommand extends TicketFilters {
  @IsDefined()
  @ValidateNested()
  @Type(() => PrincipalDto)
  principal!: PrincipalDto;

  /** A view's id: its filters and sort, with any filter or sort given here in place of the view's own. Staff only. */
  @IsOptional()
  @IsUUID()
  view?: string;

  /** Exactly this ticket number (`#123` in the console's command palette). */
  @IsOptional()
  @QueryInt()
  @Min(TICKET_LIMITS.number.min, { message: TICKET_NUMBER_RANGE })
  @Max(TICKET_LIMITS.number.max, { message: TICKET_NUMBER_RANGE })
  @IsInt({ message: TICKET_NUMBER_RANGE })
  number?: number;

  @IsOptional()
  @Matches(SORT_PATTERN, { message: SORT_MESSAGE })
  @IsString()
  sort?: string;

  @PageLimit()
  limit?: number;

  @PageCursor()
  cursor?: string;
}

/** A list of tags as a client sends it (normalized by the ticket service); absent means unchanged. */
function TagList(): PropertyDecorator {
  const decorators = [ValidateIf((_, value) => value !== undefined), ArrayMaxSize(TICKET_LIMITS.tags), Length(1, TICKET_LIMITS.tag, { each: true }), IsString({ each: true }), IsArray()];
  return (target, property) => decorators.forEach((decorate) => decorate(target, property));
}

/** The changes a single update and a bulk update share. */
class TicketStateChanges {
  @ValidateIf((changes: TicketStateChanges) => changes.status !== undefined)
  @IsIn(TICKET_STATUSES)
  status?: TicketStatus;

  @ValidateIf((changes: TicketStateChanges) => changes.priority !== undefined)
  @IsIn(TICKET_PRIORITIES)
  priority?: TicketPriority;

  /** null unassigns. */
  @IsOptional()
  @IsUUID()
  assigneeId?: string | null;

  /** null removes the team. */
  @IsOptional()
  @IsUUID()
  teamId?: string | null;
}

export class TicketChanges extends TicketStateChanges {
  @ValidateIf((changes: TicketChanges) => changes.subject !== undefined)
  @Length(1, TICKET_LIMITS.subject)
  @IsString()
  subject?: string;

  @TagList()
  tags?: string[];

  /** Only the keys given change; null clears a value. */
  @IsOptional()
  @FieldValues()
  fields?: Record<string, TicketFieldValue | null>;
}

export class UpdateTicketCommand extends TicketRefCommand {
  @ValidateNested()
  @Type(() => TicketChanges)
  changes!: TicketChanges;

  /** From If-Match: the update is refused with CONFLICT when the ticket has moved on. */
  @IsOptional()
  @Min(1)
  @IsInt()
  expectedVersion?: number;
}

export class CreateCommentCommand extends TicketRefCommand {
  @Length(1, TICKET_LIMITS.body)
  @IsString()
  body!: string;

  @IsOptional()
  @IsBoolean()
  internal?: boolean;
}

/** Staff copy someone on a ticket (DESIGN section 13); an unknown address becomes a customer without a password. */
export class AddParticipantCommand extends TicketRefCommand {
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be a valid email address' })
  @IsString()
  email!: string;

  @IsOptional()
  @Length(1, 200)
  @IsString()
  name?: string;
}

export class ParticipantRefCommand extends TicketRefCommand {
  @IsUUID()
  userId!: string;
}

/** Staff merge the ticket into `targetId` (DESIGN section 14). */
export class MergeTicketCommand extends TicketRefCommand {
  @IsUUID()
  targetId!: string;
}

export class TicketLinkRefCommand extends TicketRefCommand {
  @IsUUID()
  targetId!: string;
}

/** `kind` is what the target is to this ticket: `parent` makes the target this ticket's parent. */
export class AddTicketLinkCommand extends TicketLinkRefCommand {
  @IsIn(TICKET_LINK_KINDS)
  kind!: TicketLinkKind;
}

/** What a bulk update may change: the single update's fields, with tags added or removed rather than replaced. */
export class BulkTicketChanges extends TicketStateChanges {
  @TagList()
  addTags?: string[];

  @TagList()
  removeTags?: string[];
}

export class BulkUpdateTicketsCommand extends AuthenticatedCommand {
  @ArrayUnique({ message: 'ids must not repeat a ticket' })
  @ArrayMaxSize(TICKET_LIMITS.bulkIds, { message: `ids may name at most ${TICKET_LIMITS.bulkIds} tickets` })
  @ArrayMinSize(1, { message: 'ids must name at least one ticket' })
  @IsUUID('all', { each: true })
  @IsArray()
  ids!: string[];

  @ValidateNested()
  @Type(() => BulkTicketChanges)
  changes!: BulkTicketChanges;
}

export class PageCommand extends TicketRefCommand {
  @PageLimit()
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export const COMMENT_ORDERS = ['oldest', 'newest'] as const;

/** comments.list: oldest first by default; `newest` pages back from the latest (the ai-proxy reads only the recent conversation). */
export class ListCommentsCommand extends PageCommand {
  @IsOptional()
  @IsIn(COMMENT_ORDERS)
  order?: (typeof COMMENT_ORDERS)[number];
}

/** Trims incoming strings where whitespace carries no meaning. */
export const Trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

export class SignupCommand {
  @Length(1, 200)
  @IsString()
  organizationName!: string;

  @Length(1, 200)
  @IsString()
  name!: string;

  @MaxLength(254)
  @IsEmail()
  email!: string;

  /** Length only: the hash is argon2id, and long passphrases are welcome. */
  @Length(10, 200)
  @IsString()
  password!: string;

  @IsOptional()
  @Length(1, 64)
  @IsString()
  timezone?: string;
}
