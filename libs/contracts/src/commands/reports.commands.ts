import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { REPORT_INTERVALS, type ReportInterval } from '../reports.js';
import { AuthenticatedCommand } from './principal.dto.js';

const DATE_MESSAGE = (name: string) => `${name} must be an ISO 8601 date or date-time, e.g. 2026-11-23 or 2026-11-23T00:00:00Z`;

/** GET /reports/overview and /reports/export.csv filters; the range and its length are checked by the ticket service. */
export class ReportOverviewCommand extends AuthenticatedCommand {
  @IsISO8601({ strict: true }, { message: DATE_MESSAGE('from') })
  @IsString()
  from!: string;

  @IsISO8601({ strict: true }, { message: DATE_MESSAGE('to') })
  @IsString()
  to!: string;

  @IsOptional()
  @IsUUID('all', { message: 'teamId must be a team id (UUID)' })
  teamId?: string;

  @IsOptional()
  @IsUUID('all', { message: 'agentId must be a user id (UUID)' })
  agentId?: string;

  @IsOptional()
  @IsIn(REPORT_INTERVALS, { message: `interval must be one of ${REPORT_INTERVALS.join(', ')}` })
  interval?: ReportInterval;
}

/** One page of the CSV export's tickets, oldest first. */
export class ReportExportPageCommand extends ReportOverviewCommand {
  @IsOptional()
  @MaxLength(200)
  @IsString()
  cursor?: string;
}
