import type { MigrationInterface } from 'typeorm';
import { CreateHelpdeskSchema1764400000000 } from './1764400000000-create-helpdesk-schema.js';
import { StaffByRoleIndex1764700000000 } from './1764700000000-staff-by-role-index.js';
import { TicketTriagePending1764800000000 } from './1764800000000-ticket-triage-pending.js';
import { OrganizationEmailVerification1765200000000 } from './1765200000000-organization-email-verification.js';
import { TicketRequestedPriority1765300000000 } from './1765300000000-ticket-requested-priority.js';
import { AttachmentsByOrganizationIndex1765400000000 } from './1765400000000-attachments-by-organization-index.js';
import { UserInvitationPending1765510000000 } from './1765510000000-user-invitation-pending.js';
import { TicketParticipants1766000000000 } from './1766000000000-ticket-participants.js';
import { UserBouncingSince1766100000000 } from './1766100000000-user-bouncing-since.js';
import { MacrosAndCannedResponses1766800000000 } from './1766800000000-macros-and-canned-responses.js';
import { TicketCustomFields1766810000000 } from './1766810000000-ticket-custom-fields.js';
import { TicketLinks1766820000000 } from './1766820000000-ticket-links.js';
import { TicketFollowers1766830000000 } from './1766830000000-ticket-followers.js';
import { TeamAssignment1766840000000 } from './1766840000000-team-assignment.js';
import { Triggers1766850000000 } from './1766850000000-triggers.js';
import { RuleConditionMoments1766860000000 } from './1766860000000-rule-condition-moments.js';
import { Automations1766861000000 } from './1766861000000-automations.js';
import { AutomationEvaluatedAt1766862000000 } from './1766862000000-automation-evaluated-at.js';
import { SavedViews1766870000000 } from './1766870000000-saved-views.js';
import { TriggersVersion1766890000000 } from './1766890000000-triggers-version.js';
import { ApiTokens1766900000000 } from './1766900000000-api-tokens.js';
import { Satisfaction1766925000000 } from './1766925000000-satisfaction.js';
import { OutboxTraceContext1766930000000 } from './1766930000000-outbox-trace-context.js';
import { NatsIntegrations1766940000000 } from './1766940000000-nats-integrations.js';
import { ReportFacts1766950000000 } from './1766950000000-report-facts.js';
import { ReportBacklogSnapshots1766955000000 } from './1766955000000-report-backlog-snapshots.js';
import { ReportRollups1766960000000 } from './1766960000000-report-rollups.js';
import { NatsIntegrationCreatorRevocation1766970000000 } from './1766970000000-nats-integration-creator-revocation.js';
import { ReportBacklogScopes1766980000000 } from './1766980000000-report-backlog-scopes.js';
import { ReportFactsReplyRace1766990000000 } from './1766990000000-report-facts-reply-race.js';
import { ReportIndexes1766920000000 } from './1766920000000-report-indexes.js';

/** Every migration of the ticket service, oldest first. */
export const ticketMigrations: Array<new () => MigrationInterface> = [
  CreateHelpdeskSchema1764400000000,
  StaffByRoleIndex1764700000000,
  TicketTriagePending1764800000000,
  OrganizationEmailVerification1765200000000,
  TicketRequestedPriority1765300000000,
  AttachmentsByOrganizationIndex1765400000000,
  UserInvitationPending1765510000000,
  TicketParticipants1766000000000,
  UserBouncingSince1766100000000,
  MacrosAndCannedResponses1766800000000,
  TicketCustomFields1766810000000,
  TicketLinks1766820000000,
  TicketFollowers1766830000000,
  TeamAssignment1766840000000,
  Triggers1766850000000,
  RuleConditionMoments1766860000000,
  Automations1766861000000,
  AutomationEvaluatedAt1766862000000,
  SavedViews1766870000000,
  TriggersVersion1766890000000,
  ApiTokens1766900000000,
  ReportIndexes1766920000000,
  Satisfaction1766925000000,
  OutboxTraceContext1766930000000,
  NatsIntegrations1766940000000,
  ReportFacts1766950000000,
  ReportBacklogSnapshots1766955000000,
  ReportRollups1766960000000,
  NatsIntegrationCreatorRevocation1766970000000,
  ReportBacklogScopes1766980000000,
  ReportFactsReplyRace1766990000000,
];
