import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Matches, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { VIEW_LIMITS } from '../views.js';
import { AuthenticatedCommand } from './principal.dto.js';
import { PageCursor, PageLimit } from './pagination.js';
import { SORT_MESSAGE, SORT_PATTERN, TicketFilters } from './tickets.commands.js';

const POSITION = { min: 0, max: 1_000_000 } as const;

export class ListViewsCommand extends AuthenticatedCommand {
  @PageLimit()
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class ViewRefCommand extends AuthenticatedCommand {
  @IsUUID()
  viewId!: string;
}

export class CreateViewCommand extends AuthenticatedCommand {
  @Length(1, VIEW_LIMITS.name)
  @IsString()
  name!: string;

  /** Shared views are for every agent of the organization; only admins create them. */
  @IsOptional()
  @IsBoolean()
  shared?: boolean;

  /** GET /tickets' filters, as its query string would give them (lists as arrays); `{}` is every ticket. */
  @IsDefined({ message: 'query must be an object of GET /tickets filters, e.g. { "status": ["open"], "assigneeId": "me" }' })
  @ValidateNested()
  @Type(() => TicketFilters)
  @IsObject({ message: 'query must be an object of GET /tickets filters, e.g. { "status": ["open"], "assigneeId": "me" }' })
  query!: TicketFilters;

  @IsOptional()
  @Matches(SORT_PATTERN, { message: SORT_MESSAGE })
  @IsString()
  sort?: string | null;

  /** Where it goes in the sidebar (ascending); absent: after the others. */
  @IsOptional()
  @Min(POSITION.min)
  @Max(POSITION.max)
  @IsInt()
  position?: number;
}

export class ViewChanges {
  @ValidateIf((changes: ViewChanges) => changes.name !== undefined)
  @Length(1, VIEW_LIMITS.name)
  @IsString()
  name?: string;

  @IsOptional()
  @IsBoolean()
  shared?: boolean;

  @ValidateIf((changes: ViewChanges) => changes.query !== undefined)
  @ValidateNested()
  @Type(() => TicketFilters)
  @IsObject({ message: 'query must be an object of GET /tickets filters, e.g. { "status": ["open"], "assigneeId": "me" }' })
  query?: TicketFilters;

  /** null: back to the list's default order. */
  @IsOptional()
  @Matches(SORT_PATTERN, { message: SORT_MESSAGE })
  @IsString()
  sort?: string | null;

  @ValidateIf((changes: ViewChanges) => changes.position !== undefined)
  @Min(POSITION.min)
  @Max(POSITION.max)
  @IsInt()
  position?: number;
}

export class UpdateViewCommand extends ViewRefCommand {
  @IsDefined()
  @ValidateNested()
  @Type(() => ViewChanges)
  @IsObject()
  changes!: ViewChanges;
}
