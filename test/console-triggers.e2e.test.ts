import { randomBytes } from 'node:crypto';
import { ConsoleStack, launchChromium } from '@helpdesk/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, openPage, saveScreenshot } from './support/console-page.js';

/**
 * Triggers in Chromium against all five services: an admin writes a trigger on /admin/triggers with
 * the condition and action builders, reorders and switches triggers, and sees the trigger act on
 * the next ticket that matches (and not on one that does not).
 */
describe('web console: triggers', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  const admin = { name: 'Tara Admin', email: `tara-${randomBytes(3).toString('hex')}@triggers.example.test`, password: 'tara-admin-pass-2026' };
  let token: string;
  let adminId: string;

  beforeAll(async () => {
    stack = await ConsoleStack.start('console-triggers');
    const signup = await stack.api('POST', '/auth/signup', { body: { organizationName: 'Trigger Help', ...admin } });
    expect(signup.status, JSON.stringify(signup.body)).toBe(201);
    token = signup.body.accessToken;
    adminId = signup.body.user.id;
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('writes a trigger with conditions and actions, reorders and switches it, and sees it act on a matching ticket', async () => {
    const page = await openPage(browser);
    await page.goto(`${stack.url}/login`);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel(/^Password/).fill(admin.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/tickets/);

    await page.getByRole('link', { name: 'Triggers', exact: true }).click();
    await page.getByRole('heading', { name: 'Triggers' }).waitFor();
    await page.getByRole('button', { name: 'New trigger' }).click();
    const dialog = page.getByRole('dialog', { name: 'New trigger' });
    await dialog.getByLabel('Name', { exact: false }).first().fill('Route refunds');
    // When a ticket is created (the default event) and its subject contains "refund"...
    await dialog.getByRole('button', { name: 'Add a condition: Conditions: all of these' }).click();
    await dialog.getByLabel('Field of all condition 1', { exact: true }).click();
    await page.getByRole('option', { name: 'Subject', exact: true }).click();
    await dialog.getByLabel('Operator of all condition 1', { exact: true }).click();
    await page.getByRole('option', { name: 'contains', exact: true }).click();
    await dialog.getByLabel('Value of all condition 1', { exact: true }).fill('refund');
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
          { type: 'set', field: 'assigneeId', value: adminId },
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
    const mail = await stack.mailTo(admin.email, new RegExp(`^\\[#${urgent.number}\\] Urgent ticket ${urgent.number}$`));
    expect(mail.text).toContain(`Urgent: site down needs ${admin.name}`);
  }, 240_000);
});
