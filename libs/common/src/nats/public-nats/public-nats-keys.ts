import { encodeAccount, encodeOperator, encodeUser, fmtCreds, parseCreds, type Account, type Export, type OperatorLimits } from '@nats-io/jwt';
import { createAccount, createOperator, createUser, fromSeed, Prefix, type KeyPair } from '@nats-io/nkeys';
// Not re-exported by the package's entry point: the only way to make a key pair from given seed bytes.
import { Codec } from '@nats-io/nkeys/lib/codec.js';
import { createHmac } from 'node:crypto';
// The file, not the package: npm run nats:public-keys loads this without the contracts' decorators.
import { PUBLIC_SUBJECT_ROOT } from '../../../../contracts/src/public-nats.js';

/**
 * The platform's account on the public server: the gateway's bridge user publishes every organization's
 * events there and answers the public commands there. Integrations are never its users: each is a user
 * of its organization's own account, which imports only that organization's events and commands.
 */
export const INTEGRATIONS_ACCOUNT_NAME = 'INTEGRATIONS';
export const SYSTEM_ACCOUNT_NAME = 'SYS';
export const PUBLIC_OPERATOR_NAME = 'HELPDESK_PUBLIC';

/** No limit on anything (as nsc's defaults); an operator tightens them with nsc later if needed. */
const UNLIMITED: OperatorLimits = {
  subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1,
};
/**
 * An organization account's JetStream (its events stream and its integrations' consumers): file storage
 * only (no memory streams), 1 GiB, 5 streams, 50 consumers. docs/deployment.md lists them.
 */
export const ORGANIZATION_JETSTREAM_LIMITS = { mem_storage: 0, disk_storage: 1_073_741_824, streams: 5, consumer: 50 } as const satisfies OperatorLimits;

/**
 * The reply subjects of the bridge's publishes to the organizations' streams. Each organization's
 * account imports its own (`bridgeReplyPrefix`) as a service, so the acknowledgement of an event stored
 * in its stream comes back to the bridge in INTEGRATIONS, and nothing of another organization's does.
 */
export const BRIDGE_INBOX_PREFIX = '_INBOX_bridge';
export const bridgeReplyPrefix = (organizationId: string) => `${BRIDGE_INBOX_PREFIX}.${organizationId}`;

/** What the INTEGRATIONS account exports, each only to accounts holding an activation token it signed for a subject of theirs. */
export const INTEGRATIONS_EXPORTS = {
  events: `${PUBLIC_SUBJECT_ROOT}.events.*.>`,
  commands: `${PUBLIC_SUBJECT_ROOT}.commands.*.>`,
  bridgeReplies: `${BRIDGE_INBOX_PREFIX}.>`,
} as const;

export function integrationsExports(): Export[] {
  return [
    { name: 'public events', subject: INTEGRATIONS_EXPORTS.events, type: 'stream', token_req: true },
    { name: 'public commands', subject: INTEGRATIONS_EXPORTS.commands, type: 'service', token_req: true, response_type: 'Singleton' },
    { name: 'bridge replies', subject: INTEGRATIONS_EXPORTS.bridgeReplies, type: 'service', token_req: true },
  ];
}

/**
 * One organization's account key pair, derived (HMAC-SHA256 of the organization id under a platform
 * secret, as the nkey seed) rather than stored: every gateway replica finds the same account with no
 * storage and no lookup. Its private key is never used (the operator's signing key signs the account,
 * the gateway's signing key its users); the secret only keeps anyone else from computing it.
 */
export function organizationAccountKeyPair(secret: string, organizationId: string): KeyPair {
  const raw = createHmac('sha256', secret).update(`helpdesk public NATS organization account\0${organizationId}`).digest();
  return fromSeed(Codec.encodeSeed(Prefix.Account, new Uint8Array(raw)));
}

/** JetStream is on in an account only when its JWT grants storage. */
const JETSTREAM_UNLIMITED: OperatorLimits = {
  mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1, max_ack_pending: -1, mem_max_stream_bytes: -1, disk_max_stream_bytes: -1,
};

/**
 * Everything the public NATS server and the gateway need, made at once. Seeds are secrets: the
 * operator's identity seed should stay offline; the gateway holds the account and operator signing
 * seeds (issuing and revoking credentials) and the two users' creds.
 */
