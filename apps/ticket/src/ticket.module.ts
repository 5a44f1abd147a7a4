import { Module } from '@nestjs/common';
import { DatabaseHealthIndicator, DatabaseModule, HealthModule, JetStreamModule, NatsHealthIndicator, RedisHealthIndicator, RedisModule } from '@helpdesk/common';
import { TicketAiModule } from './ai/ai.module.js';
import { ApiTokensController } from './api-tokens/api-tokens.controller.js';
import { ApiTokensService } from './api-tokens/api-tokens.service.js';
import { NatsIntegrationsController } from './nats-integrations/nats-integrations.controller.js';
import { NatsIntegrationsService } from './nats-integrations/nats-integrations.service.js';
import { SatisfactionController } from './satisfaction/satisfaction.controller.js';
import { SatisfactionService } from './satisfaction/satisfaction.service.js';
import { StaffPresenceController } from './assignment/staff-presence.controller.js';
import { StaffPresenceService } from './assignment/staff-presence.service.js';
import { AuthModule } from './auth/auth.module.js';
import { CommentsController } from './comments/comments.controller.js';
import { CommentsService } from './comments/comments.service.js';
import { TICKET_SCHEMA } from './database/schema.js';
import { DirectoryModule } from './directory/directory.module.js';
import { EmailChannelController } from './email/email-channel.controller.js';
import { EmailChannelService } from './email/email-channel.service.js';
import { MailAttachments } from './email/mail-attachments.js';
import { CannedResponsesService } from './macros/canned-responses.service.js';
import { MacrosController } from './macros/macros.controller.js';
// Automations (DESIGN section 14)
import { AutomationScheduler } from './automations/automation-scheduler.js';
import { AutomationsController } from './automations/automations.controller.js';
import { AutomationsService } from './automations/automations.service.js';
import { RuleActionRunner, RuleWebhooks } from './rules/rule-actions.js';
import { MacrosService } from './macros/macros.service.js';
import { ViewsController } from './views/views.controller.js';
import { ReportsController } from './reports/reports.controller.js';
import { ReportBacklog } from './reports/report-backlog.js';
import { ReportFacts } from './reports/report-facts.js';
import { ReportRollups } from './reports/report-rollups.js';
import { ReportsService } from './reports/reports.service.js';
import { ViewsService } from './views/views.service.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { OrganizationsController } from './organizations/organizations.controller.js';
import { OrganizationsService } from './organizations/organizations.service.js';
import { OutboxRelay } from './outbox/outbox-relay.service.js';
import { SlaEnforcer } from './sla/sla-enforcer.js';
import { SlaTimers } from './sla/sla-timers.service.js';
import { TicketCoreModule } from './ticket-core.module.js';
import { TicketFieldsController } from './ticket-fields/ticket-fields.controller.js';
import { TicketFieldsService } from './ticket-fields/ticket-fields.service.js';
import { TicketsController } from './tickets/tickets.controller.js';
import { TicketBulkUpdateService } from './tickets/ticket-bulk-update.service.js';
import { TicketLinksService } from './tickets/ticket-links.service.js';
import { TicketMergeService } from './tickets/ticket-merge.service.js';
import { TicketFollowersService } from './tickets/ticket-followers.service.js';
import { TicketParticipantsService } from './tickets/ticket-participants.service.js';
import { TicketsService } from './tickets/tickets.service.js';
import { CreationTriggers } from './triggers/creation-triggers.js';
import { TriggerEngine } from './triggers/trigger-engine.js';
import { TriggersController } from './triggers/triggers.controller.js';
import { TriggersService } from './triggers/triggers.service.js';

@Module({
  imports: [
    DatabaseModule.forRoot({ schema: TICKET_SCHEMA, applicationName: 'helpdesk-ticket' }),
    TicketCoreModule,
    RedisModule,
    JetStreamModule,
    HealthModule.forRoot({ readiness: [DatabaseHealthIndicator, NatsHealthIndicator, RedisHealthIndicator] }),
    AuthModule,
    DirectoryModule,
    NotificationsModule,
    TicketAiModule,
  ],
  controllers: [TicketsController, TicketFieldsController, CommentsController, OrganizationsController, EmailChannelController, MacrosController, ViewsController, TriggersController, AutomationsController, StaffPresenceController, ApiTokensController, NatsIntegrationsController, SatisfactionController, ReportsController],
  providers: [OutboxRelay, ReportFacts, ReportRollups, ReportBacklog, SlaEnforcer, SlaTimers, TicketsService, TicketFieldsService, TicketParticipantsService, TicketMergeService, TicketLinksService, TicketBulkUpdateService, TicketFollowersService, CommentsService, MacrosService, CannedResponsesService, ViewsService, OrganizationsService, EmailChannelService, MailAttachments, RuleActionRunner, RuleWebhooks, CreationTriggers, TriggersService, TriggerEngine, AutomationsService, AutomationScheduler, StaffPresenceService, ApiTokensService, NatsIntegrationsService, SatisfactionService, ReportsService],
})
export class TicketModule {}
