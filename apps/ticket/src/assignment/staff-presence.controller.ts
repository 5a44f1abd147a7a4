import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ReportPresenceCommand, subjects } from '@helpdesk/contracts';
import { StaffPresenceService } from './staff-presence.service.js';

/** Realtime's reports of connected staff; NATS permissions let only the realtime service send them. */
@Controller()
export class StaffPresenceController {
  constructor(@Inject(StaffPresenceService) private readonly presence: StaffPresenceService) {}

  @MessagePattern(subjects.presence.report)
  report(@Payload() command: ReportPresenceCommand) {
    return this.presence.report(command);
  }
}
