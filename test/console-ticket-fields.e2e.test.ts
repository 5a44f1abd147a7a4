import { randomBytes } from 'node:crypto';
import { ConsoleStack, launchChromium } from '@helpdesk/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, openPage, saveScreenshot, logIn as logInAt } from './support/console-page.js';

/**
 * Custom ticket fields in Chromium against all five services: an admin creates a dropdown field on
 * the admin screen; an agent is refused solving a ticket without it (required to solve), sets it on
 * the ticket page, solves, and still sees it after a reload; the queue filters by it.
 */
describe('web console: custom ticket fields', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  const admin = { name: 'Fay Admin', email: `fay-${randomBytes(3).toString('hex')}@fields.example.test`, password: 'fay-admin-pass-2026' };
  const agent = { name: 'Abe Agent', email: `abe-${randomBytes(3).toString('hex')}@fields.example.test`, password: 'abe-agent-pass-2026' };
  let token: string;

  beforeAll(async () => {
    stack = await ConsoleStack.start('console-fields');
    const signup = await stack.api('POST', '/auth/signup', { body: { organizationName: 'Fields Help', ...admin } });
    expect(signup.status, JSON.stringify(signup.body)).toBe(201);
    token = signup.body.accessToken;
    // Staff can be added only once the organization's address is verified.
    const verification = new URL(stack.linkIn(await stack.mailTo(admin.email, /Verify the email address/)));
    expect((await stack.api('POST', '/auth/verify-email', { body: { token: verification.searchParams.get('token') } })).status).toBe(204);
    const invited = await stack.api('POST', '/users', { token, body: { ...agent, role: 'agent' } });
    expect(invited.status, JSON.stringify(invited.body)).toBe(201);
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const logIn = (page: Page, person: { email: string; password: string }) => logInAt(page, stack.url, person);

  it('lets an admin create a dropdown field and an agent set it on a ticket, refused solving without it, kept after a reload', async () => {
    const adminPage = await openPage(browser);
    await logIn(adminPage, admin);
    await adminPage.goto(`${stack.url}/admin/ticket-fields`);
    const newField = adminPage.getByRole('form', { name: 'New field' });
    // A malformed key is refused next to its input before anything is sent.
    await newField.getByLabel(/^Label/).fill('Product area');
    await newField.getByLabel(/^Key/).fill('Product Area');
    await newField.getByRole('button', { name: 'Create field' }).click();
    await newField.getByText('Lowercase letters, digits and underscores, starting with a letter (e.g. product_area)').nth(1).waitFor();
    await newField.getByLabel(/^Key/).fill('product_area');
    await newField.getByLabel('Type', { exact: true }).click();
    await adminPage.getByRole('option', { name: 'Dropdown' }).click();
    const options = newField.getByLabel(/^Options/);
    for (const option of ['Billing', 'Shipping', 'Returns']) {
      await options.fill(option);
      await options.press('Enter');
    }
    await newField.getByLabel('Required to solve').check();
    await newField.getByRole('button', { name: 'Create field' }).click();
    await adminPage.getByText('Field Product area created').waitFor();
    const row = adminPage.getByRole('row').filter({ hasText: 'product_area' });
    await row.getByText('Billing, Shipping, Returns').waitFor();
    await expectAccessible(adminPage, 'the ticket fields admin screen');
    await saveScreenshot(adminPage, 'ticket-fields-admin');
    const [field] = (await stack.api('GET', '/ticket-fields', { token })).body.items;
    expect(field).toMatchObject({ key: 'product_area', type: 'dropdown', options: ['Billing', 'Shipping', 'Returns'], requiredToSolve: true });

    const created = await stack.api('POST', '/tickets', { token, body: { subject: `Refund ${randomBytes(3).toString('hex')} missing`, description: '<p>Where is my money?</p>' } });
    expect(created.status).toBe(201);
    const ticketId = created.body.id as string;

    const agentPage = await openPage(browser);
    await logIn(agentPage, agent);
    await agentPage.goto(`${stack.url}/tickets/${ticketId}`);
    const properties = agentPage.getByRole('form', { name: 'Properties' });
    const productArea = properties.getByLabel(/^Product area/);
    await productArea.waitFor();

    // Solving without the required field is refused, naming it.
    await properties.getByLabel('Status', { exact: true }).click();
    await agentPage.getByRole('option', { name: 'Solved' }).click();
    await properties.getByRole('button', { name: 'Save properties' }).click();
    await properties.getByRole('alert').filter({ hasText: 'A solved ticket needs a value for: Product area (fields.product_area)' }).waitFor();

    await productArea.click();
    await agentPage.getByRole('option', { name: 'Shipping' }).click();
    await properties.getByRole('button', { name: 'Save properties' }).click();
    await agentPage.getByText('Saved').first().waitFor();
    await expectAccessible(agentPage, 'the ticket page with custom fields');
    await saveScreenshot(agentPage, 'ticket-fields-ticket');

    await agentPage.reload();
    await expect.poll(() => properties.getByLabel(/^Product area/).inputValue(), { timeout: 15_000 }).toBe('Shipping');
    expect(await properties.getByLabel('Status', { exact: true }).inputValue()).toBe('Solved');
    const stored = await stack.api('GET', `/tickets/${ticketId}`, { token });
    expect(stored.body).toMatchObject({ status: 'solved', fields: { product_area: 'Shipping' } });

    // The queue filters by the dropdown field, in the URL like every other filter.
    const other = await stack.api('POST', '/tickets', { token, body: { subject: 'Parcel never arrived', description: '<p>Still waiting.</p>', fields: { product_area: 'Billing' } } });
    expect(other.status).toBe(201);
    await agentPage.goto(`${stack.url}/tickets`);
    await agentPage.getByLabel('Product area', { exact: true }).click();
    await agentPage.getByRole('option', { name: 'Shipping' }).click();
    await agentPage.waitForURL(/field\.product_area=Shipping/);
    await agentPage.getByRole('link', { name: new RegExp(created.body.subject) }).waitFor();
    await agentPage.getByRole('link', { name: /Parcel never arrived/ }).waitFor({ state: 'detached' });
  }, 180_000);
});
