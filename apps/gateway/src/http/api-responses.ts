import { HttpStatus } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import type {
  AiSuggestedReply,
  AiSummary,
  ApiTokenView,
  NatsIntegrationView,
  AttachmentView,
  AutomationPreviewItem,
  AutomationView,
  BulkTicketResult,
  CannedResponseView,
  CommentView,
  CreatedApiTokenView,
  CreatedNatsIntegrationView,
  DeadLetterDetail,
  DeadLetterSummary,
  DeletedReply,
  HttpErrorBody,
  InboundReceipt,
  MacroPreview,
  MacroView,
  MailboxView,
  MailboxWithTokenView,
  MeReply,
  MessageReply,
  OrganizationView,
  Page,
  PublicUserView,
  QueueView,
  RenderedCannedResponse,
  ReportOverview,
  SatisfactionSurveyView,
  WebhookDeliveryView,
  WebhookView,
  ReplayDeadLettersReply,
  SessionReply,
  SignedInReply,
  SlaPolicyView,
  TeamView,
  TicketFieldView,
  TicketFollowerView,
  TicketHistoryEntry,
  TicketLinkView,
  TicketParticipantView,
  TicketView,
  TriggerView,
  UserView,
} from '@helpdesk/contracts';

/**
 * Every JSON answer of the API, by the name it has in the OpenAPI document's components. The
 * schemas are generated from these types (`npm run openapi:schemas`, into api-response-schemas.generated.ts),
 * so the contracts' view types stay the one source of truth. A new answer: add its entry here, run
 * the script, and name it in the route's @Answers.
 */
export interface ApiResponseTypes {
  ErrorResponse: HttpErrorBody;
  MessageReply: MessageReply;
  DeletedReply: DeletedReply;
  SignedInReply: SignedInReply;
  SessionReply: SessionReply;
  MeReply: MeReply;
  ApiTokenView: ApiTokenView;
  ApiTokenPage: Page<ApiTokenView>;
  CreatedApiTokenView: CreatedApiTokenView;
  NatsIntegrationPage: Page<NatsIntegrationView>;
  CreatedNatsIntegrationView: CreatedNatsIntegrationView;
  AiSummary: AiSummary;
  AiSuggestedReply: AiSuggestedReply;
  TicketView: TicketView;
  TicketPage: Page<TicketView>;
  BulkTicketUpdateReply: { results: BulkTicketResult[] };
  CommentView: CommentView;
  CommentPage: Page<CommentView>;
  TicketHistoryPage: Page<TicketHistoryEntry>;
  TicketParticipantView: TicketParticipantView;
  TicketParticipantPage: Page<TicketParticipantView>;
  TicketLinkView: TicketLinkView;
  TicketLinkPage: Page<TicketLinkView>;
  TicketFollowerView: TicketFollowerView;
  TicketFollowerPage: Page<TicketFollowerView>;
  AttachmentView: AttachmentView;
  AttachmentPage: Page<AttachmentView>;
  TicketFieldView: TicketFieldView;
  TicketFieldPage: Page<TicketFieldView>;
  UserView: UserView;
  UserPage: Page<UserView>;
  /** Staff see the whole user; a customer sees the public view of a staff member. */
  UserOrPublicUserView: UserView | PublicUserView;
  TeamView: TeamView;
  TeamPage: Page<TeamView>;
  OrganizationView: OrganizationView;
  SlaPolicyView: SlaPolicyView;
  SlaPolicyPage: Page<SlaPolicyView>;
  MacroView: MacroView;
  MacroPage: Page<MacroView>;
  /** The changed ticket, or with `?preview=true` what the macro would do. */
  MacroApplication: TicketView | MacroPreview;
  CannedResponseView: CannedResponseView;
  CannedResponsePage: Page<CannedResponseView>;
  RenderedCannedResponse: RenderedCannedResponse;
  QueueView: QueueView;
  QueueViewPage: Page<QueueView>;
  TriggerView: TriggerView;
  TriggerPage: Page<TriggerView>;
  AutomationView: AutomationView;
  AutomationPage: Page<AutomationView>;
  ReportOverview: ReportOverview;
  SatisfactionSurveyView: SatisfactionSurveyView;
  WebhookView: WebhookView;
  WebhookPage: Page<WebhookView>;
  WebhookDeliveryView: WebhookDeliveryView;
  WebhookDeliveryPage: Page<WebhookDeliveryView>;
  AutomationPreviewPage: Page<AutomationPreviewItem>;
  MailboxView: MailboxView;
  MailboxPage: Page<MailboxView>;
  MailboxWithTokenView: MailboxWithTokenView;
  InboundReceipt: InboundReceipt;
  DeadLetterPage: Page<DeadLetterSummary>;
  DeadLetterDetail: DeadLetterDetail;
  ReplayDeadLettersReply: ReplayDeadLettersReply;
}

export type ApiResponseName = keyof ApiResponseTypes;
type SuccessStatus = HttpStatus.OK | HttpStatus.CREATED | HttpStatus.ACCEPTED;

/**
 * Documents a route's success answer as the named schema. The handler must return that type (the
 * compiler checks it here), so the document cannot promise what the code does not answer.
 */
export function Answers<Name extends ApiResponseName>(status: SuccessStatus, name: Name, description?: string) {
  return <Handler extends (...args: never[]) => Promise<ApiResponseTypes[Name]> | ApiResponseTypes[Name]>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<Handler>,
  ): void => {
    ApiResponse({ status, description: description ?? '', schema: { $ref: `#/components/schemas/${name}` } })(target, key, descriptor);
  };
}

/** Documents a route that answers 204 without a body; its handler must return nothing. */
export function AnswersNoContent(description = 'Done; no body') {
  return <Handler extends (...args: never[]) => Promise<void> | void>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<Handler>): void => {
    ApiResponse({ status: HttpStatus.NO_CONTENT, description })(target, key, descriptor);
  };
}
