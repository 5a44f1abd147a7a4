import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
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
import { TEAM_ASSIGNMENTS, type TeamAssignment } from '../directory.js';
import { NotificationPreferencesDto } from '../notifications.js';
import { AVAILABILITIES, type Availability } from '../organizations.js';
import { ROLES, type Role } from '../principal.js';
import { TICKET_PRIORITIES, type TicketPriority } from '../tickets.js';
import { PASSWORD_LENGTH } from './auth.commands.js';
import { AuthenticatedCommand } from './principal.dto.js';
import { PageCursor, PageLimit } from './pagination.js';
import { QueryBoolean, QueryList } from './query-transforms.js';
import { TICKET_LIMITS, TicketRefCommand } from './tickets.commands.js';

export const DIRECTORY_LIMITS = {
  name: 200,
  email: 254,
  query: 200,
  /** `GET /users?ids=`: names for the ids a page shows, at most one page of them. */
  userIds: 100,
  teamName: 100,
  teamMembers: 500,
  holidays: 366,
  intervalsPerDay: 24,
  /** SLA targets: one minute to one year. */
  slaMinutes: { min: 1, max: 525_600 },
  /** 10 MiB, the upload limit of DESIGN section 8. */
  attachmentBytes: 10 * 1024 * 1024,
  filename: 1_000,
  contentType: 255,
  objectKey: 512,
} as const;

// Only the shape is checked here: validateCalendar names every bad time, date and time zone.
const CALENDAR_TEXT_MAX = 32;
/** type/subtype only (RFC 6838 names), as the gateway sniffs it; no parameters. */
export const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i;
export const SHA256_HEX = /^[0-9a-f]{64}$/i;
/** Printable ASCII without spaces: the gateway's object store key. */
export const OBJECT_KEY = /^[\x21-\x7e]+$/;

// ---- users ----

export const ASSIGNMENT_LIMITS = {
  /** Open tickets per agent; beyond this, leave capacity unlimited (null). */
  capacity: 10_000,
  /** How long a realtime replica's report of a connected user holds without a heartbeat (ms). */
  presenceTtlMs: { min: 1_000, max: 300_000 },
  /** Users in one presence report. */
  presenceUsers: 100_000,
} as const;

export class ListUsersCommand extends AuthenticatedCommand {
  /** One role or several (`role=admin,agent` for the staff). */
  @IsOptional()
  @QueryList()
  @IsIn(ROLES, { each: true, message: `role must list only ${ROLES.join(', ')}` })
  @IsArray()
  role?: Role[];

  /** Only these users (comma-separated UUIDs in a query string): how the console names the ids it shows. */
  @IsOptional()
  @QueryList()
  @IsUUID(undefined, { each: true, message: 'ids must list user ids (UUIDs) separated by commas' })
  @ArrayMaxSize(DIRECTORY_LIMITS.userIds, { message: `ids may list at most ${DIRECTORY_LIMITS.userIds} user ids` })
  @ArrayNotEmpty({ message: 'ids must list at least one user id' })
  @IsArray()
  ids?: string[];

  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  active?: boolean;

  /** Matches a part of the name or email, case-insensitively. */
  @IsOptional()
  @Length(1, DIRECTORY_LIMITS.query)
  @IsString()
  q?: string;

  @PageLimit()
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class InviteUserCommand extends AuthenticatedCommand {
  @Length(1, DIRECTORY_LIMITS.name)
  @IsString()
  name!: string;

  @MaxLength(DIRECTORY_LIMITS.email)
  @IsEmail()
  email!: string;

  @IsIn(ROLES)
  role!: Role;

  /** Without one, the user is invited by email to set it (event `user.invited`). */
  @IsOptional()
  @Length(PASSWORD_LENGTH.min, PASSWORD_LENGTH.max)
  @IsString()
  password?: string;
}

export class UserRefCommand extends AuthenticatedCommand {
  @IsUUID()
  userId!: string;
}

export class UserChanges {
  @ValidateIf((changes: UserChanges) => changes.name !== undefined)
  @Length(1, DIRECTORY_LIMITS.name)
  @IsString()
  name?: string;

  @ValidateIf((changes: UserChanges) => changes.role !== undefined)
  @IsIn(ROLES)
  role?: Role;

  /** false deactivates: the user's sessions end at once. */
  @ValidateIf((changes: UserChanges) => changes.active !== undefined)
  @IsBoolean()
  active?: boolean;

