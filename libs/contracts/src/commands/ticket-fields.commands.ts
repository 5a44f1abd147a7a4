import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsDefined, IsIn, IsObject, IsOptional, IsString, IsUUID, Length, Matches, ValidateIf, ValidateNested } from 'class-validator';
import { TICKET_FIELD_KEY_PATTERN, TICKET_FIELD_LIMITS, TICKET_FIELD_TYPES, type TicketFieldType } from '../ticket-fields.js';
import { PageCursor, PageLimit } from './pagination.js';
import { AuthenticatedCommand } from './principal.dto.js';
import { QueryBoolean } from './query-transforms.js';

const KEY_FORMAT = `key must be a lowercase slug of at most ${TICKET_FIELD_LIMITS.key} characters: a letter, then letters, digits or underscores (e.g. product_area)`;
const trimmedStrings = () => Transform(({ value }) => (Array.isArray(value) ? value.map((item) => (typeof item === 'string' ? item.trim() : item)) : value));

/** ticket-fields.list: a page (`Page<TicketFieldView>`) of the fields, in creation order. */
export class ListTicketFieldsCommand extends AuthenticatedCommand {
  /** Also the archived fields. */
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  includeArchived?: boolean;

  @PageLimit()
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class CreateTicketFieldCommand extends AuthenticatedCommand {
  @Matches(TICKET_FIELD_KEY_PATTERN, { message: KEY_FORMAT })
  @Length(1, TICKET_FIELD_LIMITS.key, { message: KEY_FORMAT })
  @IsString()
  key!: string;

  @Length(1, TICKET_FIELD_LIMITS.label)
  @IsString()
  label!: string;

  @IsIn(TICKET_FIELD_TYPES, { message: `type must be one of ${TICKET_FIELD_TYPES.join(', ')}` })
  type!: TicketFieldType;

  /** Required (and unique) for dropdown and multiselect; refused for the other types. */
  @IsOptional()
  @trimmedStrings()
  @ArrayMaxSize(TICKET_FIELD_LIMITS.options)
  @Length(1, TICKET_FIELD_LIMITS.option, { each: true })
  @IsString({ each: true })
  @IsArray()
  options?: string[];

  @IsOptional()
  @IsBoolean()
  requiredToSolve?: boolean;
}

/**
 * `key` and `type` are accepted here only to be refused with a clear CONFLICT: tickets, filters and
 * rules refer to the key, and stored values were validated against the type.
 */
export class TicketFieldChanges {
  @IsOptional()
  @IsString()
  key?: string;

  @IsOptional()
  @IsString()
  type?: string;

  @ValidateIf((changes: TicketFieldChanges) => changes.label !== undefined)
  @Length(1, TICKET_FIELD_LIMITS.label)
  @IsString()
  label?: string;

  /** Replaces the list; removing an option some tickets still hold leaves their value as it is. */
  @ValidateIf((changes: TicketFieldChanges) => changes.options !== undefined)
  @trimmedStrings()
  @ArrayMaxSize(TICKET_FIELD_LIMITS.options)
  @Length(1, TICKET_FIELD_LIMITS.option, { each: true })
  @IsString({ each: true })
  @IsArray()
  options?: string[];

  @ValidateIf((changes: TicketFieldChanges) => changes.requiredToSolve !== undefined)
  @IsBoolean()
  requiredToSolve?: boolean;

  /** false archives the field, true restores it. */
  @ValidateIf((changes: TicketFieldChanges) => changes.active !== undefined)
  @IsBoolean()
  active?: boolean;
}

export class TicketFieldRefCommand extends AuthenticatedCommand {
  @IsUUID()
  fieldId!: string;
}

export class UpdateTicketFieldCommand extends TicketFieldRefCommand {
  @IsDefined()
  @ValidateNested()
  @Type(() => TicketFieldChanges)
  @IsObject()
  changes!: TicketFieldChanges;
}
