import type { FactoryProvider } from '@nestjs/common';
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import { accountOfCreds, PublicNatsAuthority } from '@helpdesk/common';
import { readFile } from 'node:fs/promises';
import { GatewayConfig } from '../gateway.config.js';
import { PublicNatsBridgeConnection } from './public-nats-bridge.connection.js';
import { PublicNatsSystemConnection } from './public-nats-system.connection.js';

/**
 * Injected as `PublicNatsAuthority | null`: null when INTEGRATIONS_NATS_URL is unset (the public NATS
 * interface is off), or outside production when the keys are not given (no credentials can be issued).
 * The INTEGRATIONS account is the bridge user's, read from its creds file; organization accounts'
 * keys derive from the operator signing seed (organizationAccountKeyPair).
 */
export const publicNatsAuthorityProvider: FactoryProvider<PublicNatsAuthority | null> = {
  provide: PublicNatsAuthority,
  inject: [GatewayConfig, PublicNatsBridgeConnection, PublicNatsSystemConnection],
  useFactory: async (config: GatewayConfig, bridge: PublicNatsBridgeConnection, system: PublicNatsSystemConnection) => {
    // GatewayConfig checks that the keys come together (and are there in production).
    if (!config.INTEGRATIONS_NATS_URL || !config.INTEGRATIONS_NATS_ACCOUNT_SIGNING_SEED) return null;
    if (!config.INTEGRATIONS_NATS_CREDS_FILE) throw new Error('INTEGRATIONS_NATS_CREDS_FILE is required with the INTEGRATIONS_NATS_* keys: the bridge user names the INTEGRATIONS account');
    return new PublicNatsAuthority({
      integrationsAccount: await accountOfCreds(await readFile(config.INTEGRATIONS_NATS_CREDS_FILE, 'utf8')),
      accountSigningSeed: config.INTEGRATIONS_NATS_ACCOUNT_SIGNING_SEED!,
      operatorSigningSeed: config.INTEGRATIONS_NATS_OPERATOR_SIGNING_SEED!,
      bridge: () => bridge.nats(),
      system: () => system.nats(),
      // The authority's short-lived users of an organization account (its stream): one connection each, closed after use.
      connectAs: (creds) => connect({ servers: config.INTEGRATIONS_NATS_URL!.split(','), authenticator: credsAuthenticator(new TextEncoder().encode(creds)), name: 'gateway-public-organization', reconnect: false, noAsyncTraces: true }),
    });
  },
};
