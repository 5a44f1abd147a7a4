import { startPublicNatsServer, type TestPublicNatsServer } from '@helpdesk/testing';
import type { CreatedNatsIntegrationView } from '@helpdesk/contracts';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectIntegration, followEvents, openTicketAndSeeItsEvent } from '../examples/nats-consumer/nats-consumer.js';
import { ApiStack } from './support/api-stack.js';

/**
 * The NATS consumer example (examples/nats-consumer) against the real stack: the gateway and ticket
 * service as production processes, each on its own NATS user, and a public NATS server in operator
 * mode. An admin creates an integration over the API; the example opens a ticket by command and
 * sees its event on its durable consumer, which after a restart resumes with what it missed, and
 * never sees another organization's tickets.
 */
describe('examples/nats-consumer', () => {
  let publicServer: TestPublicNatsServer;
  let secrets: string;
  let stack: ApiStack;

  beforeAll(async () => {
    publicServer = await startPublicNatsServer();
    secrets = mkdtempSync(join(tmpdir(), 'helpdesk-nats-example-'));
    writeFileSync(join(secrets, 'bridge.creds'), publicServer.bridgeCreds);
    writeFileSync(join(secrets, 'system.creds'), publicServer.systemCreds);
    stack = await ApiStack.start('nats-example', {
      env: {
        INTEGRATIONS_NATS_URL: publicServer.url,
        INTEGRATIONS_NATS_CREDS_FILE: join(secrets, 'bridge.creds'),
        INTEGRATIONS_NATS_SYSTEM_CREDS_FILE: join(secrets, 'system.creds'),
        INTEGRATIONS_NATS_ACCOUNT_SIGNING_SEED: publicServer.accountSigningSeed,
        INTEGRATIONS_NATS_OPERATOR_SIGNING_SEED: publicServer.operatorSigningSeed,
      },
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await publicServer?.destroy();
    if (secrets) rmSync(secrets, { recursive: true, force: true });
  });

  const signup = async (organizationName: string) => {
    const response = await stack.request('POST', '/api/v1/auth/signup', { body: { organizationName, name: 'Ada Admin', email: `ada-${Math.random().toString(36).slice(2)}@example.com`, password: 'correct horse battery staple' } });
    expect(response.status, response.text).toBe(201);
    return response.body as { accessToken: string; organization: { id: string } };
  };

  it('opens a ticket by command, follows its organization\'s events durably across a restart, and sees no other organization\'s', async () => {
    const billing = await signup('Billing Desk');
    const other = await signup('Other Desk');
    const created = await stack.request<CreatedNatsIntegrationView>('POST', '/api/v1/integrations/nats', { token: billing.accessToken, body: { name: 'Billing system' } });
    expect(created.status, created.text).toBe(201);
    const { credentials, access } = created.body;
    const creds = new TextEncoder().encode(credentials);

    const log: string[] = [];
    let nc = await connectIntegration(creds, access);
    const { ticket, events } = await openTicketAndSeeItsEvent(nc, access, (line) => log.push(line));
    expect(log[0]).toBe(`opened ticket #${ticket.number}: Invoice 1042 was charged twice`);
    const createdEvent = events.find((event) => event.type === 'ticket.created' && event.aggregateId === ticket.id)!;
    expect(createdEvent).toMatchObject({ orgId: billing.organization.id, actor: { integration: { id: created.body.integration.id, name: 'Billing system' } } });
    await nc.close();

    // While the example is away: a ticket in its organization, and one in another.
    await stack.request('POST', '/api/v1/tickets', { token: other.accessToken, body: { subject: 'Not for billing', description: 'Elsewhere' } });
    const missed = await stack.request<{ id: string }>('POST', '/api/v1/tickets', { token: billing.accessToken, body: { subject: 'Opened while away', description: 'By an agent' } });
    expect(missed.status).toBe(201);

    nc = await connectIntegration(creds, access);
    const consumer = await followEvents(nc, access);
    const resumed = [];
    for (;;) {
      const message = await consumer.next({ expires: 30_000 });
      expect(message, 'the missed ticket.created within 30 s').not.toBeNull();
      message!.ack();
      const event = message!.json<{ type: string; aggregateId: string; orgId: string }>();
      resumed.push(event);
      if (event.type === 'ticket.created' && event.aggregateId === missed.body.id) break;
    }
    expect(resumed.every((event) => event.orgId === billing.organization.id)).toBe(true);
    expect(resumed.some((event) => event.aggregateId === ticket.id && event.type === 'ticket.created')).toBe(false);
    await nc.close();
  });

  it('runs as the program its header shows, with the saved credentials and access files', async () => {
    const crm = await signup('CRM Desk');
    const created = await stack.request<CreatedNatsIntegrationView>('POST', '/api/v1/integrations/nats', { token: crm.accessToken, body: { name: 'CRM' } });
    expect(created.status, created.text).toBe(201);
    writeFileSync(join(secrets, 'crm.creds'), created.body.credentials, { mode: 0o600 });
    writeFileSync(join(secrets, 'access.json'), JSON.stringify(created.body.access));

    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'examples/nats-consumer/nats-consumer.ts'], {
      env: { ...process.env, HELPDESK_NATS_CREDS: join(secrets, 'crm.creds'), HELPDESK_NATS_ACCESS: join(secrets, 'access.json') },
      timeout: 60_000,
    });
    const opened = /^opened ticket #(\d+): Invoice 1042 was charged twice$/m.exec(stdout);
    expect(opened, stdout).not.toBeNull();
    const tickets = await stack.request<{ items: Array<{ id: string; number: number }> }>('GET', '/api/v1/tickets', { token: crm.accessToken });
    const ticket = tickets.body.items.find((item) => item.number === Number(opened![1]))!;
    expect(stdout).toContain(`event ticket.created on ${ticket.id}`);
  });

  it('type-checks as a standalone program with only the NATS client libraries', async () => {
    await promisify(execFile)(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'examples/nats-consumer/tsconfig.json']);
  });
});
