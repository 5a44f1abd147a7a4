import type { ApiTokenScope } from './api-tokens.js';
import type { Principal } from './principal.js';
import type { PublicCommandName } from './public-nats.js';

/**
 * NATS integrations (issue 21; docs/integrations.md): another service's credentials for the public NATS
 * server, made by an admin. Like an API token, an integration acts as the admin who made it (with their
 * current role), limited to these scopes, and history and events name it beside them.
 */
export const NATS_INTEGRATION_SCOPES = ['tickets:read', 'tickets:write', 'users:read'] as const satisfies readonly ApiTokenScope[];
export type NatsIntegrationScope = (typeof NATS_INTEGRATION_SCOPES)[number];

/** The scope each public command needs, as its REST route does. */
export const PUBLIC_COMMAND_SCOPES: Record<PublicCommandName, NatsIntegrationScope> = {
  'tickets.create': 'tickets:write',
  'tickets.get': 'tickets:read',
  'comments.create': 'tickets:write',
  'users.find-by-email': 'users:read',
};

export const NATS_INTEGRATION_LIMITS = { name: 100 } as const;

/** An integration as listed: never its credentials (only the NATS user's public key, which is no secret). */
export interface NatsIntegrationView {
  id: string;
  name: string;
  /** The NATS user (an nkey public key, `U…`) its credentials are for. */
  natsUser: string;
  createdAt: string;
  /** The admin who made it; the integration acts as them. */
  createdBy: string | null;
  /** When it last sent a command; written at most once a minute. */
  lastUsedAt: string | null;
}

/** What an integration may use on the public NATS server. */
export interface NatsIntegrationAccess {
  /** The public server's address, as given to integrations (INTEGRATIONS_NATS_PUBLIC_URL, else INTEGRATIONS_NATS_URL). */
  serverUrl: string;
  /** Its requests' reply subjects must start with it (connect with this `inboxPrefix`). */
  inboxPrefix: string;
  /** The subject its organization's events arrive on (`helpdesk.v1.public.events.<orgId>.>`). */
  events: string;
  /** The JetStream stream holding them, to follow with a durable consumer. */
  stream: string;
  /** One subject per public command, by name. */
  commands: Record<PublicCommandName, string>;
}

/** POST /integrations/nats: the only time the credentials are shown. */
export interface CreatedNatsIntegrationView {
  integration: NatsIntegrationView;
  /** A NATS `.creds` file's text (the user JWT and its seed): save it as a file and connect with it. */
  credentials: string;
  access: NatsIntegrationAccess;
}

/** The ticket service's answer to a revocation: the NATS user to revoke on the public server too. */
export interface RevokedNatsIntegration {
  revoked: true;
  natsUser: string;
}

/**
 * Why an integration was revoked: by an admin (DELETE), or with its creator, who was deactivated,
 * is no longer an admin, or is gone (an integration must not outlive its creator's admin rights: its
 * NATS user reads every event of the organization, internal notes included).
 */
export const NATS_INTEGRATION_REVOKED_REASONS = ['revoked', 'creator_deactivated', 'creator_demoted', 'creator_deleted'] as const;
export type NatsIntegrationRevokedReason = (typeof NATS_INTEGRATION_REVOKED_REASONS)[number];

/** A revoked integration whose NATS user the public server may still accept: the gateway revokes it there. */
export interface PendingNatsUserRevocation {
  integrationId: string;
  organizationId: string;
  natsUser: string;
}

/** What the gateway learns from an active integration: who it acts as, and with which scopes. */
export interface VerifiedNatsIntegration {
  principal: Principal;
  integrationId: string;
  name: string;
  scopes: NatsIntegrationScope[];
}
