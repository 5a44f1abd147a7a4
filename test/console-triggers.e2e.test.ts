import { randomBytes } from 'node:crypto';
import type { ConsoleStack } from '@helpdesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminConsole } from './support/admin-console.js';
import { expectAccessible, saveScreenshot } from './support/console-page.js';

/**
 * Triggers in Chromium against all five services: an admin writes a trigger on /admin/triggers with
 * the condition and action builders, reorders and switches triggers, and sees the trigger act on
 * the next ticket that matches (and not on one that does not), custom fields included.
 */
describe('web console: triggers', () => {
  let app: AdminConsole;
  let stack: ConsoleStack;
  let token: string;

  beforeAll(async () => {
    app = await AdminConsole.start('console-triggers', 'Trigger Help', { name: 'Tara Admin', password: 'tara-admin-pass-2026' });
    ({ stack, token } = app);
  }, 180_000);

  afterAll(async () => {
    await app?.stop();
  });

  it('writes a trigger with conditions and actions, reorders and switches it, and sees it act on a matching ticket', async () => {
    const page = await app.signedInPage();

    await page.getByRole('link', { name: 'Triggers', exact: true }).click();
    await page.getByRole('heading', { name: 'Triggers' }).waitFor();
    await page.getByRole('button', { name: 'New trigger' }).click();
    const dialog = page.getByRole('dialog', { name: 'New trigger' });
    await dialog.getByLabel('Name', { exact: false }).first().fill('Route refunds');
    // When a ticket is created (the default event) and its subject contains "refund"...
    await dialog.getByRole('button', { name: 'Add a condition', exact: true }).click();
    await dialog.getByLabel('Field of condition 1', { exact: true }).click();
    await page.getByRole('option', { name: 'Subject', exact: true }).click();
    await dialog.getByLabel('Operator of condition 1', { exact: true }).click();
    await page.getByRole('option', { name: 'contains', exact: true }).click();
    await dialog.getByLabel('Value of condition 1', { exact: true }).fill('refund');
    // ...tag it billing, raise its priority and leave a note.
    await dialog.getByLabel('Tags of action 1', { exact: true }).fill('billing');
    await dialog.getByLabel('Tags of action 1', { exact: true }).press('Enter');
    await dialog.getByRole('button', { name: 'Add an action' }).click();
    await dialog.getByLabel('Action 2', { exact: true }).click();
    await page.getByRole('option', { name: 'Set priority' }).click();
    await dialog.getByLabel('Value of action 2', { exact: true }).click();
    await page.getByRole('option', { name: 'High' }).click();
    await dialog.getByRole('button', { name: 'Add an action' }).click();
    await dialog.getByLabel('Action 3', { exact: true }).click();
    await page.getByRole('option', { name: 'Add an internal note' }).click();
    await dialog.getByLabel('Text of action 3', { exact: true }).fill('Routed to billing for {{requester.name}}');
    await expectAccessible(page, 'the trigger builder');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('region', { name: 'Route refunds' }).getByText('A ticket is created · 1 condition · 3 actions').waitFor();

    // A second trigger (written through the API) comes after it; moving it up puts it first.
    const second = await stack.api('POST', '/triggers', { token, body: { name: 'Tag urgent words', event: 'ticket.created', all: [{ field: 'subject', op: 'contains', value: 'urgent' }], actions: [
          { type: 'addTags', value: ['urgent-word'] },
          { type: 'set', field: 'assigneeId', value: app.adminId },
          { type: 'notify', to: 'assignee', subject: 'Urgent ticket {{ticket.number}}', body: '<p>{{ticket.subject}} needs {{agent.name}}</p>' },
        ] } });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    await page.reload();
    await page.getByRole('button', { name: 'Move Tag urgent words up' }).click();
    await expect.poll(async () => (await stack.api('GET', '/triggers', { token })).body.items.map((trigger: { name: string }) => trigger.name), { timeout: 10_000 }).toEqual(['Tag urgent words', 'Route refunds']);
    await expect.poll(async () => page.getByRole('region').allTextContents().then((texts) => texts.findIndex((text) => text.includes('Route refunds')))).toBeGreaterThan(0);

    // Switched off, it stops acting; switched on again, it acts.
    const routeSwitch = page.getByRole('switch', { name: 'Active: Route refunds' });
    await routeSwitch.click({ force: true });
    await expect.poll(async () => (await stack.api('GET', '/triggers', { token })).body.items.find((trigger: { name: string }) => trigger.name === 'Route refunds').active).toBe(false);
    await routeSwitch.click({ force: true });
    await expect.poll(async () => (await stack.api('GET', '/triggers', { token })).body.items.find((trigger: { name: string }) => trigger.name === 'Route refunds').active).toBe(true);
    await saveScreenshot(page, 'admin-triggers');

    const requesterEmail = `rita-${randomBytes(3).toString('hex')}@customer.example.test`;
    const open = (subject: string) => stack.api('POST', '/tickets', { token, body: { subject, description: '<p>Please</p>', requesterEmail, requesterName: 'Rita Requester' } });
    const refund = (await open('Refund for order 42')).body as { id: string };
    const other = (await open('Printer jam')).body as { id: string };

    await expect.poll(async () => (await stack.api('GET', `/tickets/${refund.id}`, { token })).body.priority, { timeout: 20_000 }).toBe('high');
    await page.goto(`${stack.url}/tickets/${refund.id}`);
    await page.getByRole('heading', { name: 'Refund for order 42' }).waitFor();
    await page.getByText('billing', { exact: true }).first().waitFor();
    await page.getByText('Routed to billing for Rita Requester').waitFor();
    const history = (await stack.api('GET', `/tickets/${refund.id}/events`, { token })).body.items as Array<{ action: string; changes: { trigger?: { to: { name: string } } } }>;
    expect(history.filter((entry) => entry.action === 'trigger.fired').map((entry) => entry.changes.trigger!.to.name)).toEqual(['Route refunds']);
    const untouched = (await stack.api('GET', `/tickets/${other.id}`, { token })).body as { priority: string; tags: string[] };
    expect(untouched).toMatchObject({ priority: 'normal', tags: [] });
    await expectAccessible(page, 'a ticket a trigger acted on');

    // The other trigger assigns urgent tickets and mails the assignee through the notification service.
    const urgent = (await open('Urgent: site down')).body as { number: number };
    const mail = await stack.mailTo(app.admin.email, new RegExp(`^\\[#${urgent.number}\\] Urgent ticket ${urgent.number}$`));
    expect(mail.text).toContain(`Urgent: site down needs ${app.admin.name}`);
  }, 240_000);
  it('builds a trigger on a custom field that sets another custom field, and it acts on a matching ticket', async () => {
    for (const field of [
      { key: 'plan', label: 'Plan', type: 'dropdown', options: ['Free', 'Gold'] },
      { key: 'support_tier', label: 'Support tier', type: 'dropdown', options: ['Standard', 'Premium'] },
    ]) {
      const created = await stack.api('POST', '/ticket-fields', { token, body: field });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    }
    const page = await app.signedInPage();
    await page.goto(`${stack.url}/admin/triggers`);
    await page.getByRole('button', { name: 'New trigger' }).click();
    const dialog = page.getByRole('dialog', { name: 'New trigger' });
    await dialog.getByLabel('Name', { exact: false }).first().fill('Gold plans get premium support');
    // When the ticket's Plan is Gold...
    await dialog.getByRole('button', { name: 'Add a condition', exact: true }).click();
    await dialog.getByLabel('Field of condition 1', { exact: true }).click();
    await page.getByRole('option', { name: 'Plan', exact: true }).click();
    await dialog.getByLabel('Value of condition 1', { exact: true }).click();
    await page.getByRole('option', { name: 'Gold', exact: true }).click();
    // ...set its Support tier to Premium.
    await dialog.getByLabel('Action 1', { exact: true }).click();
    await page.getByRole('option', { name: 'Set a custom field' }).click();
    await dialog.getByLabel('Custom field of action 1', { exact: true }).click();
    await page.getByRole('option', { name: 'Support tier', exact: true }).click();
    await dialog.getByLabel('Value of action 1', { exact: true }).click();
    await page.getByRole('option', { name: 'Premium', exact: true }).click();
    await expectAccessible(page, 'the trigger builder with custom fields');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('region', { name: 'Gold plans get premium support' }).getByText('A ticket is created · 1 condition · 1 action').waitFor();
    const saved = (await stack.api('GET', '/triggers', { token })).body.items.find((trigger: { name: string }) => trigger.name === 'Gold plans get premium support');
    expect(saved).toMatchObject({ all: [{ field: 'fields.plan', op: 'is', value: 'Gold' }], actions: [{ type: 'set', field: 'fields.support_tier', value: 'Premium' }] });

    const open = async (subject: string, plan: string) => {
      const created = await stack.api('POST', '/tickets', { token, body: { subject, description: '<p>Hello</p>', requesterEmail: `gil-${randomBytes(3).toString('hex')}@customer.example.test`, fields: { plan } } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return created.body as { id: string };
    };
    const gold = await open('Question about invoices', 'Gold');
    const free = await open('Question about exports', 'Free');
    await expect.poll(async () => (await stack.api('GET', `/tickets/${gold.id}`, { token })).body.fields, { timeout: 20_000 }).toEqual({ plan: 'Gold', support_tier: 'Premium' });
    const history = (await stack.api('GET', `/tickets/${gold.id}/events`, { token })).body.items as Array<{ action: string; changes: { trigger?: { to: { name: string } } } }>;
    expect(history.filter((entry) => entry.action === 'trigger.fired').map((entry) => entry.changes.trigger!.to.name)).toEqual(['Gold plans get premium support']);
    expect((await stack.api('GET', `/tickets/${free.id}`, { token })).body.fields).toEqual({ plan: 'Free' });

    // Reopened, the builder shows the custom field condition and action as saved.
    await page.getByRole('button', { name: 'Edit trigger Gold plans get premium support' }).click();
    const editDialog = page.getByRole('dialog', { name: 'Edit trigger Gold plans get premium support' });
    await expect.poll(async () => editDialog.getByLabel('Field of condition 1', { exact: true }).inputValue()).toBe('Plan');
    expect(await editDialog.getByLabel('Value of condition 1', { exact: true }).inputValue()).toBe('Gold');
    expect(await editDialog.getByLabel('Custom field of action 1', { exact: true }).inputValue()).toBe('Support tier');
    expect(await editDialog.getByLabel('Value of action 1', { exact: true }).inputValue()).toBe('Premium');
  }, 240_000);
});
