import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { AdminAlert, subjects } from '@helpdesk/contracts';
import { AdminAlerts } from './admin-alerts.service.js';

/** Critical errors published by any service's logger (fire-and-forget); one notification replica takes each. */
@Controller()
export class AdminAlertsController {
  constructor(@Inject(AdminAlerts) private readonly alerts: AdminAlerts) {}

  @EventPattern(subjects.notifications.adminAlert)
  async raise(@Payload() alert: AdminAlert): Promise<void> {
    await this.alerts.raise(alert);
  }
}