  /** Most open tickets automatic assignment gives the user; null is unlimited. */
  @ValidateIf((changes: UserChanges) => changes.capacity !== undefined && changes.capacity !== null)
  @Max(ASSIGNMENT_LIMITS.capacity, { message: `capacity must be at most ${ASSIGNMENT_LIMITS.capacity}, or null for unlimited` })
  @Min(1, { message: 'capacity must be at least 1, or null for unlimited' })
  @IsInt({ message: 'capacity must be a whole number, or null for unlimited' })
  capacity?: number | null;

  /** `online` follows realtime presence; `away` and `offline` hold until changed. */
  @ValidateIf((changes: UserChanges) => changes.availability !== undefined)
  @IsIn(AVAILABILITIES, { message: `availability must be one of ${AVAILABILITIES.join(', ')}` })
  availability?: Availability;
}

export class UpdateUserCommand extends UserRefCommand {
  @IsDefined()
  @ValidateNested()
  @Type(() => UserChanges)
  @IsObject()
  changes!: UserChanges;
}

/** What every user may change about their own account (PATCH /me). */
export class OwnAccountChanges {
  @ValidateIf((changes: OwnAccountChanges) => changes.name !== undefined)
  @Length(1, DIRECTORY_LIMITS.name)
  @IsString()
  name?: string;

  /** Merged into the stored preferences. Customers may set only CUSTOMER_NOTIFICATION_PREFERENCES. */
  @ValidateIf((changes: OwnAccountChanges) => changes.notificationPreferences !== undefined)
  @ValidateNested()
  @Type(() => NotificationPreferencesDto)
  @IsObject()
  notificationPreferences?: NotificationPreferencesDto;

  /** Staff only: `online` follows realtime presence; `away` and `offline` keep automatic assignment away until changed. */
  @ValidateIf((changes: OwnAccountChanges) => changes.availability !== undefined)
  @IsIn(AVAILABILITIES, { message: `availability must be one of ${AVAILABILITIES.join(', ')}` })
  availability?: Availability;
}

/** The caller changes their own account; no other user's. */
export class UpdateOwnAccountCommand extends AuthenticatedCommand {
  @IsDefined()
  @ValidateNested()
  @Type(() => OwnAccountChanges)
  @IsObject()
  changes!: OwnAccountChanges;
}

// ---- teams ----

/** teams.list: a page (`Page<TeamView>`) of the organization's teams, by name. */
export class ListTeamsCommand extends AuthenticatedCommand {
  @PageLimit()
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class CreateTeamCommand extends AuthenticatedCommand {
  @Length(1, DIRECTORY_LIMITS.teamName)
  @IsString()
  name!: string;

  /** How the team's unassigned tickets get an assignee; `manual` when left out. */
  @IsOptional()
  @IsIn(TEAM_ASSIGNMENTS, { message: `assignment must be one of ${TEAM_ASSIGNMENTS.join(', ')}` })
  assignment?: TeamAssignment;
}

export class TeamRefCommand extends AuthenticatedCommand {
  @IsUUID()
  teamId!: string;
}

/** Partial like every PATCH: without a name or assignment the team is answered unchanged. */
export class UpdateTeamCommand extends TeamRefCommand {
  @ValidateIf((command: UpdateTeamCommand) => command.name !== undefined)
  @Length(1, DIRECTORY_LIMITS.teamName)
  @IsString()
  name?: string;

  @ValidateIf((command: UpdateTeamCommand) => command.assignment !== undefined)
  @IsIn(TEAM_ASSIGNMENTS, { message: `assignment must be one of ${TEAM_ASSIGNMENTS.join(', ')}` })
  assignment?: TeamAssignment;
}

/** Replaces the whole membership; every member must be an active agent or admin of the organization. */
export class SetTeamMembersCommand extends TeamRefCommand {
  @ArrayMaxSize(DIRECTORY_LIMITS.teamMembers)
  @IsUUID(undefined, { each: true })
  @IsArray()
  memberIds!: string[];
}

// ---- organization ----

export class BusinessHoursIntervalDto {
  /** "HH:mm", 24h. */
  @MaxLength(CALENDAR_TEXT_MAX)
  @IsString()
  start!: string;

  /** "HH:mm", after start; "24:00" for midnight. */
  @MaxLength(CALENDAR_TEXT_MAX)
  @IsString()
  end!: string;
}

const intervals = () => Type(() => BusinessHoursIntervalDto);

/** A weekly schedule: a closed day is absent or an empty list. */
export class BusinessHoursDto {
  @ValidateIf((hours: BusinessHoursDto) => hours.mon !== undefined)
  @ArrayMaxSize(DIRECTORY_LIMITS.intervalsPerDay)
  @ValidateNested({ each: true })
  @intervals()
  @IsArray()
  mon?: BusinessHoursIntervalDto[];

