import { EVENT_SUBJECT_PREFIX, EVENTS_STREAM } from './events.js';
import { INBOUND_MAIL_BUCKET } from './mailboxes.js';
import { SERVICE_NAMES, type ServiceName } from './services.js';
import { subjects } from './subjects.js';

/**
 * Who may do what on NATS: the source of the per-service NATS users (`npm run nats:values` writes
 * them into k8s/nats/nats-values.yaml). A service answers the commands of its own subject segment
 * and may call only the commands listed here, so a new command subject must be added to its
 * callers' `calls` (a contracts test fails otherwise).
 */

/** The durable consumer of HELPDESK_EVENTS that the notification service owns; no other service may touch it. */
export const NOTIFICATION_EVENTS_CONSUMER = 'notification';
/** The durable consumer of HELPDESK_EVENTS through which the ticket service's replicas fire triggers (DESIGN section 14). */
export const TRIGGER_EVENTS_CONSUMER = 'ticket-triggers';
/** The durable consumer of HELPDESK_EVENTS through which the notification service's replicas fan events out to webhooks (DESIGN section 16). */
export const WEBHOOK_EVENTS_CONSUMER = 'notification-webhooks';
/** The durable consumer of HELPDESK_EVENTS through which the gateway's replicas republish the public events to the public NATS server (docs/events.md). */
export const PUBLIC_EVENTS_CONSUMER = 'gateway-public-events';

/** The attachment object store bucket's default name (the gateway's ATTACHMENTS_BUCKET). */
export const DEFAULT_ATTACHMENTS_BUCKET = 'helpdesk-attachments';

/** NATS users that are not services: `backup` is db:backup and db:restore (the chart's backup CronJob), which read and write the attachment bucket. */
export const NATS_TOOL_USERS = ['backup'] as const;
export type NatsToolUser = (typeof NATS_TOOL_USERS)[number];
export type NatsUser = ServiceName | NatsToolUser;
/** Every NATS user of the platform: one per service, then the tools'. */
export const NATS_USERS: readonly NatsUser[] = [...SERVICE_NAMES, ...NATS_TOOL_USERS];

/** Reply subjects of a user's requests: `_INBOX_<user>.<id>`, so no other user can subscribe to them. */
export function natsInboxPrefix(user: NatsUser): string {
  return `_INBOX_${user}`;
}

type JetStreamNeed =
  /** Creates and updates the events stream, and publishes events into it. */
  | 'events-publisher'
  /** Owns the notification durable consumer: creates, reads and acknowledges it. */
  | 'events-durable-consumer'
  /** Owns the webhooks durable consumer: creates, reads and acknowledges it. */
  | 'webhooks-durable-consumer'
  /** Publishes its own events (`mailbox.failed`, `webhook.disabled`) into the events stream, and no other type. */
  | 'mailbox-events-publisher'
  /** Owns the triggers durable consumer: creates, reads and acknowledges it. */
  | 'triggers-durable-consumer'
  /** Owns the public events durable consumer (republishing to the public NATS server): creates, reads and acknowledges it. */
  | 'public-events-durable-consumer'
  /** Reads the events stream with its own short-lived ordered consumers, never the durable ones. */
  | 'events-ordered-reader'
  /** Creates the attachment bucket, writes, reads and deletes its objects. */
  | 'attachment-store'
  /** Creates the `inbound-mail` bucket (raw inbound messages), writes, reads and deletes its objects. */
  | 'inbound-mail-store';

interface ServiceNatsAccess {
  /** Command subjects (request/reply) the service sends. */
  calls: readonly string[];
  jetStream: readonly JetStreamNeed[];
}

const pings = SERVICE_NAMES.map((service) => subjects.ping(service));

