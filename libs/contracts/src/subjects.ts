import type { ServiceName } from './services.js';

/** Every NATS subject is versioned and built here, so publishers and subscribers cannot drift apart. */
const SUBJECT_ROOT = 'helpdesk.v1';

export const subjects = {
  /** Liveness of a service over NATS: answered by any replica of that service's queue group. */
  ping: (service: ServiceName) => `${SUBJECT_ROOT}.${service}.system.ping`,
  tickets: {
    create: `${SUBJECT_ROOT}.ticket.tickets.create`,
    get: `${SUBJECT_ROOT}.ticket.tickets.get`,
    list: `${SUBJECT_ROOT}.ticket.tickets.list`,
    update: `${SUBJECT_ROOT}.ticket.tickets.update`,
    history: `${SUBJECT_ROOT}.ticket.tickets.history`,
    /** The people copied on a ticket (PageCommand): a page (`{ items, nextCursor }`), oldest first; staff, and the requester on their own ticket. */
    participants: `${SUBJECT_ROOT}.ticket.tickets.participants.list`,
    /** Staff copy someone on a ticket (AddParticipantCommand). */
    addParticipant: `${SUBJECT_ROOT}.ticket.tickets.participants.add`,
    /** Staff stop copying someone (ParticipantRefCommand). */
    removeParticipant: `${SUBJECT_ROOT}.ticket.tickets.participants.remove`,
    /** Staff merge a ticket into another (MergeTicketCommand); answers the target. */
    merge: `${SUBJECT_ROOT}.ticket.tickets.merge`,
    /** A ticket's links to others, seen from its side (PageCommand): a page (`{ items, nextCursor }`), oldest first. */
    links: `${SUBJECT_ROOT}.ticket.tickets.links.list`,
    /** Staff link two tickets (AddTicketLinkCommand). */
    addLink: `${SUBJECT_ROOT}.ticket.tickets.links.add`,
    /** Staff unlink two tickets (TicketLinkRefCommand). */
    removeLink: `${SUBJECT_ROOT}.ticket.tickets.links.remove`,
    /** Staff change up to 100 tickets at once (BulkUpdateTicketsCommand): one command, one result per id. */
    bulkUpdate: `${SUBJECT_ROOT}.ticket.tickets.bulk-update`,
    /** The staff following a ticket (PageCommand): a page (`{ items, nextCursor }`), oldest first; staff only. */
    followers: `${SUBJECT_ROOT}.ticket.tickets.followers.list`,
    /** The calling staff member follows a ticket (TicketRefCommand). */
    follow: `${SUBJECT_ROOT}.ticket.tickets.followers.follow`,
    /** The calling staff member stops following a ticket (TicketRefCommand). */
    unfollow: `${SUBJECT_ROOT}.ticket.tickets.followers.unfollow`,
  },
  /** Staff presence as realtime sees it (ReportPresenceCommand): drives `online` for automatic assignment. */
  presence: {
    report: `${SUBJECT_ROOT}.ticket.presence.report`,
  },
  /** Macros (DESIGN section 14): read by staff (team-scoped for agents), written by admins, applied by staff. */
  macros: {
    list: `${SUBJECT_ROOT}.ticket.macros.list`,
    get: `${SUBJECT_ROOT}.ticket.macros.get`,
    create: `${SUBJECT_ROOT}.ticket.macros.create`,
    update: `${SUBJECT_ROOT}.ticket.macros.update`,
    delete: `${SUBJECT_ROOT}.ticket.macros.delete`,
    /** ApplyMacroCommand: the updated ticket, or with `preview` `{ ticket, comments }` and nothing saved. */
    apply: `${SUBJECT_ROOT}.ticket.macros.apply`,
  },
  /** Triggers (DESIGN section 14): read and written by admins; fired by the ticket service's trigger engine. */
  triggers: {
    list: `${SUBJECT_ROOT}.ticket.triggers.list`,
    get: `${SUBJECT_ROOT}.ticket.triggers.get`,
    create: `${SUBJECT_ROOT}.ticket.triggers.create`,
    update: `${SUBJECT_ROOT}.ticket.triggers.update`,
    delete: `${SUBJECT_ROOT}.ticket.triggers.delete`,
  },
  /** Automations (DESIGN section 14): read and written by admins; `preview` is the dry run (PreviewAutomationCommand). */
  automations: {
    list: `${SUBJECT_ROOT}.ticket.automations.list`,
    get: `${SUBJECT_ROOT}.ticket.automations.get`,
    create: `${SUBJECT_ROOT}.ticket.automations.create`,
    update: `${SUBJECT_ROOT}.ticket.automations.update`,
    delete: `${SUBJECT_ROOT}.ticket.automations.delete`,
    preview: `${SUBJECT_ROOT}.ticket.automations.preview`,
  },
  cannedResponses: {
    list: `${SUBJECT_ROOT}.ticket.canned-responses.list`,
    get: `${SUBJECT_ROOT}.ticket.canned-responses.get`,
    create: `${SUBJECT_ROOT}.ticket.canned-responses.create`,
    update: `${SUBJECT_ROOT}.ticket.canned-responses.update`,
    delete: `${SUBJECT_ROOT}.ticket.canned-responses.delete`,
    /** RenderCannedResponseCommand: the body with its placeholders filled in for one ticket. */
    render: `${SUBJECT_ROOT}.ticket.canned-responses.render`,
  },
  /** Views (DESIGN section 14): saved ticket filters; personal ones their owner's, shared ones the organization's staff's (admins write them). */
  views: {
    list: `${SUBJECT_ROOT}.ticket.views.list`,
    get: `${SUBJECT_ROOT}.ticket.views.get`,
    create: `${SUBJECT_ROOT}.ticket.views.create`,
    update: `${SUBJECT_ROOT}.ticket.views.update`,
    delete: `${SUBJECT_ROOT}.ticket.views.delete`,
  },
  /** Reports (DESIGN section 15): staff read them, agents for their teams' and their own tickets only. */
  reports: {
    overview: `${SUBJECT_ROOT}.ticket.reports.overview`,
    /** ReportExportPageCommand: one page of the CSV export's ticket rows; the gateway pages and streams. */
    exportPage: `${SUBJECT_ROOT}.ticket.reports.export-page`,
  },
  /** Custom ticket fields: admins manage them, staff read them. */
  ticketFields: {
    /** ListTicketFieldsCommand: a page (`{ items, nextCursor }`) of the fields, in creation order. */
    list: `${SUBJECT_ROOT}.ticket.ticket-fields.list`,
    get: `${SUBJECT_ROOT}.ticket.ticket-fields.get`,
    create: `${SUBJECT_ROOT}.ticket.ticket-fields.create`,
    update: `${SUBJECT_ROOT}.ticket.ticket-fields.update`,
    archive: `${SUBJECT_ROOT}.ticket.ticket-fields.archive`,
  },
  comments: {
    create: `${SUBJECT_ROOT}.ticket.comments.create`,
    list: `${SUBJECT_ROOT}.ticket.comments.list`,
  },
  organizations: {
    signup: `${SUBJECT_ROOT}.ticket.organizations.signup`,
    get: `${SUBJECT_ROOT}.ticket.organizations.get`,
    update: `${SUBJECT_ROOT}.ticket.organizations.update`,
  },
  auth: {
    /** Checks an email and password; answers the user, or UNAUTHORIZED for any failure. */
    verifyCredentials: `${SUBJECT_ROOT}.ticket.auth.verify-credentials`,
    issueRefreshToken: `${SUBJECT_ROOT}.ticket.auth.refresh-tokens.issue`,
    rotateRefreshToken: `${SUBJECT_ROOT}.ticket.auth.refresh-tokens.rotate`,
    revokeRefreshToken: `${SUBJECT_ROOT}.ticket.auth.refresh-tokens.revoke`,
    requestPasswordReset: `${SUBJECT_ROOT}.ticket.auth.password-reset.request`,
    /** For the notification service, when it sends the mail: a fresh single-use link (never in events). */
    issuePasswordResetLink: `${SUBJECT_ROOT}.ticket.auth.password-reset.issue-link`,
    confirmPasswordReset: `${SUBJECT_ROOT}.ticket.auth.password-reset.confirm`,
    issueInvitationLink: `${SUBJECT_ROOT}.ticket.auth.invitations.issue-link`,
    acceptInvitation: `${SUBJECT_ROOT}.ticket.auth.invitations.accept`,
    me: `${SUBJECT_ROOT}.ticket.auth.me`,
    /** Any user, about themselves: needs the current password; ends every other session. */
    changeOwnPassword: `${SUBJECT_ROOT}.ticket.auth.password.change`,
    /** For the notification service, when it sends the signup verification mail: a fresh single-use link (never in events). */
    issueEmailVerificationLink: `${SUBJECT_ROOT}.ticket.auth.email-verification.issue-link`,
    /** Spends a verification link: the organization may then mail people outside its staff. */
    confirmEmailVerification: `${SUBJECT_ROOT}.ticket.auth.email-verification.confirm`,
    /** An admin asks for the verification mail again (with a principal). */
    resendEmailVerification: `${SUBJECT_ROOT}.ticket.auth.email-verification.resend`,
  },
  /** Customer satisfaction (DESIGN section 15): survey links for the solved mail, and the public rating page. */
  satisfaction: {
    /** Internal, for the notification service when it sends the solved mail (IssueSatisfactionLinkCommand). */
    issueLink: `${SUBJECT_ROOT}.ticket.satisfaction.issue-link`,
    /** Public, from the gateway (SatisfactionTokenCommand): the survey as its link shows it. */
    get: `${SUBJECT_ROOT}.ticket.satisfaction.get`,
    /** Public, from the gateway (RateTicketCommand): gives or changes the rating. */
    rate: `${SUBJECT_ROOT}.ticket.satisfaction.rate`,
  },
  /** NATS integrations (issue 21): admins create, list and revoke them; the gateway verifies one on every public command. */
  natsIntegrations: {
    create: `${SUBJECT_ROOT}.ticket.nats-integrations.create`,
    /** ListNatsIntegrationsCommand: a page (`{ items, nextCursor }`) of the live integrations, newest first. */
    list: `${SUBJECT_ROOT}.ticket.nats-integrations.list`,
    /** Answers the NATS user to revoke on the public server; again for one already revoked, so a failed revocation there can be retried. */
    revoke: `${SUBJECT_ROOT}.ticket.nats-integrations.revoke`,
    /** Internal, for the gateway (VerifyNatsIntegrationCommand): the integration's principal and scopes, or UNAUTHORIZED. */
    verify: `${SUBJECT_ROOT}.ticket.nats-integrations.verify`,
    /** Internal, for the gateway (PendingNatsUserRevocationsCommand): revoked integrations whose NATS user the public server may still accept, a batch at a time. */
    pendingNatsUserRevocations: `${SUBJECT_ROOT}.ticket.nats-integrations.pending-nats-user-revocations`,
    /** Internal, for the gateway (NatsUsersRevokedCommand): records that their NATS users are revoked on the public server. */
    natsUsersRevoked: `${SUBJECT_ROOT}.ticket.nats-integrations.nats-users-revoked`,
  },
  /** API tokens (DESIGN section 16): admins create, list and revoke them; the gateway verifies one on every request that carries it. */
  apiTokens: {
    create: `${SUBJECT_ROOT}.ticket.api-tokens.create`,
    /** ListApiTokensCommand: a page (`{ items, nextCursor }`) of the live tokens, newest first. */
    list: `${SUBJECT_ROOT}.ticket.api-tokens.list`,
    revoke: `${SUBJECT_ROOT}.ticket.api-tokens.revoke`,
    /** Internal, for the gateway (VerifyApiTokenCommand): the token's principal and scopes, or UNAUTHORIZED. */
    verify: `${SUBJECT_ROOT}.ticket.api-tokens.verify`,
  },
  users: {
    /** Staff: the organization's users (UserView), filtered by role, active, q or ids. */
    list: `${SUBJECT_ROOT}.ticket.users.list`,
    /** One user of the caller's organization (UserRefCommand): staff get a UserView, customers a PublicUserView of staff only. */
    get: `${SUBJECT_ROOT}.ticket.users.get`,
    invite: `${SUBJECT_ROOT}.ticket.users.invite`,
    update: `${SUBJECT_ROOT}.ticket.users.update`,
    deactivate: `${SUBJECT_ROOT}.ticket.users.deactivate`,
    /** An admin mails a fresh invitation to a user who has not accepted theirs; earlier links stop working. */
    resendInvitation: `${SUBJECT_ROOT}.ticket.users.resend-invitation`,
    /** Staff: the user's address works again (their mail is sent again); UserRefCommand. */
    clearBounce: `${SUBJECT_ROOT}.ticket.users.clear-bounce`,
    /** Any user, about themselves: name and notification preferences. */
    updateOwnAccount: `${SUBJECT_ROOT}.ticket.users.update-own-account`,
  },
  teams: {
    /** ListTeamsCommand: a page (`{ items, nextCursor }`) of the teams, by name. */
    list: `${SUBJECT_ROOT}.ticket.teams.list`,
    create: `${SUBJECT_ROOT}.ticket.teams.create`,
    update: `${SUBJECT_ROOT}.ticket.teams.update`,
    delete: `${SUBJECT_ROOT}.ticket.teams.delete`,
    setMembers: `${SUBJECT_ROOT}.ticket.teams.set-members`,
  },
  slaPolicies: {
    /** ListSlaPoliciesCommand: a page (`{ items, nextCursor }`), the most urgent priority first, then newest. */
    list: `${SUBJECT_ROOT}.ticket.sla-policies.list`,
    create: `${SUBJECT_ROOT}.ticket.sla-policies.create`,
    update: `${SUBJECT_ROOT}.ticket.sla-policies.update`,
    delete: `${SUBJECT_ROOT}.ticket.sla-policies.delete`,
  },
  attachments: {
    add: `${SUBJECT_ROOT}.ticket.attachments.add`,
    list: `${SUBJECT_ROOT}.ticket.attachments.list`,
    /** Metadata of one attachment, if the caller may see its ticket (the gateway then streams the bytes). */
    get: `${SUBJECT_ROOT}.ticket.attachments.get`,
    /**
     * Bytes the caller's organization may still store, asked by the gateway before it reads a byte of an
     * upload (TicketRefCommand; NOT_FOUND for a ticket the caller cannot see, QUOTA_EXCEEDED when none remain).
     */
    allowance: `${SUBJECT_ROOT}.ticket.attachments.allowance`,
  },
  notifications: {
    /** Internal, for the notification service: organization, ticket, requester and assignee a mail needs. */
    ticketContext: `${SUBJECT_ROOT}.ticket.notifications.context`,
    /** Internal, for the notification service: organization and account an invitation or reset mail goes to. */
    userContext: `${SUBJECT_ROOT}.ticket.notifications.user-context`,
    /** Internal, for the notification service: the organization and its active admins (a mailbox that keeps failing is theirs to fix). */
    organizationContext: `${SUBJECT_ROOT}.ticket.notifications.organization-context`,
    /** Internal admin command answered by the notification service: re-queues dead mail deliveries. */
    replayDeadLetters: `${SUBJECT_ROOT}.notification.dead-letters.replay`,
    /** Admin command answered by the notification service: the organization's dead deliveries, newest first, one page. */
    listDeadLetters: `${SUBJECT_ROOT}.notification.dead-letters.list`,
    /** Admin command answered by the notification service: one dead delivery with its errors and its mail, secrets redacted. */
    getDeadLetter: `${SUBJECT_ROOT}.notification.dead-letters.get`,
    /** Fire-and-forget (core NATS, no reply): a critical log line of any service, mailed to ADMIN_EMAILS by one notification replica. */
    adminAlert: `${SUBJECT_ROOT}.notification.admin-alerts.raise`,
  },
  /** Admin commands (with a principal) answered by the notification service, which owns the mailboxes (DESIGN section 13). */
  mailboxes: {
    create: `${SUBJECT_ROOT}.notification.mailboxes.create`,
    list: `${SUBJECT_ROOT}.notification.mailboxes.list`,
    get: `${SUBJECT_ROOT}.notification.mailboxes.get`,
    update: `${SUBJECT_ROOT}.notification.mailboxes.update`,
    delete: `${SUBJECT_ROOT}.notification.mailboxes.delete`,
    /** A new inbound token, answered once; the old one stops working at once. */
    rotateToken: `${SUBJECT_ROOT}.notification.mailboxes.rotate-token`,
    /** Whether an address is the desk's own (a mailbox, plus-addresses included, or the sender address): never a participant. */
    ownsAddress: `${SUBJECT_ROOT}.notification.mailboxes.owns-address`,
  },
  /** Admin commands (with a principal) answered by the notification service, which owns webhooks and their deliveries (DESIGN section 16). */
  webhooks: {
    create: `${SUBJECT_ROOT}.notification.webhooks.create`,
    list: `${SUBJECT_ROOT}.notification.webhooks.list`,
    get: `${SUBJECT_ROOT}.notification.webhooks.get`,
    update: `${SUBJECT_ROOT}.notification.webhooks.update`,
    delete: `${SUBJECT_ROOT}.notification.webhooks.delete`,
    /** A webhook's deliveries, newest first, one page (ListWebhookDeliveriesCommand). */
    listDeliveries: `${SUBJECT_ROOT}.notification.webhooks.deliveries.list`,
    getDelivery: `${SUBJECT_ROOT}.notification.webhooks.deliveries.get`,
    /** A new delivery of the same event (WebhookDeliveryRefCommand). */
    redeliver: `${SUBJECT_ROOT}.notification.webhooks.deliveries.redeliver`,
    /** A delivery of a `webhook.test` event (WebhookRefCommand). */
    test: `${SUBJECT_ROOT}.notification.webhooks.test`,
    /** Internal, ticket service only (no principal): whether a webhook is an organization's (WebhookExistsCommand), checked when a rule's webhook action is written. */
    exists: `${SUBJECT_ROOT}.notification.webhooks.exists`,
  },
  /** The HTTP way in: the gateway checks the mailbox token, stores the raw message, then hands it over. */
  inbound: {
    authorize: `${SUBJECT_ROOT}.notification.inbound.authorize`,
    ingest: `${SUBJECT_ROOT}.notification.inbound.ingest`,
  },
  /** Internal, answered by the ticket service for the notification service only: ticket changes on behalf of a mail's sender. */
  emailChannel: {
    createTicket: `${SUBJECT_ROOT}.ticket.email.create-ticket`,
    addComment: `${SUBJECT_ROOT}.ticket.email.add-comment`,
    /** A delivery-status report named these addresses as failed: their users are bouncing, mailed no more until cleared. */
    markBouncing: `${SUBJECT_ROOT}.ticket.email.mark-bouncing`,
  },
  /** Answered by the ai-proxy service. */
  ai: {
    /** Internal, for the ticket service's triage job. */
    triage: `${SUBJECT_ROOT}.ai.triage`,
    summarize: `${SUBJECT_ROOT}.ai.summarize`,
    suggestReply: `${SUBJECT_ROOT}.ai.suggest-reply`,
    /** Internal, answered by the ticket service for the ai-proxy: an organization's labelled, resolved tickets to train on. */
    trainingExamples: `${SUBJECT_ROOT}.ticket.ai.training-examples`,
  },
} as const;
