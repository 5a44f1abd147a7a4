import { randomBytes } from 'node:crypto';
import type { ConsoleStack } from '@helpdesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminConsole } from './support/admin-console.js';
import { expectAccessible, saveScreenshot } from './support/console-page.js';

/**
 * Automations in Chromium against all five services: an admin builds an automation with the
 * condition builder on /admin/automations (a refused one first, with the server's words), previews
 * the tickets it would act on now, and activates it from the list; another sends tickets to one of
 * the organization's webhooks.
 */
describe('web console: automations', () => {
  let app: AdminConsole;
  let stack: ConsoleStack;
  let token: string;

  beforeAll(async () => {
    // Webhooks on: an automation's "Send webhook" action picks one of the organization's webhooks.
    app = await AdminConsole.start(
      'console-automations',
      'Automation Help',
      { name: 'Ari Admin', password: 'ari-admin-pass-2026' },
      { DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'), WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' },
    );
    ({ stack, token } = app);
  }, 180_000);

  afterAll(async () => {
    await app?.stop();
  });

  it('creates an automation with the condition builder, previews the tickets it would act on, and activates it', async () => {
    const created = await stack.api('POST', '/tickets', { token, body: { subject: 'Printer keeps jamming', description: '<p>Again</p>', requesterEmail: `cy-${randomBytes(3).toString('hex')}@customer.example.test` } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);

    const page = await app.signedInPage();
    await page.getByRole('link', { name: 'Automations', exact: true }).click();
    await page.getByRole('heading', { name: 'Automations' }).waitFor();
    await page.getByRole('button', { name: 'New automation' }).click();
    const dialog = page.getByRole('dialog', { name: 'New automation' });
    await dialog.getByLabel('Name', { exact: false }).first().fill('Fresh new tickets');
    // Saved inactive, so the scheduler does not act before the preview is read.
    await dialog.getByRole('switch', { name: 'Active' }).uncheck();

    // Condition 1 (time): created less than 24 hours ago. Condition 2: status is New.
    await dialog.getByLabel('Field of condition 1', { exact: true }).click();
    await page.getByRole('option', { name: 'Hours since created' }).click();
    await dialog.getByLabel('Operator of condition 1', { exact: true }).click();
    await page.getByRole('option', { name: 'less than' }).click();
    await dialog.getByLabel('Hours of condition 1', { exact: true }).fill('24');
    await dialog.getByLabel('Value of condition 2', { exact: true }).click();
    await page.getByRole('option', { name: 'New', exact: true }).click();
    await dialog.getByLabel('Tags of action 1', { exact: true }).fill('fresh');
    await dialog.getByLabel('Tags of action 1', { exact: true }).press('Enter');

    // Without its time condition the server refuses it, and says why.
    await dialog.getByRole('button', { name: 'Remove condition 1' }).click();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('alert').getByText(/at least one hoursSince condition/).waitFor();
    await dialog.getByRole('button', { name: 'Add a condition' }).click();
    await dialog.getByLabel('Field of condition 2', { exact: true }).click();
    await page.getByRole('option', { name: 'Hours since created' }).click();
    await dialog.getByLabel('Operator of condition 2', { exact: true }).click();
    await page.getByRole('option', { name: 'less than' }).click();
    await dialog.getByLabel('Hours of condition 2', { exact: true }).fill('24');
    await expectAccessible(page, 'the automation builder');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByRole('region', { name: 'Fresh new tickets' });
    await row.getByText('2 conditions · 1 action').waitFor();

    // The dry run lists the new ticket, and changes nothing.
    await row.getByRole('button', { name: 'Preview automation Fresh new tickets' }).click();
    const preview = page.getByRole('dialog', { name: 'Tickets Fresh new tickets would act on now' });
    await preview.getByRole('table', { name: 'Tickets the automation would act on' }).getByText('Printer keeps jamming').waitFor();
    await expectAccessible(page, 'the automation preview');
    await saveScreenshot(page, 'automation-preview');
    await preview.getByRole('button', { name: 'Close' }).click();
    const ticket = await stack.api('GET', `/tickets/${created.body.id}`, { token });
    expect(ticket.body.tags).not.toContain('fresh');

    // Activated from the list: the switch follows the saved state.
    const active = row.getByRole('switch', { name: 'Active: Fresh new tickets' });
    await active.click();
    await expect.poll(async () => (await stack.api('GET', '/automations', { token })).body.items[0]?.active).toBe(true);
    await expect.poll(() => active.isChecked()).toBe(true);
    expect((await stack.api('GET', '/automations', { token })).body.items[0]).toMatchObject({
      name: 'Fresh new tickets',
      all: [{ field: 'status', op: 'is', value: 'new' }, { field: 'hoursSince.created', op: 'lt', value: 24, businessHours: false }],
      actions: [{ type: 'addTags', value: ['fresh'] }],
    });
    await expectAccessible(page, 'the automations list');
    await saveScreenshot(page, 'admin-automations');
  }, 240_000);

  it('adds a "Send webhook" action that picks one of the organization\'s webhooks, saves it, and shows it when edited', async () => {
    // Never called: the automation is saved inactive, and only its stored action is checked here.
    const url = 'http://127.0.0.1:9/on-call';
    const webhook = await stack.api('POST', '/webhooks', { token, body: { url, events: ['ticket.created'], secret: 'on-call-secret-0123456789' } });
    expect(webhook.status, JSON.stringify(webhook.body)).toBe(201);

    const page = await app.signedInPage();
    await page.getByRole('link', { name: 'Automations', exact: true }).click();
    await page.getByRole('heading', { name: 'Automations' }).waitFor();
    await page.getByRole('button', { name: 'New automation' }).click();
    const dialog = page.getByRole('dialog', { name: 'New automation' });
    await dialog.getByLabel('Name', { exact: false }).first().fill('Page the on-call');
    await dialog.getByRole('switch', { name: 'Active' }).uncheck();
    // The starting conditions (pending for more than 72 hours, status Open) stand; action 1 becomes a webhook.
    await dialog.getByLabel('Action 1', { exact: true }).click();
    await page.getByRole('option', { name: 'Send webhook' }).click();
    await dialog.getByLabel('Webhook of action 1', { exact: true }).click();
    await page.getByRole('option', { name: url }).click();
    await expectAccessible(page, 'the automation builder with a webhook action');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });

    const row = page.getByRole('region', { name: 'Page the on-call' });
    await row.getByText('2 conditions · 1 action').waitFor();
    const saved = ((await stack.api('GET', '/automations', { token })).body.items as Array<{ name: string; actions: unknown[] }>).find((automation) => automation.name === 'Page the on-call');
    expect(saved?.actions).toEqual([{ type: 'webhook', webhookId: webhook.body.id }]);

    await row.getByRole('button', { name: 'Edit automation Page the on-call' }).click();
    const editor = page.getByRole('dialog', { name: 'Edit automation Page the on-call' });
    await expect.poll(() => editor.getByLabel('Webhook of action 1', { exact: true }).inputValue()).toBe(url);
  }, 240_000);
});