export const NATS_ACCESS: Record<NatsUser, ServiceNatsAccess> = {
  gateway: {
    calls: [
      ...pings,
      ...Object.values(subjects.tickets),
      ...Object.values(subjects.comments),
      ...Object.values(subjects.macros),
      ...Object.values(subjects.triggers),
      ...Object.values(subjects.automations),
      ...Object.values(subjects.cannedResponses),
      ...Object.values(subjects.views),
      ...Object.values(subjects.reports),
      ...Object.values(subjects.organizations),
      subjects.auth.verifyCredentials,
      subjects.auth.issueRefreshToken,
      subjects.auth.rotateRefreshToken,
      subjects.auth.revokeRefreshToken,
      subjects.auth.requestPasswordReset,
      subjects.auth.confirmPasswordReset,
      subjects.auth.acceptInvitation,
      subjects.auth.me,
      subjects.auth.changeOwnPassword,
      subjects.auth.confirmEmailVerification,
      subjects.auth.resendEmailVerification,
      subjects.satisfaction.get,
      subjects.satisfaction.rate,
      ...Object.values(subjects.users),
      ...Object.values(subjects.apiTokens),
      ...Object.values(subjects.natsIntegrations),
      ...Object.values(subjects.teams),
      ...Object.values(subjects.slaPolicies),
      ...Object.values(subjects.ticketFields),
      ...Object.values(subjects.attachments),
      subjects.notifications.replayDeadLetters,
      subjects.notifications.listDeadLetters,
      subjects.notifications.getDeadLetter,
      ...Object.values(subjects.mailboxes),
      // All but the ticket service's internal check, which trusts the organization id it is sent.
      ...Object.values(subjects.webhooks).filter((subject) => subject !== subjects.webhooks.exists),
      ...Object.values(subjects.inbound),
      subjects.ai.summarize,
      subjects.ai.suggestReply,
    ],
    // Raw messages posted to the HTTP way in are stored by the gateway, read by the notification service.
    jetStream: ['attachment-store', 'inbound-mail-store', 'public-events-durable-consumer'],
  },
  ticket: {
    // A rule's webhook action names a webhook of the organization: checked when the rule is written.
    calls: [subjects.ai.triage, subjects.webhooks.exists],
    jetStream: ['events-publisher', 'triggers-durable-consumer'],
  },
  notification: {
    calls: [
      subjects.notifications.ticketContext,
      subjects.notifications.userContext,
      subjects.auth.issuePasswordResetLink,
      subjects.auth.issueInvitationLink,
      subjects.auth.issueEmailVerificationLink,
      subjects.satisfaction.issueLink,
      subjects.notifications.organizationContext,
      // Dead-letter replay and mailbox administration re-check the caller's current role.
      subjects.auth.me,
      // Inbound mail becomes tickets and comments on behalf of its sender.
      ...Object.values(subjects.emailChannel),
    ],
    // Inbound mail's attachments are stored where uploads are.
    jetStream: ['events-durable-consumer', 'webhooks-durable-consumer', 'inbound-mail-store', 'mailbox-events-publisher', 'attachment-store'],
  },
  realtime: {
    calls: [subjects.tickets.get, subjects.auth.me, subjects.presence.report],
    jetStream: ['events-ordered-reader'],
  },
  'ai-proxy': {
    calls: [subjects.tickets.get, subjects.comments.list, subjects.ai.trainingExamples],
    jetStream: [],
  },
  // Backup reads the bucket; restore creates it and writes objects back, hence the whole store (and nothing else).
  backup: {
    calls: [],
    jetStream: ['attachment-store'],
  },
};

