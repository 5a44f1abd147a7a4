import { decode, type Account } from '@nats-io/jwt';
import { DiscardPolicy, RetentionPolicy, StorageType, jetstreamManager, JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { publicEventsStream, publicSubjects } from '@helpdesk/contracts';
import { integrationPermissions } from './integration-permissions.js';
import { signAccount, userCreds } from './public-nats-keys.js';

const NANOS_PER_MS = 1_000_000;
/** How long the public server keeps an organization's events for its integrations' consumers. */
export const PUBLIC_EVENTS_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1_000;
const REQUEST_TIMEOUT_MS = 5_000;
/** Two replicas revoking at once may overwrite each other's account JWT: the revocation is checked and pushed again. */
const REVOCATION_ATTEMPTS = 5;

export interface PublicNatsAuthorityOptions {
  /** The INTEGRATIONS account's public key (the bridge creds' account: accountOfCreds). */
  integrationsAccount: string;
  /** A signing key of the INTEGRATIONS account: signs the integrations' user JWTs. */
  accountSigningSeed: string;
  /** A signing key of the operator: signs the INTEGRATIONS account's JWT again after a revocation. */
  operatorSigningSeed: string;
  /** The gateway's bridge user (INTEGRATIONS account): creates the organizations' streams. */
  bridge: () => Promise<NatsConnection>;
  /** A system account user: reads and pushes account JWTs. */
  system: () => Promise<NatsConnection>;
}

export interface IntegrationCredentials {
  /** The user's public key: what revocation names. */
  userPublicKey: string;
  /** The `.creds` file text (JWT and seed): shown once, never stored. */
  creds: string;
}

interface ClaimsUpdateReply {
  data?: { code: number; message?: string };
  error?: { code: number; description?: string };
}

/**
 * Issues and revokes integrations' NATS credentials on the public server (operator mode): each
 * integration is a user of the INTEGRATIONS account whose permissions reach only its organization's
 * events and its own command subjects. Revocation goes into the account's JWT, so the server refuses
 * (and disconnects) the user wherever it connects.
 */
export class PublicNatsAuthority {
  constructor(private readonly options: PublicNatsAuthorityOptions) {}

  async issueIntegrationCredentials(input: { organizationId: string; integrationId: string; name: string }): Promise<IntegrationCredentials> {
    const permissions = integrationPermissions(input.organizationId, input.integrationId);
    return userCreds(`${input.name} (${input.integrationId})`, this.options.integrationsAccount, this.options.accountSigningSeed, {
      ...permissions,
      // Not a bearer token: the client proves it holds the seed.
      bearer_token: false,
      tags: [`organization:${input.organizationId}`, `integration:${input.integrationId}`],
    });
  }

  /** From now on the user cannot connect; connected clients are disconnected. Idempotent. */
  async revokeIntegrationCredentials(userPublicKey: string): Promise<void> {
    for (let attempt = 1; attempt <= REVOCATION_ATTEMPTS; attempt++) {
      const claims = await this.accountClaims();
      if (claims.nats.revocations?.[userPublicKey] !== undefined) return;
      // A JWT issued in the same second as the current one loses to it where servers compare them (the
      // preloaded JWT at a restart, measured on 2.9.10): the new one is signed in a later second.
      await sleep(Math.max(0, (claims.iat + 1) * 1_000 - Date.now()));
      const nats: Partial<Account> = { ...claims.nats, revocations: { ...claims.nats.revocations, [userPublicKey]: Math.floor(Date.now() / 1_000) } };
      await this.pushAccount(await signAccount(claims.name, claims.sub, nats, this.options.operatorSigningSeed));
      if ((await this.accountClaims()).nats.revocations?.[userPublicKey] !== undefined) return;
    }
    throw new Error(`Revoking NATS user ${userPublicKey}: the account JWT kept changing under ${REVOCATION_ATTEMPTS} attempts`);
  }

  /** The organization's public events stream, made when its first integration is (idempotent). */
  async ensureOrganizationStream(organizationId: string): Promise<void> {
    const manager = await jetstreamManager(await this.options.bridge());
    const name = publicEventsStream(organizationId);
    try {
      await manager.streams.info(name);
      return;
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
    }
    await manager.streams.add({
      name,
      subjects: [publicSubjects.organizationEvents(organizationId)],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: PUBLIC_EVENTS_MAX_AGE_MS * NANOS_PER_MS,
      // The fan-out's Nats-Msg-Id dedupe window: a redelivered internal event is stored once.
      duplicate_window: 2 * 60 * 1_000 * NANOS_PER_MS,
    }).catch(async (error: unknown) => {
      // Another replica made it first.
      if (!(await manager.streams.info(name).catch(() => undefined))) throw error;
    });
  }

  private async accountClaims() {
    const system = await this.options.system();
    const reply = await system.request(`$SYS.REQ.ACCOUNT.${this.options.integrationsAccount}.CLAIMS.LOOKUP`, undefined, { timeout: REQUEST_TIMEOUT_MS });
    const jwt = reply.string().trim();
    if (!jwt.startsWith('ey')) throw new Error(`The public NATS server does not know the INTEGRATIONS account ${this.options.integrationsAccount}: ${jwt}`);
    return decode<Account>(jwt);
  }

  private async pushAccount(jwt: string): Promise<void> {
    const system = await this.options.system();
    const reply = (await system.request('$SYS.REQ.CLAIMS.UPDATE', jwt, { timeout: REQUEST_TIMEOUT_MS })).json<ClaimsUpdateReply>();
    if (reply.error) throw new Error(`The public NATS server refused the INTEGRATIONS account's JWT: ${reply.error.description ?? reply.error.code}`);
  }
}
