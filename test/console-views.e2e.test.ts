import { randomBytes } from 'node:crypto';
import { ConsoleStack, launchChromium } from '@helpdesk/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, logIn, openPage, saveScreenshot } from './support/console-page.js';

/**
 * Views in Chromium against all five services: the sidebar lists the organization's default views
 * with their counts; an agent builds a view from the queue's filters, sees its count, opens it,
 * watches the count follow a new ticket without reloading, renames it and deletes it; changes a
 * view's filters in its dialog and reorders the sidebar's views.
 */
describe('web console: views', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  const suffix = randomBytes(3).toString('hex');
  const admin = { name: 'Vera Admin', email: `vera-${suffix}@views.example.test`, password: 'vera-admin-pass-2026' };
  const agent = { name: 'Otto Agent', email: `otto-${suffix}@views.example.test`, password: 'otto-agent-pass-2026' };
  let token: string;

  const newTicket = async (subject: string, priority: string, tags: string[] = []) => {
    const created = await stack.api('POST', '/tickets', { token, body: { subject, description: '<p>Help</p>', priority, tags, requesterEmail: `rita-${suffix}@customer.example.test` } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  };

  beforeAll(async () => {
    stack = await ConsoleStack.start('console-views');
    const signup = await stack.api('POST', '/auth/signup', { body: { organizationName: 'View Help', ...admin } });
    expect(signup.status, JSON.stringify(signup.body)).toBe(201);
    token = signup.body.accessToken;
    // Adding users waits for the organization's verified address.
    const verification = await stack.mailTo(admin.email, /Verify the email address/);
    const verified = await stack.api('POST', '/auth/verify-email', { body: { token: new URL(stack.linkIn(verification)).searchParams.get('token') } });
    expect(verified.status).toBeLessThan(300);
    const invited = await stack.api('POST', '/users', { token, body: { ...agent, role: 'agent' } });
    expect(invited.status, JSON.stringify(invited.body)).toBe(201);
    await newTicket('Server room flooded', 'urgent', ['outage']);
    await newTicket('Payroll run failed', 'urgent', ['outage']);
    await newTicket('Typo on the website', 'low');
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('builds a view from filters, shows its live count, opens it, renames and deletes it', async () => {
    const page = await openPage(browser);
    await logIn(page, stack.url, agent);
    const nav = page.getByRole('navigation', { name: 'Views' });
    // A view's link is named with its count ("My open, 3 tickets").
    const viewLink = (name: string, count: number) => nav.getByRole('link', { name: new RegExp(`^${name}\\s*,\\s*${count} tickets$`) });

    // The defaults every organization starts with, counted for this agent.
    await viewLink('My open', 0).waitFor();
    await viewLink('Unassigned', 3).waitFor();
    await viewLink('Breached', 0).waitFor();
    await viewLink('Waiting on customer', 0).waitFor();

    // Filters picked in the queue become a personal view.
    await page.getByRole('textbox', { name: 'Tag' }).fill('outage');
    await page.waitForURL(/tag=outage/);
    await page.getByRole('list', { name: 'Tickets' }).getByText('Server room flooded').waitFor();
    await page.getByRole('button', { name: 'Save as view' }).click();
    const saveDialog = page.getByRole('dialog', { name: 'Save these filters as a view' });
    await saveDialog.getByLabel('View name').fill('Outages');
    expect(await saveDialog.getByLabel('Share with every agent').count()).toBe(0);
    await expectAccessible(page, 'the save-as-view dialog');
    await saveDialog.getByRole('button', { name: 'Save view' }).click();
    await saveDialog.waitFor({ state: 'detached' });

    // Saved, it is opened: its name as the heading, its tickets listed, its count in the sidebar.
    await page.waitForURL(/\?view=[0-9a-f-]+$/);
    await page.getByRole('heading', { name: 'Outages', exact: true }).waitFor();
    await viewLink('Outages', 2).waitFor();
    const list = page.getByRole('list', { name: 'Tickets' });
    await list.getByText('Server room flooded').waitFor();
    await list.getByText('Payroll run failed').waitFor();
    expect(await list.getByText('Typo on the website').count()).toBe(0);
    await expectAccessible(page, 'the queue on a view');
    await saveScreenshot(page, 'queue-views');

    // The count follows a new matching ticket without a reload (realtime, coalesced refresh).
    await newTicket('Database is down', 'high', ['outage']);
    await viewLink('Outages', 3).waitFor({ timeout: 20_000 });
    await viewLink('Unassigned', 4).waitFor();

    // Another view from the sidebar lists its own tickets.
    await viewLink('Unassigned', 4).click();
    await page.getByRole('heading', { name: 'Unassigned' }).waitFor();
    // Its own order (oldest first) is what the Sort control shows.
    expect(await page.getByRole('combobox', { name: 'Sort' }).inputValue()).toBe('Oldest first');
    await list.getByText('Typo on the website').waitFor();
    // A shared view is the admins' to change.
    expect(await page.getByRole('button', { name: 'Edit view' }).count()).toBe(0);

    // Renamed and deleted by its owner.
    await viewLink('Outages', 3).click();
    await page.getByRole('heading', { name: 'Outages', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Edit view' }).click();
    const editDialog = page.getByRole('dialog', { name: 'Edit view Outages' });
    await editDialog.getByLabel('View name').fill('On fire');
    await editDialog.getByRole('button', { name: 'Save' }).click();
    await editDialog.waitFor({ state: 'detached' });
    await viewLink('On fire', 3).waitFor();
    await page.getByRole('heading', { name: 'On fire', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Delete view' }).click();
    await page.getByRole('dialog', { name: 'Delete view On fire' }).getByRole('button', { name: 'Delete view' }).click();
    await page.waitForURL(/\/tickets$/);
    await expect.poll(() => nav.getByRole('link', { name: /^On fire/ }).count()).toBe(0);
  }, 120_000);

  it("changes a view's filters in its dialog and reorders views by keyboard, the order surviving a reload", async () => {
    await newTicket('Printer on fire', 'normal', ['hardware']);
    const page = await openPage(browser);
    await logIn(page, stack.url, agent);
    const nav = page.getByRole('navigation', { name: 'Views' });
    const list = page.getByRole('list', { name: 'Tickets' });
    const saveView = async (tag: string, name: string) => {
      await page.getByRole('textbox', { name: 'Tag' }).fill(tag);
      await page.waitForURL(new RegExp(`tag=${tag}`));
      await page.getByRole('button', { name: 'Save as view' }).click();
      const dialog = page.getByRole('dialog', { name: 'Save these filters as a view' });
      await dialog.getByLabel('View name').fill(name);
      await dialog.getByRole('button', { name: 'Save view' }).click();
      await page.getByRole('heading', { name, exact: true }).waitFor();
    };
    await saveView('outage', 'Incidents');
    await list.getByText('Server room flooded').waitFor();

    // Its filters edited in place: the dialog says what saving changes, the queue then lists the new filter's tickets.
    await page.getByRole('button', { name: 'Edit view' }).click();
    const editDialog = page.getByRole('dialog', { name: 'Edit view Incidents' });
    await editDialog.getByRole('textbox', { name: 'Tag' }).fill('hardware');
    await editDialog.getByRole('list', { name: 'Saving changes what the view lists:' }).getByText('Tag: outage → hardware').waitFor();
    await expectAccessible(page, "the edit-view dialog with the view's filters");
    await saveScreenshot(page, 'view-edit-filters');
    await editDialog.getByRole('button', { name: 'Save' }).click();
    await editDialog.waitFor({ state: 'detached' });
    await list.getByText('Printer on fire').waitFor();
    await expect.poll(() => list.getByText('Server room flooded').count()).toBe(0);
    await nav.getByRole('link', { name: /^Incidents\s*,\s*1 tickets$/ }).waitFor();

    // Filters picked in the queue on top of the view replace its own in one click.
    await page.getByRole('textbox', { name: 'Tag' }).fill('outage');
    await page.waitForURL(/tag=outage/);
    await page.getByRole('button', { name: 'Edit view' }).click();
    await editDialog.getByRole('button', { name: "Use the queue's current filters" }).click();
    await editDialog.getByText('Tag: hardware → outage').waitFor();
    await editDialog.getByRole('button', { name: 'Save' }).click();
    await editDialog.waitFor({ state: 'detached' });
    // Saved into the view, the filters leave the address: the queue lists the view as it is now.
    await page.waitForURL(/\?view=[0-9a-f-]+$/);
    await list.getByText('Server room flooded').waitFor();
    expect(await list.getByText('Printer on fire').count()).toBe(0);

    // Two personal views reordered with the keyboard; shared views are the admins' to order.
    await page.getByRole('link', { name: /^All tickets/ }).click();
    await page.waitForURL(/\/tickets$/);
    await saveView('hardware', 'Hardware');
    const myViews = nav.getByRole('group', { name: 'My views' });
    const order = async () => (await myViews.getByRole('link').allTextContents()).map((text) => text.split(',')[0]!.trim());
    expect(await order()).toEqual(['Incidents', 'Hardware']);
    let positionWrites = 0;
    page.on('requestfinished', (request) => {
      if (request.method() === 'PATCH' && request.url().includes('/api/v1/views/')) positionWrites += 1;
    });
    await nav.getByRole('button', { name: 'Reorder views' }).click();
    expect(await nav.getByRole('group', { name: 'Shared views' }).getByRole('button').count()).toBe(0);
    await expectAccessible(page, 'the sidebar while reordering views');
    await myViews.getByRole('button', { name: 'Move Hardware up' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(order).toEqual(['Hardware', 'Incidents']);
    // First now, its "up" is disabled: the focus stays on the view, on its "down".
    await expect.poll(() => page.evaluate('document.activeElement?.getAttribute("aria-label")')).toBe('Move Hardware down');
    await expect.poll(() => positionWrites).toBe(2);
    await saveScreenshot(page, 'views-reordering');
    await page.reload();
    await myViews.getByRole('link', { name: /^Hardware/ }).waitFor();
    expect(await order()).toEqual(['Hardware', 'Incidents']);
    await nav.getByRole('link', { name: /^My open\s*,/ }).waitFor();
  }, 120_000);
});
