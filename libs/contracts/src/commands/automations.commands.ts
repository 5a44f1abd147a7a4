import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsDefined, IsObject, IsOptional, IsString, IsUUID, Length, ValidateIf, ValidateNested } from 'class-validator';
import { AUTOMATION_LIMITS } from '../automations.js';
import { RULE_ACTION_LIMITS } from '../rule-actions.js';
import { RULE_CONDITION_LIMITS } from '../rule-conditions.js';
import { AuthenticatedCommand } from './principal.dto.js';
import { PageCursor, PageLimit } from './pagination.js';

const CONDITIONS_DESCRIPTION = 'each condition must be an object { field, op, value, businessHours? } (DESIGN section 14)';

export class ListAutomationsCommand extends AuthenticatedCommand {
  @PageLimit()
  limit?: number;

  @PageCursor()
  cursor?: string;
}

/** Conditions and actions are checked one by one by the ticket service, which names the place (`all[1]`, `actions[0]`) and the problem. */
export class CreateAutomationCommand extends AuthenticatedCommand {
  @Length(1, AUTOMATION_LIMITS.name)
  @IsString()
  name!: string;

  @ArrayMaxSize(RULE_CONDITION_LIMITS.conditions)
  @IsObject({ each: true, message: CONDITIONS_DESCRIPTION })
  @IsArray()
  all!: Array<Record<string, unknown>>;

  @IsOptional()
  @ArrayMaxSize(RULE_CONDITION_LIMITS.conditions)
  @IsObject({ each: true, message: CONDITIONS_DESCRIPTION })
  @IsArray()
  any?: Array<Record<string, unknown>>;

  @ArrayMaxSize(RULE_ACTION_LIMITS.actions)
  @IsObject({ each: true, message: 'each action must be an object { type, ... } (DESIGN section 14)' })
  @IsArray()
  actions!: Array<Record<string, unknown>>;

  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class AutomationRefCommand extends AuthenticatedCommand {
  @IsUUID()
  automationId!: string;
}

export class AutomationChanges {
  @ValidateIf((changes: AutomationChanges) => changes.name !== undefined)
  @Length(1, AUTOMATION_LIMITS.name)
  @IsString()
  name?: string;

  @ValidateIf((changes: AutomationChanges) => changes.all !== undefined)
  @ArrayMaxSize(RULE_CONDITION_LIMITS.conditions)
  @IsObject({ each: true, message: CONDITIONS_DESCRIPTION })
  @IsArray()
  all?: Array<Record<string, unknown>>;

  @ValidateIf((changes: AutomationChanges) => changes.any !== undefined)
  @ArrayMaxSize(RULE_CONDITION_LIMITS.conditions)
  @IsObject({ each: true, message: CONDITIONS_DESCRIPTION })
  @IsArray()
  any?: Array<Record<string, unknown>>;

  @ValidateIf((changes: AutomationChanges) => changes.actions !== undefined)
  @ArrayMaxSize(RULE_ACTION_LIMITS.actions)
  @IsObject({ each: true, message: 'each action must be an object { type, ... } (DESIGN section 14)' })
  @IsArray()
  actions?: Array<Record<string, unknown>>;

  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class UpdateAutomationCommand extends AutomationRefCommand {
  @IsDefined()
  @ValidateNested()
  @Type(() => AutomationChanges)
  @IsObject()
  changes!: AutomationChanges;
}

/** The dry run: the tickets the automation would act on now, by number. */
export class PreviewAutomationCommand extends AutomationRefCommand {
  @PageLimit()
  limit?: number;

  @PageCursor()
  cursor?: string;
}