/** Every subject declared in `subjects`, pings included. */
export function allCommandSubjects(): string[] {
  const found = new Set<string>(pings);
  const visit = (value: unknown) => {
    if (typeof value === 'string') found.add(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(subjects);
  return [...found].sort();
}

/** The service answering a subject: its segment after `helpdesk.v1` (`ai` is the ai-proxy's). */
export function subjectOwner(subject: string): ServiceName | undefined {
  const segment = subject.split('.')[2];
  const service = segment === 'ai' ? 'ai-proxy' : segment;
  return SERVICE_NAMES.find((name) => name === service);
}

export interface NatsUserPermissions {
  publish: { allow: string[]; deny?: string[] };
  subscribe: { allow: string[] };
  allow_responses: true;
}

/** Fire-and-forget: every service (not the tools) may raise an admin alert (a critical log line). */
const EVERY_SERVICE_PUBLISHES = [subjects.notifications.adminAlert];

function jetStreamPublish(need: JetStreamNeed, bucket: string): { allow: string[]; deny?: string[] } {
  const api = '$JS.API';
  const events = EVENTS_STREAM;
  switch (need) {
    case 'events-publisher':
      return { allow: [`${api}.INFO`, `${api}.STREAM.INFO.${events}`, `${api}.STREAM.CREATE.${events}`, `${api}.STREAM.UPDATE.${events}`, `${EVENT_SUBJECT_PREFIX}.>`] };
    case 'events-durable-consumer':
    case 'webhooks-durable-consumer':
    case 'triggers-durable-consumer':
    case 'public-events-durable-consumer': {
      const durable = {
        'events-durable-consumer': NOTIFICATION_EVENTS_CONSUMER,
        'webhooks-durable-consumer': WEBHOOK_EVENTS_CONSUMER,
        'triggers-durable-consumer': TRIGGER_EVENTS_CONSUMER,
        'public-events-durable-consumer': PUBLIC_EVENTS_CONSUMER,
      }[need];
      return {
        allow: [
          `${api}.INFO`,
          `${api}.STREAM.INFO.${events}`,
          `${api}.CONSUMER.INFO.${events}.${durable}`,
          `${api}.CONSUMER.CREATE.${events}.${durable}`,
          `${api}.CONSUMER.CREATE.${events}.${durable}.>`,
          `${api}.CONSUMER.MSG.NEXT.${events}.${durable}`,
          // No `$JS.ACK.<stream>.<durable>.>`: each delivery's ack (or nak, or term: one per delivery) is a
          // reply to it, allowed by allow_responses, which then forgets it. Allowing the ack subject outright
          // left every delivery's reply subject tracked for allow_responses' two minutes (tens of thousands
          // per connection at a few hundred events a second), and nats-server stalled every consumer for
          // seconds as that table grew (docs/benchmarks.md, webhooks latency).
        ],
      };
    }
    case 'events-ordered-reader': {
      // Ordered consumers have generated names, and a subject wildcard cannot match part of a token:
      // any consumer name is allowed, except the durable ones (the notification service's two, the triggers', the public events').
      const durables = [NOTIFICATION_EVENTS_CONSUMER, WEBHOOK_EVENTS_CONSUMER, TRIGGER_EVENTS_CONSUMER, PUBLIC_EVENTS_CONSUMER];
      return {
        allow: [
          `${api}.INFO`,
          `${api}.STREAM.INFO.${events}`,
          `${api}.CONSUMER.INFO.${events}.*`,
          `${api}.CONSUMER.CREATE.${events}.*`,
          `${api}.CONSUMER.CREATE.${events}.*.>`,
          `${api}.CONSUMER.DELETE.${events}.*`,
          `${api}.CONSUMER.MSG.NEXT.${events}.*`,
        ],
        deny: durables.flatMap((durable) => [`${api}.CONSUMER.*.${events}.${durable}`, `${api}.CONSUMER.*.${events}.${durable}.>`, `${api}.CONSUMER.MSG.NEXT.${events}.${durable}`]),
      };
    }
    case 'mailbox-events-publisher':
      return { allow: [`${EVENT_SUBJECT_PREFIX}.mailbox.failed`, `${EVENT_SUBJECT_PREFIX}.webhook.disabled`] };
    case 'attachment-store':
      return objectStorePublish(bucket);
    case 'inbound-mail-store':
      return objectStorePublish(INBOUND_MAIL_BUCKET);
  }
}

/** Everything a JetStream object store client does with one bucket, and with no other. */
function objectStorePublish(bucket: string): { allow: string[] } {
  const api = '$JS.API';
  const stream = `OBJ_${bucket}`;
  return {
    allow: [
      `${api}.INFO`,
      `${api}.STREAM.INFO.${stream}`,
      `${api}.STREAM.CREATE.${stream}`,
      `${api}.STREAM.UPDATE.${stream}`,
      `${api}.STREAM.PURGE.${stream}`,
      `${api}.STREAM.MSG.GET.${stream}`,
      `${api}.DIRECT.GET.${stream}`,
      `${api}.DIRECT.GET.${stream}.>`,
      `${api}.CONSUMER.INFO.${stream}.*`,
      `${api}.CONSUMER.CREATE.${stream}`,
      `${api}.CONSUMER.CREATE.${stream}.*`,
      `${api}.CONSUMER.CREATE.${stream}.*.>`,
      `${api}.CONSUMER.DELETE.${stream}.*`,
      `${api}.CONSUMER.MSG.NEXT.${stream}.*`,
      `$O.${bucket}.>`,
    ],
  };
}

const isService = (user: NatsUser): user is ServiceName => (SERVICE_NAMES as readonly string[]).includes(user);

/** The NATS permissions of one user (a service's or a tool's), least privilege, from the declarations above. */
export function natsPermissions(service: NatsUser, options: { attachmentsBucket?: string } = {}): NatsUserPermissions {
  const bucket = options.attachmentsBucket ?? DEFAULT_ATTACHMENTS_BUCKET;
  const access = NATS_ACCESS[service];
  const allow = new Set<string>([...access.calls, ...(isService(service) ? EVERY_SERVICE_PUBLISHES : [])]);
  const deny = new Set<string>();
  for (const need of access.jetStream) {
    const granted = jetStreamPublish(need, bucket);
    granted.allow.forEach((subject) => allow.add(subject));
    granted.deny?.forEach((subject) => deny.add(subject));
  }
  const served = allCommandSubjects().filter((subject) => subjectOwner(subject) === service);
  return {
    publish: { allow: [...allow], ...(deny.size > 0 ? { deny: [...deny] } : {}) },
    subscribe: { allow: [...served, `${natsInboxPrefix(service)}.>`] },
    allow_responses: true,
  };
}