export interface PublicNatsKeys {
  operator: { publicKey: string; seed: string; signingSeed: string; jwt: string };
  systemAccount: { publicKey: string; seed: string; jwt: string };
  integrationsAccount: { publicKey: string; seed: string; signingSeed: string; jwt: string };
  /** The gateway's own user in the INTEGRATIONS account, with every right there (event fan-out, public commands). */
  bridgeCreds: string;
  /** A user of the system account: pushes account JWTs (organizations' accounts, revocations, INTEGRATIONS' exports). */
  systemCreds: string;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const seedOf = (pair: KeyPair) => text(pair.getSeed());

/** A user's `.creds` file text: its JWT and its seed, as NATS clients read them (credsAuthenticator). */
export async function userCreds(
  name: string,
  accountPublicKey: string,
  accountSigningSeed: string,
  permissions: Parameters<typeof encodeUser>[3] = {},
  options: { expiresInSeconds?: number } = {},
): Promise<{ userPublicKey: string; creds: string }> {
  const user = createUser();
  const exp = options.expiresInSeconds === undefined ? undefined : Math.floor(Date.now() / 1_000) + options.expiresInSeconds;
  const jwt = await encodeUser(name, user, accountPublicKey, permissions, { signer: fromSeed(new TextEncoder().encode(accountSigningSeed)), ...(exp === undefined ? {} : { exp }) });
  return { userPublicKey: user.getPublicKey(), creds: text(fmtCreds(jwt, user)) };
}

/** The account a `.creds` file's user belongs to (its JWT's issuer account, or its issuer when signed by the account's own key). */
export async function accountOfCreds(creds: string): Promise<string> {
  const { aid } = await parseCreds(new TextEncoder().encode(creds));
  return aid;
}

/** Signs an account's claims with the operator's signing key (as when it is first made, and again after each revocation). */
export function signAccount(name: string, accountPublicKey: string, claims: Partial<Account>, operatorSigningSeed: string): Promise<string> {
  return encodeAccount(name, accountPublicKey, claims, { signer: fromSeed(new TextEncoder().encode(operatorSigningSeed)) });
}

/** The INTEGRATIONS account's claims: every limit open, the gateway's signing key, the exports organization accounts import. */
export function integrationsAccountClaims(signingKey: string): Partial<Account> {
  return { limits: { ...UNLIMITED, ...JETSTREAM_UNLIMITED }, signing_keys: [signingKey], exports: integrationsExports() };
}

/** The NATS limits of an organization account (JetStream's are ORGANIZATION_JETSTREAM_LIMITS). */
export const ORGANIZATION_ACCOUNT_LIMITS: OperatorLimits = { ...UNLIMITED, ...ORGANIZATION_JETSTREAM_LIMITS, max_ack_pending: -1, mem_max_stream_bytes: 0, disk_max_stream_bytes: -1 };

export async function generatePublicNatsKeys(): Promise<PublicNatsKeys> {
  const operator = createOperator();
  const operatorSigning = createOperator();
  const system = createAccount();
  const integrations = createAccount();
  const integrationsSigning = createAccount();

  const operatorJwt = await encodeOperator(PUBLIC_OPERATOR_NAME, operator, { signing_keys: [operatorSigning.getPublicKey()], system_account: system.getPublicKey() });
  const systemJwt = await signAccount(SYSTEM_ACCOUNT_NAME, system.getPublicKey(), { limits: UNLIMITED }, seedOf(operatorSigning));
  const integrationsJwt = await signAccount(INTEGRATIONS_ACCOUNT_NAME, integrations.getPublicKey(), integrationsAccountClaims(integrationsSigning.getPublicKey()), seedOf(operatorSigning));

  const systemUser = createUser();
  const systemUserJwt = await encodeUser('gateway-system', systemUser, system);
  const bridge = await userCreds('gateway', integrations.getPublicKey(), seedOf(integrationsSigning));

  return {
    operator: { publicKey: operator.getPublicKey(), seed: seedOf(operator), signingSeed: seedOf(operatorSigning), jwt: operatorJwt },
    systemAccount: { publicKey: system.getPublicKey(), seed: seedOf(system), jwt: systemJwt },
    integrationsAccount: { publicKey: integrations.getPublicKey(), seed: seedOf(integrations), signingSeed: seedOf(integrationsSigning), jwt: integrationsJwt },
    bridgeCreds: bridge.creds,
    systemCreds: text(fmtCreds(systemUserJwt, systemUser)),
  };
}

/**
 * The operator-mode part of the public server's configuration (nats-server's own keys, JSON being
 * valid configuration): trusts the operator, keeps account JWTs in a full resolver (so revocations
 * pushed to `$SYS.REQ.CLAIMS.UPDATE` are stored), and starts with both accounts loaded.
 */
export function publicNatsServerConfig(keys: PublicNatsKeys, resolverDir: string): Record<string, unknown> {
  return {
    operator: keys.operator.jwt,
    system_account: keys.systemAccount.publicKey,
    resolver: { type: 'full', dir: resolverDir, allow_delete: false, interval: '2m' },
    resolver_preload: {
      [keys.systemAccount.publicKey]: keys.systemAccount.jwt,
      [keys.integrationsAccount.publicKey]: keys.integrationsAccount.jwt,
    },
  };
}
