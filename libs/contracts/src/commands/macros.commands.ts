import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsDefined, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Min, ValidateIf, ValidateNested } from 'class-validator';
import { MACRO_LIMITS } from '../macros.js';
import { AuthenticatedCommand } from './principal.dto.js';
import { PageCursor, PageLimit } from './pagination.js';
import { QueryBoolean } from './query-transforms.js';
import { TICKET_LIMITS, TicketRefCommand } from './tickets.commands.js';

const ACTIONS_DESCRIPTION =
  'Each action is `{type: "set", field: "status|priority|assigneeId|teamId|tags", value}`, `{type: "addTags"|"removeTags", value: [..]}` ' +
  'or `{type: "comment", body: "<html with {{ticket.number}}, {{ticket.subject}}, {{requester.name}}, {{agent.name}}>", internal: bool}`';

export class ListMacrosCommand extends AuthenticatedCommand {
  @PageLimit()
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class CreateMacroCommand extends AuthenticatedCommand {
  @Length(1, MACRO_LIMITS.name)
  @IsString()
  name!: string;

  /** Checked action by action by the ticket service, which names the action and the problem. */
  @ArrayMaxSize(MACRO_LIMITS.actions)
  @ArrayMinSize(1, { message: 'actions must hold at least one action' })
  @IsObject({ each: true, message: 'each action must be an object: ' + ACTIONS_DESCRIPTION })
  @IsArray()
  actions!: Array<Record<string, unknown>>;

  /** null or absent: every agent of the organization; a team: its members (and admins). */
  @IsOptional()
  @IsUUID()
  teamId?: string | null;
}

export class MacroRefCommand extends AuthenticatedCommand {
  @IsUUID()
  macroId!: string;
}

export class MacroChanges {
  @ValidateIf((changes: MacroChanges) => changes.name !== undefined)
  @Length(1, MACRO_LIMITS.name)
  @IsString()
  name?: string;

  @ValidateIf((changes: MacroChanges) => changes.actions !== undefined)
  @ArrayMaxSize(MACRO_LIMITS.actions)
  @ArrayMinSize(1, { message: 'actions must hold at least one action' })
  @IsObject({ each: true, message: 'each action must be an object: ' + ACTIONS_DESCRIPTION })
  @IsArray()
  actions?: Array<Record<string, unknown>>;

  @IsOptional()
  @IsUUID()
  teamId?: string | null;
}

export class UpdateMacroCommand extends MacroRefCommand {
  @IsDefined()
  @ValidateNested()
  @Type(() => MacroChanges)
  @IsObject()
  changes!: MacroChanges;
}

export class ApplyMacroCommand extends TicketRefCommand {
  @IsUUID()
  macroId!: string;

  /** Answer `{ ticket, comments }` as applying would leave them, and save nothing. */
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  preview?: boolean;

  /** From If-Match: refused with CONFLICT when the ticket has moved on. */
  @IsOptional()
  @Min(1)
  @IsInt()
  expectedVersion?: number;
}

export class ListCannedResponsesCommand extends AuthenticatedCommand {
  /** Searches name and body, case-insensitive. */
  @IsOptional()
  @Length(1, TICKET_LIMITS.query)
  @IsString()
  q?: string;

  @PageLimit()
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class CreateCannedResponseCommand extends AuthenticatedCommand {
  @Length(1, MACRO_LIMITS.name)
  @IsString()
  name!: string;

  @Length(1, TICKET_LIMITS.body)
  @IsString()
  body!: string;

  @IsOptional()
  @IsUUID()
  teamId?: string | null;
}

export class CannedResponseRefCommand extends AuthenticatedCommand {
  @IsUUID()
  cannedResponseId!: string;
}

export class CannedResponseChanges {
  @ValidateIf((changes: CannedResponseChanges) => changes.name !== undefined)
  @Length(1, MACRO_LIMITS.name)
  @IsString()
  name?: string;

  @ValidateIf((changes: CannedResponseChanges) => changes.body !== undefined)
  @Length(1, TICKET_LIMITS.body)
  @IsString()
  body?: string;

  @IsOptional()
  @IsUUID()
  teamId?: string | null;
}

export class UpdateCannedResponseCommand extends CannedResponseRefCommand {
  @IsDefined()
  @ValidateNested()
  @Type(() => CannedResponseChanges)
  @IsObject()
  changes!: CannedResponseChanges;
}

export class RenderCannedResponseCommand extends TicketRefCommand {
  @IsUUID()
  cannedResponseId!: string;
}
