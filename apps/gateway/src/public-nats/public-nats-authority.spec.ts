import { integrationInboxPrefix, loadConfig, PublicNatsAuthority } from '@helpdesk/common';
import { publicEventsStream, type EventEnvelope, type TicketView } from '@helpdesk/contracts';
import { startPublicNatsServer, type TestPublicNatsServer } from '@helpdesk/testing';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayConfig } from '../gateway.config.js';
import { GatewayHarness, type SignedUpAdmin } from '../testing/gateway-harness.js';
import { PublicEvents } from './public-events.fan-out.js';

/** The gateway on a public NATS server: integrations' credentials, and the organization's events reaching them. */
describe('Public NATS interface in the gateway', () => {
  let publicServer: TestPublicNatsServer;
  let gateway: GatewayHarness;
  let secrets: string;
  let acme: SignedUpAdmin;
  let globex: SignedUpAdmin;
  const opened: NatsConnection[] = [];

  beforeAll(async () => {
    publicServer = await startPublicNatsServer();
    secrets = mkdtempSync(join(tmpdir(), 'helpdesk-public-nats-creds-'));
    writeFileSync(join(secrets, 'bridge.creds'), publicServer.bridgeCreds);
    writeFileSync(join(secrets, 'system.creds'), publicServer.systemCreds);
    gateway = await GatewayHarness.start('public-nats', {
      INTEGRATIONS_NATS_URL: publicServer.url,
      INTEGRATIONS_NATS_CREDS_FILE: join(secrets, 'bridge.creds'),
      INTEGRATIONS_NATS_SYSTEM_CREDS_FILE: join(secrets, 'system.creds'),
      INTEGRATIONS_NATS_ACCOUNT_SIGNING_SEED: publicServer.accountSigningSeed,
      INTEGRATIONS_NATS_OPERATOR_SIGNING_SEED: publicServer.operatorSigningSeed,
    });
    acme = await gateway.signup('Acme Public');
    globex = await gateway.signup('Globex Public');
    await gateway.service.app.get(PublicEvents).ready;
  });

  afterAll(async () => {
    for (const connection of opened) await connection.close().catch(() => undefined);
    await gateway?.stop();
    await publicServer?.destroy();
    if (secrets) rmSync(secrets, { recursive: true, force: true });
  });

  it("hands an integration the tickets opened through the API in its organization, and none of another's", async () => {
    const authority = gateway.service.app.get<PublicNatsAuthority>(PublicNatsAuthority);
    const integrationId = crypto.randomUUID();
    await authority.ensureOrganizationStream(acme.organization.id);
    await authority.ensureOrganizationStream(globex.organization.id);
    const { creds } = await authority.issueIntegrationCredentials({ organizationId: acme.organization.id, integrationId, name: 'CRM' });
    const crm = await connect({ servers: publicServer.url, authenticator: credsAuthenticator(new TextEncoder().encode(creds)), inboxPrefix: integrationInboxPrefix(integrationId) });
    opened.push(crm);
    const stream = publicEventsStream(acme.organization.id);
    await (await jetstreamManager(crm)).consumers.add(stream, { durable_name: 'crm', ack_policy: AckPolicy.Explicit });

    const post = async (caller: SignedUpAdmin, subject: string) => {
      const response = await gateway.call('/tickets', { token: caller.accessToken, body: { subject, description: 'Over NATS' } });
      expect(response.status).toBe(201);
      return (await response.json()) as TicketView;
    };
    await post(globex, 'Not for Acme');
    const ticket = await post(acme, 'For the CRM');

    const consumer = await jetstream(crm).consumers.get(stream, 'crm');
    const received: EventEnvelope[] = [];
    for (;;) {
      const message = await consumer.next({ expires: 10_000 });
      expect(message, 'the ticket.created event within 10 s').not.toBeNull();
      message!.ack();
      received.push(message!.json<EventEnvelope>());
      if (received.some((event) => event.type === 'ticket.created')) break;
    }
    expect(received.every((event) => event.orgId === acme.organization.id)).toBe(true);
    expect(received.find((event) => event.type === 'ticket.created')).toMatchObject({ aggregateId: ticket.id, orgId: acme.organization.id });
  });

  it('refuses to start with only some of the public NATS keys, or a malformed one, naming the variable', () => {
    const environment = gatewayEnvironment(gateway.config);
    expect(() => loadConfig(GatewayConfig, { ...environment, INTEGRATIONS_NATS_ACCOUNT_SIGNING_SEED: undefined })).toThrow(/INTEGRATIONS_NATS_ACCOUNT_SIGNING_SEED is required/);
    expect(() => loadConfig(GatewayConfig, { ...environment, INTEGRATIONS_NATS_OPERATOR_SIGNING_SEED: publicServer.accountSigningSeed })).toThrow(/INTEGRATIONS_NATS_OPERATOR_SIGNING_SEED must be an operator seed/);
    expect(() => loadConfig(GatewayConfig, { ...environment, INTEGRATIONS_NATS_SYSTEM_CREDS_FILE: undefined })).toThrow(/INTEGRATIONS_NATS_SYSTEM_CREDS_FILE is required/);
  });

  it('needs the keys with INTEGRATIONS_NATS_URL in production only', () => {
    const withoutKeys = { ...gatewayEnvironment(gateway.config), INTEGRATIONS_NATS_ACCOUNT_SIGNING_SEED: undefined, INTEGRATIONS_NATS_OPERATOR_SIGNING_SEED: undefined, INTEGRATIONS_NATS_SYSTEM_CREDS_FILE: undefined };
    expect(loadConfig(GatewayConfig, withoutKeys).INTEGRATIONS_NATS_URL).toBe(publicServer.url);
    expect(() => loadConfig(GatewayConfig, { ...withoutKeys, NODE_ENV: 'production' })).toThrow(/INTEGRATIONS_NATS_ACCOUNT_SIGNING_SEED is required/);
  });
});

/** The environment a gateway config was loaded from (its string, number and boolean values). */
function gatewayEnvironment(config: GatewayConfig): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(config).filter(([, value]) => ['string', 'number', 'boolean'].includes(typeof value)).map(([key, value]) => [key, String(value)]));
}
