import { decode, encodeActivation, type Account, type Import } from '@nats-io/jwt';
import { fromSeed } from '@nats-io/nkeys';
import { DiscardPolicy, RetentionPolicy, StorageType, jetstreamManager, JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { publicEventsStream, publicSubjects, PUBLIC_SUBJECT_ROOT } from '@helpdesk/contracts';
import { integrationPermissions } from './integration-permissions.js';
import {
  bridgeReplyPrefix,
  INTEGRATIONS_EXPORTS,
  integrationsAccountClaims,
  ORGANIZATION_ACCOUNT_LIMITS,
  ORGANIZATION_JETSTREAM_LIMITS,
  organizationAccountKeyPair,
  signAccount,
  userCreds,
} from './public-nats-keys.js';

const NANOS_PER_MS = 1_000_000;
/** How long the public server keeps an organization's events for its integrations' consumers. */
export const PUBLIC_EVENTS_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1_000;
/**
 * An organization's stream drops its oldest events past this size, under its account's file storage
 * (ORGANIZATION_JETSTREAM_LIMITS): a full account would refuse new events instead.
 */
export const PUBLIC_EVENTS_MAX_BYTES = Math.floor(ORGANIZATION_JETSTREAM_LIMITS.disk_storage * 0.9);
const REQUEST_TIMEOUT_MS = 5_000;
/** Two replicas changing one account JWT at once may overwrite each other's change: it is checked and pushed again. */
const ACCOUNT_UPDATE_ATTEMPTS = 5;
/** The authority's own users of an organization account (making its stream) expire soon after: never handed out. */
const ADMIN_USER_TTL_S = 5 * 60;

export interface PublicNatsAuthorityOptions {
  /** The INTEGRATIONS account's public key (the bridge creds' account: accountOfCreds). */
  integrationsAccount: string;
  /**
   * A signing key of the INTEGRATIONS account, also listed in every organization account: signs the
   * integrations' user JWTs and the activation tokens that let an organization account import its subjects.
   */
  accountSigningSeed: string;
  /** A signing key of the operator: signs organization accounts, and accounts again after a revocation. */
  operatorSigningSeed: string;
  /** The secret organization accounts' keys derive from (organizationAccountKeyPair); the operator signing seed when not given. */
  organizationAccountsSecret?: string;
  /** The gateway's bridge user (INTEGRATIONS account). */
  bridge: () => Promise<NatsConnection>;
  /** A system account user: reads and pushes account JWTs. */
  system: () => Promise<NatsConnection>;
  /** A new connection to the public server as the given `.creds` (the authority's own short-lived users of organization accounts). */
  connectAs: (creds: string) => Promise<NatsConnection>;
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

type AccountClaims = ReturnType<typeof decode<Account>>;

/**
 * Issues and revokes integrations' NATS credentials on the public server (operator mode). Each
 * organization has its own NATS account (made on first use): it imports from INTEGRATIONS only its
 * organization's events (a stream) and commands (a service), under activation tokens naming that
 * organization's subjects, and holds the organization's events stream. Each integration is a user of
 * its organization's account, with permissions for its own command subjects and the stream. Accounts
 * keep organizations apart where permissions cannot: a delivery or reply subject an integration names
 * is a subject of its own account. Revocation goes into the organization account's JWT, so the server
 * refuses (and disconnects) the user wherever it connects.
 */
export class PublicNatsAuthority {
  /** Organization accounts known to be up to date on the server, made or checked once per replica. */
  private readonly organizationAccounts = new Map<string, Promise<string>>();
  private integrationsExported?: Promise<void>;

  constructor(private readonly options: PublicNatsAuthorityOptions) {}

  /** The organization's account public key (derived: the same on every replica, whether or not the account exists yet). */
  organizationAccount(organizationId: string): string {
    return organizationAccountKeyPair(this.options.organizationAccountsSecret ?? this.options.operatorSigningSeed, organizationId).getPublicKey();
  }

  async issueIntegrationCredentials(input: { organizationId: string; integrationId: string; name: string }): Promise<IntegrationCredentials> {
    const account = await this.ensureOrganizationAccount(input.organizationId);
    const permissions = integrationPermissions(input.organizationId, input.integrationId);
    return userCreds(`${input.name} (${input.integrationId})`, account, this.options.accountSigningSeed, {
      ...permissions,
      // Not a bearer token: the client proves it holds the seed.
      bearer_token: false,
      tags: [`organization:${input.organizationId}`, `integration:${input.integrationId}`],
    });
  }

  /**
   * From now on the user cannot connect; connected clients are disconnected. Idempotent. With the
   * organization the revocation goes into its account; without it (the one-argument form), into
   * every account on the server (INTEGRATIONS and each organization's), as the user's account is not known.
   */
  async revokeIntegrationCredentials(userPublicKey: string, organizationId?: string): Promise<void> {
    if (organizationId !== undefined) return this.revokeIn(this.organizationAccount(organizationId), userPublicKey);
    // Ours only: not the system account.
    const ours = (claims: AccountClaims) => claims.sub === this.options.integrationsAccount || (claims.nats.tags ?? []).some((tag) => tag.startsWith('organization:'));
    await Promise.all((await this.accountsOnServer()).map((account) => this.revokeIn(account, userPublicKey, ours, true)));
  }

  /** The organization's public events stream, in its account, made when its first integration is (idempotent). */
  async ensureOrganizationStream(organizationId: string): Promise<void> {
    await this.ensureOrganizationAccount(organizationId);
    await this.withOrganizationAccount(organizationId, async (connection) => {
      const manager = await jetstreamManager(connection);
      const name = publicEventsStream(organizationId);
      try {
        await manager.streams.info(name);
        return;
      } catch (error) {
        if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
      }
      await manager.streams.add({
        name,
        // The subjects the account imports from INTEGRATIONS, where the fan-out publishes them.
        subjects: [publicSubjects.organizationEvents(organizationId)],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
        max_age: PUBLIC_EVENTS_MAX_AGE_MS * NANOS_PER_MS,
        max_bytes: PUBLIC_EVENTS_MAX_BYTES,
        // The fan-out's Nats-Msg-Id dedupe window: a redelivered internal event is stored once.
        duplicate_window: 2 * 60 * 1_000 * NANOS_PER_MS,
      }).catch(async (error: unknown) => {
        // Another replica made it first.
        if (!(await manager.streams.info(name).catch(() => undefined))) throw error;
      });
    });
  }

  /**
   * Runs `use` on a connection of a short-lived user of the organization's account with every right
   * there (the account must exist: ensureOrganizationStream), then closes it.
   */
  async withOrganizationAccount<T>(organizationId: string, use: (connection: NatsConnection) => Promise<T>): Promise<T> {
    const { creds } = await userCreds(`gateway (organization ${organizationId})`, this.organizationAccount(organizationId), this.options.accountSigningSeed, {}, { expiresInSeconds: ADMIN_USER_TTL_S });
    const connection = await this.options.connectAs(creds);
    try {
      return await use(connection);
    } finally {
      await connection.close().catch(() => undefined);
    }
  }

  /** Makes (or brings up to date) the organization's account on the server, once per replica; resolves to its public key. */
  private ensureOrganizationAccount(organizationId: string): Promise<string> {
    let ensured = this.organizationAccounts.get(organizationId);
    if (!ensured) {
      ensured = this.makeOrganizationAccount(organizationId);
      this.organizationAccounts.set(organizationId, ensured);
      ensured.catch(() => this.organizationAccounts.delete(organizationId));
    }
    return ensured;
  }

  private async makeOrganizationAccount(organizationId: string): Promise<string> {
    await (this.integrationsExported ??= this.ensureIntegrationsExports().catch((error: unknown) => {
      this.integrationsExported = undefined;
      throw error;
    }));
    const account = this.organizationAccount(organizationId);
    const imports = await this.organizationImports(organizationId, account);
    const signingKey = fromSeed(new TextEncoder().encode(this.options.accountSigningSeed)).getPublicKey();
    await this.updateAccount(account, false, (current) => {
      const upToDate = current !== undefined
        && (current.nats.signing_keys ?? []).includes(signingKey)
        && imports.every((wanted) => current.nats.imports?.some((held) => held.subject === wanted.subject && held.type === wanted.type && held.account === wanted.account));
      if (upToDate) return undefined;
      return {
        name: `organization ${organizationId}`,
        // Revocations made so far stay, and so do older signing keys (a rotation removes them once done).
        claims: {
          limits: ORGANIZATION_ACCOUNT_LIMITS,
          signing_keys: [...new Set([...((current?.nats.signing_keys ?? []) as string[]), signingKey])],
          imports,
          revocations: current?.nats.revocations,
          tags: [`organization:${organizationId}`],
        },
      };
    });
    return account;
  }

  /** The organization's subjects in INTEGRATIONS, each under an activation token for this account and subject only. */
  private async organizationImports(organizationId: string, account: string): Promise<Import[]> {
    const wanted: Array<Pick<Import, 'name' | 'subject' | 'type'>> = [
      { name: 'public events', subject: publicSubjects.organizationEvents(organizationId), type: 'stream' },
      { name: 'public commands', subject: `${PUBLIC_SUBJECT_ROOT}.commands.${organizationId}.>`, type: 'service' },
      // Acknowledgements of the fan-out's publishes to this organization's stream, back to the bridge.
      { name: 'bridge replies', subject: `${bridgeReplyPrefix(organizationId)}.>`, type: 'service' },
    ];
    const signer = fromSeed(new TextEncoder().encode(this.options.accountSigningSeed));
    return Promise.all(wanted.map(async (entry) => ({
      ...entry,
      account: this.options.integrationsAccount,
      token: await encodeActivation(entry.name, account, this.options.integrationsAccount, entry.type, { subject: entry.subject }, { signer }),
    })));
  }

  /** Servers whose INTEGRATIONS account predates accounts per organization get its exports (idempotent). */
  private async ensureIntegrationsExports(): Promise<void> {
    const signingKey = fromSeed(new TextEncoder().encode(this.options.accountSigningSeed)).getPublicKey();
    await this.updateAccount(this.options.integrationsAccount, true, (current) => {
      if (!current) throw new Error(`The public NATS server does not know the INTEGRATIONS account ${this.options.integrationsAccount}`);
      const exported = Object.values(INTEGRATIONS_EXPORTS).every((subject) => current.nats.exports?.some((held) => held.subject === subject && held.token_req));
      if (exported) return undefined;
      const claims = integrationsAccountClaims(signingKey);
      return {
        name: current.name,
        claims: { ...current.nats, exports: claims.exports, signing_keys: [...new Set([...(current.nats.signing_keys ?? []), signingKey])] as string[] },
      };
    });
  }

  private async revokeIn(account: string, userPublicKey: string, applies: (claims: AccountClaims) => boolean = () => true, listed = false): Promise<void> {
    await this.updateAccount(account, listed, (current) => {
      if (!current || !applies(current) || current.nats.revocations?.[userPublicKey] !== undefined) return undefined;
      return { name: current.name, claims: { ...current.nats, revocations: { ...current.nats.revocations, [userPublicKey]: Math.floor(Date.now() / 1_000) } } };
    });
  }

  /**
   * Re-signs an account's JWT with what `change` makes of the current claims (undefined: nothing to do),
   * pushes it, and checks it holds; again when another replica's push came in between. `known`: the
   * server holds the account (no need to list its accounts first).
   */
  private async updateAccount(
    account: string,
    known: boolean,
    change: (current: AccountClaims | undefined) => { name: string; claims: Partial<Account> } | undefined,
  ): Promise<void> {
    for (let attempt = 1; attempt <= ACCOUNT_UPDATE_ATTEMPTS; attempt++) {
      const current = await this.accountClaims(account, known);
      const next = change(current);
      if (!next) return;
      // A JWT issued in the same second as the current one loses to it where servers compare them (the
      // preloaded JWT at a restart, measured on 2.9.10): the new one is signed in a later second.
      if (current) await sleep(Math.max(0, (current.iat + 1) * 1_000 - Date.now()));
      await this.pushAccount(account, await signAccount(next.name, account, next.claims, this.options.operatorSigningSeed));
      if (change(await this.accountClaims(account, true)) === undefined) return;
    }
    throw new Error(`Updating NATS account ${account}: its JWT kept changing under ${ACCOUNT_UPDATE_ATTEMPTS} attempts`);
  }

  /** Every account the server's resolver holds (the full resolver lists them; unknown accounts get no lookup answer). */
  private async accountsOnServer(): Promise<string[]> {
    const system = await this.options.system();
    const reply = (await system.request('$SYS.REQ.CLAIMS.LIST', undefined, { timeout: REQUEST_TIMEOUT_MS })).json<{ data?: string[] }>();
    if (!Array.isArray(reply.data)) throw new Error('The public NATS server did not list its accounts ($SYS.REQ.CLAIMS.LIST)');
    return reply.data;
  }

  /** The account's current claims, or undefined when the server does not hold it. */
  private async accountClaims(account: string, known: boolean): Promise<AccountClaims | undefined> {
    // A lookup of an account the server does not hold goes unanswered: the list says whether it is there.
    if (!known && !(await this.accountsOnServer()).includes(account)) return undefined;
    const system = await this.options.system();
    const reply = await system.request(`$SYS.REQ.ACCOUNT.${account}.CLAIMS.LOOKUP`, undefined, { timeout: REQUEST_TIMEOUT_MS });
    const jwt = reply.string().trim();
    if (!jwt.startsWith('ey')) throw new Error(`The public NATS server has no JWT for account ${account}: ${jwt}`);
    return decode<Account>(jwt);
  }

  private async pushAccount(account: string, jwt: string): Promise<void> {
    const system = await this.options.system();
    const reply = (await system.request('$SYS.REQ.CLAIMS.UPDATE', jwt, { timeout: REQUEST_TIMEOUT_MS })).json<ClaimsUpdateReply>();
    if (reply.error) throw new Error(`The public NATS server refused account ${account}'s JWT: ${reply.error.description ?? reply.error.code}`);
  }
}