  @ValidateIf((hours: BusinessHoursDto) => hours.tue !== undefined)
  @ArrayMaxSize(DIRECTORY_LIMITS.intervalsPerDay)
  @ValidateNested({ each: true })
  @intervals()
  @IsArray()
  tue?: BusinessHoursIntervalDto[];

  @ValidateIf((hours: BusinessHoursDto) => hours.wed !== undefined)
  @ArrayMaxSize(DIRECTORY_LIMITS.intervalsPerDay)
  @ValidateNested({ each: true })
  @intervals()
  @IsArray()
  wed?: BusinessHoursIntervalDto[];

  @ValidateIf((hours: BusinessHoursDto) => hours.thu !== undefined)
  @ArrayMaxSize(DIRECTORY_LIMITS.intervalsPerDay)
  @ValidateNested({ each: true })
  @intervals()
  @IsArray()
  thu?: BusinessHoursIntervalDto[];

  @ValidateIf((hours: BusinessHoursDto) => hours.fri !== undefined)
  @ArrayMaxSize(DIRECTORY_LIMITS.intervalsPerDay)
  @ValidateNested({ each: true })
  @intervals()
  @IsArray()
  fri?: BusinessHoursIntervalDto[];

  @ValidateIf((hours: BusinessHoursDto) => hours.sat !== undefined)
  @ArrayMaxSize(DIRECTORY_LIMITS.intervalsPerDay)
  @ValidateNested({ each: true })
  @intervals()
  @IsArray()
  sat?: BusinessHoursIntervalDto[];

  @ValidateIf((hours: BusinessHoursDto) => hours.sun !== undefined)
  @ArrayMaxSize(DIRECTORY_LIMITS.intervalsPerDay)
  @ValidateNested({ each: true })
  @intervals()
  @IsArray()
  sun?: BusinessHoursIntervalDto[];
}

export class OrganizationChanges {
  @ValidateIf((changes: OrganizationChanges) => changes.name !== undefined)
  @Length(1, DIRECTORY_LIMITS.name)
  @IsString()
  name?: string;

  /** IANA name, e.g. "Europe/Berlin". */
  @ValidateIf((changes: OrganizationChanges) => changes.timezone !== undefined)
  @Length(1, 64)
  @IsString()
  timezone?: string;

  @ValidateIf((changes: OrganizationChanges) => changes.businessHours !== undefined)
  @ValidateNested()
  @Type(() => BusinessHoursDto)
  @IsObject()
  businessHours?: BusinessHoursDto;

  /** Local dates "YYYY-MM-DD" on which SLA clocks do not run. */
  @ValidateIf((changes: OrganizationChanges) => changes.holidays !== undefined)
  @ArrayMaxSize(DIRECTORY_LIMITS.holidays)
  @MaxLength(CALENDAR_TEXT_MAX, { each: true })
  @IsString({ each: true })
  @IsArray()
  holidays?: string[];

  /** Whether the solved mail asks the requester to rate the ticket. */
  @ValidateIf((changes: OrganizationChanges) => changes.satisfactionSurveys !== undefined)
  @IsBoolean()
  satisfactionSurveys?: boolean;
}

export class UpdateOrganizationCommand extends AuthenticatedCommand {
  @IsDefined()
  @ValidateNested()
  @Type(() => OrganizationChanges)
  @IsObject()
  changes!: OrganizationChanges;
}

// ---- SLA policies ----

/** sla-policies.list: a page (`Page<SlaPolicyView>`), the most urgent priority first, then newest. */
export class ListSlaPoliciesCommand extends AuthenticatedCommand {
  /** Also the retired policies, which tickets created under them still reference. */
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  includeInactive?: boolean;

  @PageLimit()
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class CreateSlaPolicyCommand extends AuthenticatedCommand {
  @Length(1, DIRECTORY_LIMITS.name)
  @IsString()
  name!: string;

  /** The active policy of this priority, if any, is retired in the same transaction. */
  @IsIn(TICKET_PRIORITIES)
  priority!: TicketPriority;

  @Min(DIRECTORY_LIMITS.slaMinutes.min)
  @Max(DIRECTORY_LIMITS.slaMinutes.max)
  @IsInt()
  firstResponseMinutes!: number;

  /** null or absent: no next-response target. */
  @IsOptional()
  @Min(DIRECTORY_LIMITS.slaMinutes.min)
  @Max(DIRECTORY_LIMITS.slaMinutes.max)
  @IsInt()
  nextResponseMinutes?: number | null;

  /** Must be at least firstResponseMinutes. */
  @Min(DIRECTORY_LIMITS.slaMinutes.min)
  @Max(DIRECTORY_LIMITS.slaMinutes.max)
  @IsInt()
  resolutionMinutes!: number;

  @IsBoolean()
  businessHoursOnly!: boolean;
}

/** The priority is fixed: a policy for another priority is a new policy. */
export class SlaPolicyChanges {
  @ValidateIf((changes: SlaPolicyChanges) => changes.name !== undefined)
  @Length(1, DIRECTORY_LIMITS.name)
  @IsString()
  name?: string;

