import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ReportExportPageCommand, ReportOverviewCommand, subjects } from '@helpdesk/contracts';
import { ReportsService } from './reports.service.js';

@Controller()
export class ReportsController {
  constructor(@Inject(ReportsService) private readonly reports: ReportsService) {}

  @MessagePattern(subjects.reports.overview)
  overview(@Payload() command: ReportOverviewCommand) {
    return this.reports.overview(command);
  }

  @MessagePattern(subjects.reports.exportPage)
  exportPage(@Payload() command: ReportExportPageCommand) {
    return this.reports.exportPage(command);
  }
}
