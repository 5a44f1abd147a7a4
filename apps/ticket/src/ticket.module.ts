import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseHealthIndicator, DatabaseModule, HealthModule, JetStreamModule, NatsHealthIndicator, RedisHealthIndicator, RedisModule } from '@helpdesk/common';
import { CommentsController } from './comments/comments.controller.js';
import { Comment } from './comments/comment.entity.js';
import { CommentsService } from './comments/comments.service.js';
import { TICKET_SCHEMA } from './database/schema.js';
import { TicketEvent } from './history/ticket-event.entity.js';
import { OrganizationsController } from './organizations/organizations.controller.js';
import { Organization } from './organizations/organization.entity.js';
import { OrganizationsService } from './organizations/organizations.service.js';
import { DomainEvents } from './outbox/domain-events.js';
import { OutboxMessage } from './outbox/outbox-message.entity.js';
import { OutboxRelay } from './outbox/outbox-relay.service.js';
import { SlaEnforcer } from './sla/sla-enforcer.js';
import { SlaPolicy } from './sla/sla-policy.entity.js';
import { SlaTimers } from './sla/sla-timers.service.js';
import { Team } from './teams/team.entity.js';
import { TicketsController } from './tickets/tickets.controller.js';
import { Ticket } from './tickets/ticket.entity.js';
import { TicketsService } from './tickets/tickets.service.js';
import { PrincipalVerifier } from './users/principal-verifier.js';
import { User } from './users/user.entity.js';

export const TICKET_ENTITIES = [Organization, User, Team, SlaPolicy, Ticket, Comment, TicketEvent, OutboxMessage];

@Module({
  imports: [
    DatabaseModule.forRoot({ schema: TICKET_SCHEMA, applicationName: 'helpdesk-ticket' }),
    TypeOrmModule.forFeature(TICKET_ENTITIES),
    RedisModule,
    JetStreamModule,
    HealthModule.forRoot({ readiness: [DatabaseHealthIndicator, NatsHealthIndicator, RedisHealthIndicator] }),
  ],
  controllers: [TicketsController, CommentsController, OrganizationsController],
  providers: [PrincipalVerifier, DomainEvents, OutboxRelay, SlaEnforcer, SlaTimers, TicketsService, CommentsService, OrganizationsService],
})
export class TicketModule {}
