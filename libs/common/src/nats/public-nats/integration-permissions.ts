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
 * What one integration's user may do on the public server, and nothing else: follow its
 * organization's events (core subscription, or its own durable consumers on the organization's
 * stream, as @nats-io/jetstream 3 asks for them), and send the public commands as itself.
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

/**
 * Whether a public command's reply subject is the integration's own inbox. The gateway should answer
 * a command only then: NATS does not check reply subjects, and an answer sent to any other subject of
 * the shared INTEGRATIONS account could land in another organization's events.
 */
export function isIntegrationReplySubject(integrationId: string, reply: string | undefined): boolean {
  return reply !== undefined && reply.startsWith(`${integrationInboxPrefix(integrationId)}.`) && !/[\s*>]/.test(reply);
}
