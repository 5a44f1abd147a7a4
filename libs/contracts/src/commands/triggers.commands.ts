import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsDefined, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { RULE_ACTION_LIMITS } from '../rule-actions.js';
import { TRIGGER_EVENTS, TRIGGER_LIMITS, type TriggerEvent } from '../triggers.js';
import { PageCursor, PageLimit } from './pagination.js';
import { AuthenticatedCommand } from './principal.dto.js';

const ACTIONS_DESCRIPTION =
  'each action is a macro action (`set`, `addTags`, `removeTags`, `comment`), `{type: "notify", to: "assignee|team|requester|<email>", subject, body}` or `{type: "webhook", webhookId}`';
const CONDITIONS_DESCRIPTION = 'each condition is `{field, op, value}` (DESIGN section 14)';
/** Positions are small integers; the console renumbers when it reorders. */
const MAX_POSITION = 1_000_000;

export class ListTriggersCommand extends AuthenticatedCommand {
  @PageLimit()
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class TriggerRefCommand extends AuthenticatedCommand {
  @IsUUID()
  triggerId!: string;
}

export class CreateTriggerCommand extends AuthenticatedCommand {
  @Length(1, TRIGGER_LIMITS.name)
  @IsString()
  name!: string;

  @IsIn(TRIGGER_EVENTS, { message: `event must be one of ${TRIGGER_EVENTS.join(', ')}` })
  event!: TriggerEvent;

  /** Checked condition by condition by the ticket service, which names the condition and the problem. */
  @ArrayMaxSize(TRIGGER_LIMITS.conditions)
  @IsObject({ each: true, message: `each condition in all must be an object: ${CONDITIONS_DESCRIPTION}` })
  @IsArray()
  all!: Array<Record<string, unknown>>;

  @IsOptional()
  @ArrayMaxSize(TRIGGER_LIMITS.conditions)
  @IsObject({ each: true, message: `each condition in any must be an object: ${CONDITIONS_DESCRIPTION}` })
  @IsArray()
  any?: Array<Record<string, unknown>>;

  @ArrayMaxSize(RULE_ACTION_LIMITS.actions)
  @ArrayMinSize(1, { message: 'actions must hold at least one action' })
  @IsObject({ each: true, message: `each action must be an object: ${ACTIONS_DESCRIPTION}` })
  @IsArray()
  actions!: Array<Record<string, unknown>>;

  /** Absent: after the organization's last trigger. */
  @IsOptional()
  @Max(MAX_POSITION)
  @Min(0)
  @IsInt()
  position?: number;

  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class TriggerChanges {
  @ValidateIf((changes: TriggerChanges) => changes.name !== undefined)
  @Length(1, TRIGGER_LIMITS.name)
  @IsString()
  name?: string;

  @ValidateIf((changes: TriggerChanges) => changes.event !== undefined)
  @IsIn(TRIGGER_EVENTS, { message: `event must be one of ${TRIGGER_EVENTS.join(', ')}` })
  event?: TriggerEvent;

  @ValidateIf((changes: TriggerChanges) => changes.all !== undefined)
  @ArrayMaxSize(TRIGGER_LIMITS.conditions)
  @IsObject({ each: true, message: `each condition in all must be an object: ${CONDITIONS_DESCRIPTION}` })
  @IsArray()
  all?: Array<Record<string, unknown>>;

  @ValidateIf((changes: TriggerChanges) => changes.any !== undefined)
  @ArrayMaxSize(TRIGGER_LIMITS.conditions)
  @IsObject({ each: true, message: `each condition in any must be an object: ${CONDITIONS_DESCRIPTION}` })
  @IsArray()
  any?: Array<Record<string, unknown>>;

  @ValidateIf((changes: TriggerChanges) => changes.actions !== undefined)
  @ArrayMaxSize(RULE_ACTION_LIMITS.actions)
  @ArrayMinSize(1, { message: 'actions must hold at least one action' })
  @IsObject({ each: true, message: `each action must be an object: ${ACTIONS_DESCRIPTION}` })
  @IsArray()
  actions?: Array<Record<string, unknown>>;

  @ValidateIf((changes: TriggerChanges) => changes.position !== undefined)
  @Max(MAX_POSITION)
  @Min(0)
  @IsInt()
  position?: number;

  @ValidateIf((changes: TriggerChanges) => changes.active !== undefined)
  @IsBoolean()
  active?: boolean;
}

export class UpdateTriggerCommand extends TriggerRefCommand {
  @IsDefined()
  @ValidateNested()
  @Type(() => TriggerChanges)
  @IsObject()
  changes!: TriggerChanges;
}
