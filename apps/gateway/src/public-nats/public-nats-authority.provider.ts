import type { Provider } from '@nestjs/common';
import { accountOfCreds, PublicNatsAuthority } from '@helpdesk/common';
import { readFile } from 'node:fs/promises';
import { GatewayConfig } from '../gateway.config.js';
import { PublicNatsConnection } from './public-nats.connection.js';

/**
 * The authority that mints and revokes integrations' NATS users, or null when this gateway cannot:
 * the public interface is off, or the signing seeds and credentials it needs are not all set.
 */
export const publicNatsAuthorityProvider: Provider = {
  provide: PublicNatsAuthority,
  inject: [GatewayConfig, PublicNatsConnection],
  useFactory: async (config: GatewayConfig, connection: PublicNatsConnection): Promise<PublicNatsAuthority | null> => {
    const { INTEGRATIONS_NATS_CREDS_FILE: bridgeCreds, INTEGRATIONS_NATS_SYSTEM_CREDS_FILE: systemCreds, INTEGRATIONS_NATS_ACCOUNT_SIGNING_SEED: accountSigningSeed, INTEGRATIONS_NATS_OPERATOR_SIGNING_SEED: operatorSigningSeed } = config;
    if (!connection.enabled || !bridgeCreds || !systemCreds || !accountSigningSeed || !operatorSigningSeed) return null;
    return new PublicNatsAuthority({
      integrationsAccount: await accountOfCreds(await readFile(bridgeCreds, 'utf8')),
      accountSigningSeed,
      operatorSigningSeed,
      bridge: () => connection.bridge(),
      system: () => connection.system(),
    });
  },
};

/** What the REST routes say when the authority is null. */
export const INTEGRATIONS_UNAVAILABLE =
  'The public NATS interface is off on this platform: INTEGRATIONS_NATS_URL (and, to issue credentials, INTEGRATIONS_NATS_CREDS_FILE, INTEGRATIONS_NATS_SYSTEM_CREDS_FILE, INTEGRATIONS_NATS_ACCOUNT_SIGNING_SEED and INTEGRATIONS_NATS_OPERATOR_SIGNING_SEED) must be set';