  @ValidateIf((changes: SlaPolicyChanges) => changes.firstResponseMinutes !== undefined)
  @Min(DIRECTORY_LIMITS.slaMinutes.min)
  @Max(DIRECTORY_LIMITS.slaMinutes.max)
  @IsInt()
  firstResponseMinutes?: number;

  /** null removes the next-response target. */
  @IsOptional()
  @Min(DIRECTORY_LIMITS.slaMinutes.min)
  @Max(DIRECTORY_LIMITS.slaMinutes.max)
  @IsInt()
  nextResponseMinutes?: number | null;

  @ValidateIf((changes: SlaPolicyChanges) => changes.resolutionMinutes !== undefined)
  @Min(DIRECTORY_LIMITS.slaMinutes.min)
  @Max(DIRECTORY_LIMITS.slaMinutes.max)
  @IsInt()
  resolutionMinutes?: number;

  @ValidateIf((changes: SlaPolicyChanges) => changes.businessHoursOnly !== undefined)
  @IsBoolean()
  businessHoursOnly?: boolean;
}

export class SlaPolicyRefCommand extends AuthenticatedCommand {
  @IsUUID()
  policyId!: string;
}

export class UpdateSlaPolicyCommand extends SlaPolicyRefCommand {
  @IsDefined()
  @ValidateNested()
  @Type(() => SlaPolicyChanges)
  @IsObject()
  changes!: SlaPolicyChanges;
}

// ---- attachments ----

/** Metadata of bytes the gateway has already stored; the bytes never travel over NATS. */
export class AddAttachmentCommand extends TicketRefCommand {
  /** The comment the file belongs to, if any. */
  @IsOptional()
  @IsUUID()
  commentId?: string | null;

  /** As uploaded; stored sanitized. */
  @Length(1, DIRECTORY_LIMITS.filename)
  @IsString()
  filename!: string;

  @Matches(MIME_TYPE, { message: 'contentType must be a MIME type such as application/pdf' })
  @MaxLength(DIRECTORY_LIMITS.contentType)
  @IsString()
  contentType!: string;

  @Min(0)
  @Max(DIRECTORY_LIMITS.attachmentBytes)
  @IsInt()
  size!: number;

  @Matches(SHA256_HEX, { message: 'sha256 must be 64 hexadecimal characters' })
  @IsString()
  sha256!: string;

  @Matches(OBJECT_KEY, { message: 'objectKey must be printable ASCII without spaces' })
  @Length(1, DIRECTORY_LIMITS.objectKey)
  @IsString()
  objectKey!: string;
}

export class AttachmentRefCommand extends AuthenticatedCommand {
  @IsUUID()
  attachmentId!: string;
}

// ---- staff presence (realtime -> ticket) ----

export class PresentUser {
  @IsUUID()
  orgId!: string;

  @IsUUID()
  userId!: string;
}

/**
 * A realtime replica tells the ticket service which staff have a socket on it: `connected` when a
 * user's first socket opens there (or, with `heartbeat`, everyone it still holds), `disconnected`
 * when their last one closes. Each report holds for `ttlMs`: a replica that stops reporting (it
 * died) stops making its users online.
 */
export class ReportPresenceCommand {
  @Length(1, 200)
  @IsString()
  replicaId!: string;

  @Max(ASSIGNMENT_LIMITS.presenceTtlMs.max)
  @Min(ASSIGNMENT_LIMITS.presenceTtlMs.min)
  @IsInt()
  ttlMs!: number;

  @ArrayMaxSize(ASSIGNMENT_LIMITS.presenceUsers)
  @ValidateNested({ each: true })
  @Type(() => PresentUser)
  @IsArray()
  connected!: PresentUser[];

  @ArrayMaxSize(ASSIGNMENT_LIMITS.presenceUsers)
  @ValidateNested({ each: true })
  @Type(() => PresentUser)
  @IsArray()
  disconnected!: PresentUser[];

  /** `connected` is everyone the replica holds: its other rows are gone (a restart, a missed disconnect). */
  @IsOptional()
  @IsBoolean()
  heartbeat?: boolean;
}
