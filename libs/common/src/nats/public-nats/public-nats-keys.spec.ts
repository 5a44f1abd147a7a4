import { randomUUID } from 'node:crypto';
import { startPublicNatsServer, type TestPublicNatsServer } from '@helpdesk/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewaySecret, publicNatsChartValues, renderPublicNatsValues } from '../../../../../scripts/nats-public-keys.js';
import { integrationInboxPrefix } from './integration-permissions.js';
import { PublicNatsAuthority } from './public-nats-authority.js';
import { accountOfCreds, generatePublicNatsKeys, publicNatsServerConfig, type PublicNatsKeys } from './public-nats-keys.js';

/** npm run nats:public-keys: what it writes for the NATS chart and prints for the gateway works together. */
describe('public NATS keys (npm run nats:public-keys)', () => {
  let keys: PublicNatsKeys;
  let server: TestPublicNatsServer;
  const opened: NatsConnection[] = [];

  beforeAll(async () => {
    keys = await generatePublicNatsKeys();
    server = await startPublicNatsServer({ keys });
  });

  afterAll(async () => {
    for (const connection of opened) await connection.close().catch(() => undefined);
    await server?.destroy();
  });

  it('gives the NATS chart the operator, system account and both account JWTs the test server runs with, and no seed', () => {
    const values = parse(renderPublicNatsValues(keys)) as ReturnType<typeof publicNatsChartValues> & { config: { merge: Record<string, unknown>; resolver: { merge: { type: string } } } };
    const { operator, system_account, resolver_preload } = publicNatsServerConfig(keys, '/unused');
    expect(values.config.merge).toMatchObject({ operator, system_account, resolver_preload });
    expect(values.config.resolver.merge.type).toBe('full');
    expect(renderPublicNatsValues(keys)).not.toMatch(/\bS[OAU][A-Z2-7]{56}\b/);
  });

  it("prints a gateway Secret whose creds and seeds connect, issue an integration's credentials and revoke them", async () => {
    const secret = gatewaySecret(keys).stringData as Record<string, string>;
    expect(Object.keys(secret).sort()).toEqual(['account-signing-seed', 'bridge.creds', 'operator-signing-seed', 'system.creds']);
    const connectWith = async (creds: string, inboxPrefix?: string) => {
      const connection = await server.connectAs(creds, { inboxPrefix });
      opened.push(connection);
      return connection;
    };
    const bridge = await connectWith(secret['bridge.creds']!);
    const system = await connectWith(secret['system.creds']!);
    const authority = new PublicNatsAuthority({
      integrationsAccount: await accountOfCreds(secret['bridge.creds']!),
      accountSigningSeed: secret['account-signing-seed']!,
      operatorSigningSeed: secret['operator-signing-seed']!,
      bridge: async () => bridge,
      system: async () => system,
      connectAs: (creds) => server.connectAs(creds),
    });
    const integrationId = randomUUID();
    const organizationId = randomUUID();
    await authority.ensureOrganizationStream(organizationId);
    const issued = await authority.issueIntegrationCredentials({ organizationId, integrationId, name: 'On-call bot' });
    expect((await connectWith(issued.creds, integrationInboxPrefix(integrationId))).isClosed()).toBe(false);
    await authority.revokeIntegrationCredentials(issued.userPublicKey);
    await expect(connectWith(issued.creds, integrationInboxPrefix(integrationId))).rejects.toThrow(/authorization/i);
  });
});
