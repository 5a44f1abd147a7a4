import { PUBLIC_SUBJECT_ROOT, publicEventsStream, publicSubjects } from '@helpdesk/contracts';

/** Reply subjects of one integration's requests (clients set `inboxPrefix` to it), so no other integration can read its replies. */
export function integrationInboxPrefix(integrationId: string): string {
  return `_INBOX_${integrationId}`;
}

export interface IntegrationPermissions {
  pub: { allow: string[] };
  sub: { allow: string[] };
}

/**
 * What one integration's user may do in its organization's account on the public server, and
 * nothing else: follow its organization's events (core subscription, or its own durable consumers on
 * the organization's stream, as @nats-io/jetstream 3 asks for them), and send the public commands as
 * itself. The account holds only that organization's subjects; the permissions keep each integration
 * to its own commands and replies, and away from the stream's management.
 */
export function integrationPermissions(organizationId: string, integrationId: string): IntegrationPermissions {
  const stream = publicEventsStream(organizationId);
  const api = '$JS.API';
  return {
    pub: {
      allow: [
        `${PUBLIC_SUBJECT_ROOT}.commands.${organizationId}.${integrationId}.>`,
        // jetstreamManager() checks the account first.
        `${api}.INFO`,
        `${api}.STREAM.INFO.${stream}`,
        // Consumers on that stream only: created (named, durable, or the servers before 2.9's form), read, pulled, deleted, acknowledged.
        `${api}.CONSUMER.CREATE.${stream}`,
        `${api}.CONSUMER.CREATE.${stream}.>`,
        `${api}.CONSUMER.DURABLE.CREATE.${stream}.>`,
        `${api}.CONSUMER.INFO.${stream}.>`,
        `${api}.CONSUMER.NAMES.${stream}`,
        `${api}.CONSUMER.LIST.${stream}`,
        `${api}.CONSUMER.MSG.NEXT.${stream}.>`,
        `${api}.CONSUMER.DELETE.${stream}.>`,
        `$JS.ACK.${stream}.>`,
      ],
    },
    sub: {
      allow: [publicSubjects.organizationEvents(organizationId), `${integrationInboxPrefix(integrationId)}.>`],
    },
  };
}

/** The reply subject NATS gives a request that crossed a service import: `_R_.` and random tokens. */
const IMPORTED_SERVICE_REPLY = /^_R_(\.[A-Za-z0-9]+)+$/;

/**
 * Whether the gateway may answer a public command on this reply subject. Integrations' requests come
 * from their organization's account through its service import, with a reply NATS maps to `_R_.…`
 * and routes back to the requesting account only (NATS itself confines the answer to that
 * organization; within it, to the subject the requester named). A request made in INTEGRATIONS itself
 * (only the platform's users are there) may be answered on the integration's own inbox. Any other
 * reply subject is not a requester's and gets no answer.
 */
export function isIntegrationReplySubject(integrationId: string, reply: string | undefined): boolean {
  if (reply === undefined || /[\s*>]/.test(reply)) return false;
  return IMPORTED_SERVICE_REPLY.test(reply) || reply.startsWith(`${integrationInboxPrefix(integrationId)}.`);
}
