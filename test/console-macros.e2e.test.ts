import { randomBytes } from 'node:crypto';
import type { ConsoleStack } from '@helpdesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminConsole } from './support/admin-console.js';
import { expectAccessible, horizontalOverflow, saveScreenshot } from './support/console-page.js';

/**
 * Macros and canned responses in Chromium against all five services: an admin builds a macro (set
 * status, public reply with placeholders) and a canned response on /admin/macros, then applies the
 * macro from a ticket's composer after reading its preview, and inserts the canned response into a reply.
 */
describe('web console: macros and canned responses', () => {
  let app: AdminConsole;
  let stack: ConsoleStack;
  let token: string;

  beforeAll(async () => {
    app = await AdminConsole.start('console-macros', 'Macro Help', { name: 'Pia Admin', password: 'pia-admin-pass-2026' });
    ({ stack, token } = app);
  }, 180_000);

  afterAll(async () => {
    await app?.stop();
  });

  it('builds a macro and a canned response, applies the macro after its preview, and inserts the canned response into a reply', async () => {
    const page = await app.signedInPage();

    const plan = await stack.api('POST', '/ticket-fields', { token, body: { key: 'plan', label: 'Plan', type: 'dropdown', options: ['Free', 'Gold'] } });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);

    // The macro, with the action builder: status pending, a public reply with placeholders, and a custom field.
    await page.getByRole('link', { name: 'Macros', exact: true }).click();
    await page.getByRole('heading', { name: 'Macros and canned responses' }).waitFor();
    await page.getByRole('button', { name: 'New macro' }).click();
    const macroDialog = page.getByRole('dialog', { name: 'New macro' });
    await macroDialog.getByLabel('Name', { exact: false }).first().fill('Waiting on customer');
    await macroDialog.getByLabel('Value of action 1', { exact: true }).click();
    await page.getByRole('option', { name: 'Pending' }).click();
    await macroDialog.getByRole('button', { name: 'Add an action' }).click();
    await macroDialog.getByLabel('Action 2', { exact: true }).click();
    await page.getByRole('option', { name: 'Add a public reply' }).click();
    await macroDialog.getByLabel('Text of action 2', { exact: true }).fill('Hello {{requester.name}}, ticket #{{ticket.number}} waits for your answer. {{agent.name}}');
    await macroDialog.getByRole('button', { name: 'Add an action' }).click();
    await macroDialog.getByLabel('Action 3', { exact: true }).click();
    await page.getByRole('option', { name: 'Set a custom field' }).click();
    await macroDialog.getByLabel('Custom field of action 3', { exact: true }).click();
    await page.getByRole('option', { name: 'Plan' }).click();
    await macroDialog.getByLabel('Value of action 3', { exact: true }).click();
    await page.getByRole('option', { name: 'Gold' }).click();
    await expectAccessible(page, 'the macro builder');
    await macroDialog.getByRole('button', { name: 'Save' }).click();
    await macroDialog.waitFor({ state: 'detached' });
    await page.getByRole('region', { name: 'Waiting on customer' }).getByText('Every agent · 3 actions').waitFor();
    const stored = (await stack.api('GET', '/macros', { token })).body.items[0] as { actions: unknown[] };
    expect(stored.actions[2]).toEqual({ type: 'set', field: 'fields.plan', value: 'Gold' });
    // Reopened, the editor shows the field action as saved.
    await page.getByRole('button', { name: 'Edit macro Waiting on customer' }).click();
    const editDialog = page.getByRole('dialog', { name: 'Edit macro Waiting on customer' });
    await expect.poll(async () => editDialog.getByLabel('Custom field of action 3', { exact: true }).inputValue()).toBe('Plan');
    expect(await editDialog.getByLabel('Value of action 3', { exact: true }).inputValue()).toBe('Gold');
    await editDialog.getByRole('button', { name: 'Close' }).click();
    await editDialog.waitFor({ state: 'detached' });

    // An unknown placeholder is refused with the server's words.
    await page.getByRole('tab', { name: 'Canned responses' }).click();
    await page.getByRole('button', { name: 'New canned response' }).click();
    const cannedDialog = page.getByRole('dialog', { name: 'New canned response' });
    await cannedDialog.getByLabel('Name', { exact: false }).first().fill('Refund note');
    await cannedDialog.getByLabel('Text (HTML allowed)', { exact: false }).fill('Dear {{requester.nickname}}');
    await cannedDialog.getByRole('button', { name: 'Save' }).click();
    await cannedDialog.getByRole('alert').getByText(/unknown placeholder \{\{requester\.nickname\}\}/).waitFor();
    await cannedDialog.getByLabel('Text (HTML allowed)', { exact: false }).fill('Dear {{requester.name}}, your refund is on its way.');
    await cannedDialog.getByRole('button', { name: 'Save' }).click();
    await cannedDialog.waitFor({ state: 'detached' });
    await page.getByRole('region', { name: 'Refund note' }).waitFor();
    await expectAccessible(page, 'the canned responses list');
    await saveScreenshot(page, 'admin-macros');

    const created = await stack.api('POST', '/tickets', { token, body: { subject: 'Invoice is missing', description: '<p>Where is it?</p>', requesterEmail: `rita-${randomBytes(3).toString('hex')}@customer.example.test`, requesterName: 'Rita Requester' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const ticket = created.body as { id: string; number: number };

    // Apply the macro: the preview names the change and shows the reply, and nothing is saved before confirming.
    await page.goto(`${stack.url}/tickets/${ticket.id}`);
    await page.getByRole('heading', { name: 'Invoice is missing' }).waitFor();
    await page.getByRole('button', { name: 'Apply macro' }).click();
    const applyDialog = page.getByRole('dialog', { name: 'Apply macro' });
    await applyDialog.getByLabel('Macro to apply', { exact: true }).click();
    await page.getByRole('option', { name: 'Waiting on customer' }).click();
    const preview = applyDialog.getByRole('region', { name: 'Preview of the macro' });
    await preview.getByText('Status: New → Pending').waitFor();
    await preview.getByText('Plan: None → Gold').waitFor();
    await preview.getByText(`Hello Rita Requester, ticket #${ticket.number} waits for your answer. ${app.admin.name}`).waitFor();
    await expectAccessible(page, 'the macro preview');
    await saveScreenshot(page, 'macro-preview');
    expect((await stack.api('GET', `/tickets/${ticket.id}/comments`, { token })).body.items).toEqual([]);
    await applyDialog.getByRole('button', { name: 'Apply', exact: true }).click();
    await applyDialog.waitFor({ state: 'detached' });
    await page.getByRole('article', { name: `Public reply by ${app.admin.name}` }).getByText(`Hello Rita Requester, ticket #${ticket.number} waits`).waitFor();
    await expect.poll(async () => (await stack.api('GET', `/tickets/${ticket.id}`, { token })).body.status, { timeout: 15_000 }).toBe('pending');
    expect((await stack.api('GET', `/tickets/${ticket.id}`, { token })).body.fields).toEqual({ plan: 'Gold' });
    const history = await stack.api('GET', `/tickets/${ticket.id}/events`, { token });
    expect(history.body.items.map((entry: { action: string }) => entry.action)).toEqual(['created', 'macro.applied']);

    // Insert the canned response into the reply and send it.
    await page.getByRole('button', { name: 'Insert canned response' }).click();
    const cannedPicker = page.getByRole('dialog', { name: 'Insert canned response' });
    await cannedPicker.getByLabel('Search canned responses').fill('refund');
    await cannedPicker.getByRole('button', { name: 'Insert Refund note' }).click();
    await cannedPicker.waitFor({ state: 'detached' });
    const composer = page.getByRole('textbox', { name: 'Message' });
    await expect.poll(async () => composer.textContent()).toContain('Dear Rita Requester, your refund is on its way.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await expect.poll(async () => (await stack.api('GET', `/tickets/${ticket.id}/comments`, { token })).body.items.length, { timeout: 15_000 }).toBe(2);
    const comments = (await stack.api('GET', `/tickets/${ticket.id}/comments`, { token })).body.items as Array<{ body: string }>;
    expect(comments[1]!.body).toContain('Dear Rita Requester, your refund is on its way.');
    await expectAccessible(page, 'the ticket page after a macro and a canned response');

    // Deleting asks first.
    await page.goto(`${stack.url}/admin/macros`);
    await page.getByRole('tab', { name: 'Canned responses' }).click();
    await page.getByRole('button', { name: 'Delete canned response Refund note' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete canned response Refund note' });
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('region', { name: 'Refund note' }).waitFor({ state: 'detached' });
    expect((await stack.api('GET', '/canned-responses', { token })).body.items).toEqual([]);

    // At 375 px the composer's extra buttons wrap instead of widening the page.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${stack.url}/tickets/${ticket.id}`);
    await page.getByRole('button', { name: 'Apply macro' }).waitFor();
    const overflow = await horizontalOverflow(page);
    expect(overflow.scrollWidth, overflow.widest.join(', ')).toBeLessThanOrEqual(overflow.viewport);
  }, 240_000);
});
