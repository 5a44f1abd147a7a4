import type { ConsoleStack } from '@helpdesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminConsole } from './support/admin-console.js';
import { expectAccessible, saveScreenshot } from './support/console-page.js';

/**
 * API tokens in Chromium against all five services: an admin creates a token on /admin/api-tokens,
 * copies it from the once-only notice, a script calls the API with it (and is refused outside its
 * scope), the ticket's history names the token, and revoking it (after confirming) refuses the script.
 */
describe('web console: API tokens', () => {
  let app: AdminConsole;
  let stack: ConsoleStack;
  let token: string;

  beforeAll(async () => {
    app = await AdminConsole.start('console-api-tokens', 'Token Help', { name: 'Tom Admin', password: 'tom-admin-pass-2026' });
    ({ stack, token } = app);
  }, 180_000);

  afterAll(async () => {
    await app?.stop();
  });

  it('creates a scoped token shown once, which a script then uses, and revokes it after confirmation', async () => {
    const page = await app.signedInPage();
    await page.getByRole('link', { name: 'API tokens', exact: true }).click();
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    await page.getByText('No API tokens yet.').waitFor();

    await page.getByRole('button', { name: 'New token' }).click();
    const form = page.getByRole('dialog', { name: 'New token' }).getByRole('form', { name: 'Create token' });
    // No scope chosen: refused before anything is sent.
    await form.getByLabel(/^Name/).fill('Nightly CRM sync');
    await form.getByRole('button', { name: 'Create token' }).click();
    await form.getByText('Choose at least one scope').waitFor();
    await form.getByRole('checkbox', { name: /^tickets:read/ }).check();
    await form.getByRole('checkbox', { name: /^tickets:write/ }).check();
    await form.getByLabel(/^Expires on/).fill('2099-12-31');
    await form.getByRole('button', { name: 'Create token' }).click();

    const notice = page.getByRole('dialog', { name: 'Token Nightly CRM sync created' });
    await notice.getByText('Copy the token now: it is shown only this once.', { exact: false }).waitFor();
    const secret = (await notice.getByLabel('Token', { exact: true }).textContent())!.trim();
    expect(secret).toMatch(/^hdp_[A-Za-z0-9_-]{43}$/);
    await notice.getByRole('button', { name: 'Copy' }).click();
    await notice.getByRole('button', { name: 'Copied' }).waitFor();
    await expectAccessible(page, 'the API token notice');
    await saveScreenshot(page, 'api-token-created');
    await notice.getByRole('button', { name: 'Close' }).last().click();

    const row = page.getByRole('row').filter({ hasText: 'Nightly CRM sync' });
    await row.getByText(secret.slice(0, 10)).waitFor();
    await row.getByText('Not yet').waitFor();
    expect(await page.getByText(secret).count()).toBe(0);

    // The script: a ticket with the token, then a refusal outside its scopes.
    const created = await stack.api('POST', '/tickets', { token: secret, body: { subject: 'From the CRM', description: 'Opened by the nightly sync' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const refused = await stack.api('GET', '/users', { token: secret });
    expect(refused).toMatchObject({ status: 403, body: { message: 'This API token lacks the scope users:read, which this route needs' } });

    await page.goto(`${stack.url}/tickets/${created.body.id}`);
    await page.getByRole('tab', { name: 'History' }).click();
    await page.getByText('(via API token Nightly CRM sync)', { exact: false }).first().waitFor();

    await page.goto(`${stack.url}/admin/api-tokens`);
    await page.getByRole('button', { name: 'Revoke Nightly CRM sync' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke Nightly CRM sync' });
    await confirm.getByText('Scripts using it are refused from their next request.', { exact: false }).waitFor();
    await confirm.getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.getByText('Nightly CRM sync revoked').waitFor();
    await page.getByText('No API tokens yet.').waitFor();
    expect((await stack.api('GET', '/tickets', { token: secret })).status).toBe(401);
    expect((await stack.api('GET', '/api-tokens', { token })).body).toEqual({ items: [], nextCursor: null });
  }, 120_000);
});
