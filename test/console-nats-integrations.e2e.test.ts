import { connect, credsAuthenticator } from '@nats-io/transport-node';
import type { PublicCommandReply, TicketView } from '@helpdesk/contracts';
import { startPublicNatsServer, type ConsoleStack, type TestPublicNatsServer } from '@helpdesk/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminConsole } from './support/admin-console.js';
import { expectAccessible, saveScreenshot } from './support/console-page.js';

/**
 * NATS integrations in Chromium against all five services and a real public NATS server (operator
 * mode): an admin creates an integration on /admin/integrations/nats, copies its credentials from the
 * once-only notice, a service connects with them and opens a ticket whose history names the
 * integration, and revoking it (after confirming) disconnects that service.
 */
describe('web console: NATS integrations', () => {
  let publicServer: TestPublicNatsServer;
  let credsDir: string;
  let app: AdminConsole;
  let stack: ConsoleStack;

  beforeAll(async () => {
    publicServer = await startPublicNatsServer();
    credsDir = mkdtempSync(join(tmpdir(), 'helpdesk-console-integrations-'));
    writeFileSync(join(credsDir, 'bridge.creds'), publicServer.bridgeCreds);
    writeFileSync(join(credsDir, 'system.creds'), publicServer.systemCreds);
    app = await AdminConsole.start('console-nats-integrations', 'Integration Help', { name: 'Ida Admin', password: 'ida-admin-pass-2026' }, {
      INTEGRATIONS_NATS_URL: publicServer.url,
      INTEGRATIONS_NATS_CREDS_FILE: join(credsDir, 'bridge.creds'),
      INTEGRATIONS_NATS_SYSTEM_CREDS_FILE: join(credsDir, 'system.creds'),
      INTEGRATIONS_NATS_ACCOUNT_SIGNING_SEED: publicServer.accountSigningSeed,
      INTEGRATIONS_NATS_OPERATOR_SIGNING_SEED: publicServer.operatorSigningSeed,
    });
    ({ stack } = app);
  }, 180_000);

  afterAll(async () => {
    await app?.stop();
    await publicServer?.destroy();
    if (credsDir) rmSync(credsDir, { recursive: true, force: true });
  });

  it('creates an integration whose credentials are shown once, which a service then uses, and revokes it after confirmation', async () => {
    const page = await app.signedInPage();
    await page.getByRole('link', { name: 'Integrations (NATS)', exact: true }).click();
    await page.getByRole('heading', { name: 'Integrations (NATS)' }).waitFor();
    await page.getByText('No NATS integrations yet.').waitFor();
    // The reference the other team needs: the AsyncAPI document the gateway serves.
    const reference = await page.getByRole('link', { name: 'the AsyncAPI document', exact: true }).getAttribute('href');
    const document = (await (await fetch(new URL(reference!, stack.url))).json()) as { asyncapi: string; channels: Record<string, unknown> };
    expect(document.asyncapi).toBe('3.0.0');
    expect(Object.keys(document.channels)).toContain('command.tickets.create');

    await page.getByRole('button', { name: 'New integration' }).click();
    const form = page.getByRole('dialog', { name: 'New integration' }).getByRole('form', { name: 'Create integration' });
    // No name: refused before anything is sent.
    await form.getByRole('button', { name: 'Create integration' }).click();
    await form.getByText('Required', { exact: true }).waitFor();
    await form.getByLabel(/^Name/).fill('Billing system');
    await form.getByRole('button', { name: 'Create integration' }).click();

    const notice = page.getByRole('dialog', { name: 'Integration Billing system created' });
    await notice.getByText('they are shown only this once', { exact: false }).waitFor();
    const creds = await notice.getByLabel('Credentials (.creds file)', { exact: true }).inputValue();
    expect(creds).toContain('BEGIN NATS USER JWT');
    expect((await notice.getByLabel('Server', { exact: true }).textContent())!.trim()).toBe(publicServer.url);
    const inboxPrefix = (await notice.getByLabel('Inbox prefix (connect with it)', { exact: true }).textContent())!.trim();
    const createSubject = (await notice.getByRole('row').filter({ hasText: 'tickets.create' }).getByText(/^helpdesk\.v1\.public\.commands\./).textContent())!.trim();
    await notice.getByRole('button', { name: 'Copy Credentials (.creds file)' }).click();
    await notice.getByRole('button', { name: 'Credentials (.creds file) copied' }).waitFor();
    await expectAccessible(page, 'the NATS integration notice');
    await saveScreenshot(page, 'nats-integration-created');
    await notice.getByRole('button', { name: 'Close' }).last().click();

    const row = page.getByRole('row').filter({ hasText: 'Billing system' });
    await row.getByText('Not yet').waitFor();

    // The service: connects with the credentials and opens a ticket by command.
    const service = await connect({ servers: publicServer.url, authenticator: credsAuthenticator(new TextEncoder().encode(creds)), inboxPrefix, reconnect: false });
    const reply = (await service.request(createSubject, JSON.stringify({ subject: 'Invoice 88 disputed', description: 'From billing' }), { timeout: 10_000 })).json<PublicCommandReply<'tickets.create'>>();
    expect(reply, JSON.stringify(reply)).toHaveProperty('result');
    const ticket = (reply as { result: TicketView }).result;

    await page.goto(`${stack.url}/tickets/${ticket.id}`);
    await page.getByRole('tab', { name: 'History' }).click();
    await page.getByText('(via integration Billing system)', { exact: false }).first().waitFor();

    await page.goto(`${stack.url}/admin/integrations/nats`);
    await page.getByRole('row').filter({ hasText: 'Billing system' }).getByText('Not yet').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Revoke Billing system' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke Billing system' });
    await confirm.getByText('Its connections are closed', { exact: false }).waitFor();
    const disconnected = service.closed();
    await confirm.getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.getByText('Billing system revoked').waitFor();
    await page.getByText('No NATS integrations yet.').waitFor();
    await disconnected;
    expect((await stack.api('GET', '/integrations/nats', { token: app.token })).body).toEqual({ items: [], nextCursor: null });
  }, 120_000);
});
