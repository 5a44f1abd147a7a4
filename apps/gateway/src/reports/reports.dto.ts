import { OmitType } from '@nestjs/swagger';
import { ReportOverviewCommand } from '@helpdesk/contracts';

/** The report filters: the command without the principal the gateway supplies. */
export class ReportQuery extends OmitType(ReportOverviewCommand, ['principal'] as const) {}
