import { Controller, Get, HttpStatus, Inject, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { subjects, type Principal, type ReportExportPage, type ReportOverview } from '@helpdesk/contracts';
import { CommandClient } from '@helpdesk/common';
import type { FastifyReply } from 'fastify';
import { attachmentDisposition } from '../attachments/download-headers.js';
import { RequiredScope } from '../auth/api-token-scopes.js';
import { Caller, Roles } from '../auth/caller.js';
import { Answers } from '../http/api-responses.js';
import { reportCsvStream, reportFileName } from './report-csv.js';
import { ReportQuery } from './reports.dto.js';

const REFUSED = 'The problem named: from or to not a date, from not before to, a range over 366 days, a bad teamId, agentId or interval';
const AGENTS = "Agents read their teams' and their own tickets only; another team's report is refused";

/** Reports (DESIGN section 15, docs/reports.md). */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('reports')
export class ReportsController {
  constructor(@Inject(CommandClient) private readonly commands: CommandClient) {}

  @RequiredScope('tickets:read')
  @Get('overview')
  @Roles('admin', 'agent')
  @Answers(HttpStatus.OK, 'ReportOverview', '`{ from, to, interval, created, solved, reopened, firstResponseMinutes, resolutionMinutes, sla, backlog, agents, teams, csat }` (docs/reports.md)')
  @ApiBadRequestResponse({ description: REFUSED })
  @ApiForbiddenResponse({ description: AGENTS })
  overview(@Caller() principal: Principal, @Query() query: ReportQuery): Promise<ReportOverview> {
    return this.commands.request(subjects.reports.overview, { principal, ...query });
  }

  @RequiredScope('tickets:read')
  @Get('export.csv')
  @Roles('admin', 'agent')
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: 'One row per ticket created in the range, streamed as UTF-8 CSV with a byte order mark; formula-like cells are prefixed with `\'`',
    content: { 'text/csv': { schema: { type: 'string' } } },
  })
  @ApiBadRequestResponse({ description: REFUSED })
  @ApiForbiddenResponse({ description: AGENTS })
  async exportCsv(@Caller() principal: Principal, @Query() query: ReportQuery, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const page = (cursor?: string) => this.commands.request<ReportExportPage>(subjects.reports.exportPage, { principal, ...query, ...(cursor ? { cursor } : {}) });
    const first = await page();
    return reply
      .headers({
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': attachmentDisposition(reportFileName(first.from, first.to)),
        'Cache-Control': 'private, no-store',
        'X-Content-Type-Options': 'nosniff',
      })
      .send(reportCsvStream(first, (cursor) => page(cursor)));
  }
}
