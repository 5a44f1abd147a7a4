import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiToken } from './api-tokens/api-token.entity.js';
import { NatsIntegration } from './nats-integrations/nats-integration.entity.js';
import { AssignmentService } from './assignment/assignment.service.js';
import { Comment } from './comments/comment.entity.js';
import { TicketEvent } from './history/ticket-event.entity.js';
import { Automation } from './automations/automation.entity.js';
import { CannedResponse } from './macros/canned-response.entity.js';
import { Macro } from './macros/macro.entity.js';
import { SavedView } from './views/saved-view.entity.js';
import { Organization } from './organizations/organization.entity.js';
import { DomainEvents } from './outbox/domain-events.js';
import { OutboxMessage } from './outbox/outbox-message.entity.js';
import { SlaPolicy } from './sla/sla-policy.entity.js';
import { Team } from './teams/team.entity.js';
import { TicketField } from './ticket-fields/ticket-field.entity.js';
import { Ticket } from './tickets/ticket.entity.js';
import { Trigger } from './triggers/trigger.entity.js';
import { BouncingAddresses } from './users/bouncing-addresses.js';
import { PrincipalVerifier } from './users/principal-verifier.js';
import { User } from './users/user.entity.js';

export const TICKET_ENTITIES = [Organization, User, Team, SlaPolicy, Ticket, TicketField, Comment, TicketEvent, OutboxMessage, Macro, CannedResponse, SavedView, Trigger, Automation, ApiToken, NatsIntegration];

/** What every feature of the ticket service shares: the entities, principal verification, domain events and bouncing addresses. */
@Module({
  imports: [TypeOrmModule.forFeature(TICKET_ENTITIES)],
  providers: [PrincipalVerifier, DomainEvents, BouncingAddresses, AssignmentService],
  exports: [TypeOrmModule, PrincipalVerifier, DomainEvents, BouncingAddresses, AssignmentService],
})
export class TicketCoreModule {}
