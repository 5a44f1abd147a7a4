import { randomBytes } from 'node:crypto';
import { ConsoleStack, launchChromium } from '@helpdesk/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, openPage, logIn as logInAt } from './support/console-page.js';

/**
 * The queue's bulk update and the ticket page's merge in Chromium against all five services: an
 * agent ticks tickets, changes their priority and status in one go and sees the one the API refused
 * (a parent with an open child) named with its reason; then merges a duplicate into another ticket,
 * whose conversation gains the duplicate's messages, and the duplicate's requester gets one mail.
 */
describe('web console: bulk update from the queue, merge from the ticket page', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  const admin = { name: 'Mia Admin', email: 'mia@merge.example.test', password: 'mia-admin-pass-2026' };
  const requester = { name: 'Rob Requester', email: `rob-${randomBytes(3).toString('hex')}@customer.example.test` };
  let token: string;

  beforeAll(async () => {
    stack = await ConsoleStack.start('console-merge-bulk');
    const signup = await stack.api('POST', '/auth/signup', { body: { organizationName: 'Merge Help', ...admin } });
    expect(signup.status, JSON.stringify(signup.body)).toBe(201);
    token = signup.body.accessToken;
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const logIn = (page: Page) => logInAt(page, stack.url, admin);
  const open = async (subject: string, description = `<p>${subject}</p>`) => {
    const created = await stack.api('POST', '/tickets', { token, body: { subject, description, requesterEmail: requester.email, requesterName: requester.name } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body as { id: string; number: number; subject: string };
  };

  it('bulk-updates ticked tickets and names the one refused; merges a duplicate into another ticket and mails its requester once', async () => {
    const page = await openPage(browser);
    await logIn(page);
    // The organization mails customers only once its address is verified.
    await page.goto(stack.linkIn(await stack.mailTo(admin.email, /Verify the email address/)));
    await page.getByRole('status').filter({ hasText: 'Your address is verified' }).waitFor();

    const tag = randomBytes(3).toString('hex');
    const first = await open(`Scanner ${tag} offline`);
    const parent = await open(`Network ${tag} outage`);
    const child = await open(`VPN ${tag} drops`);
    expect((await stack.api('POST', `/tickets/${parent.id}/links`, { token, body: { targetId: child.id, kind: 'child' } })).status).toBe(201);

    // Bulk: the scanner and the outage (whose child is open) set to urgent and solved.
    await page.goto(`${stack.url}/tickets`);
    await page.getByRole('checkbox', { name: `Select #${first.number} ${first.subject}` }).check();
    await page.getByRole('checkbox', { name: `Select #${parent.number} ${parent.subject}` }).check();
    const bar = page.getByRole('region', { name: 'Bulk actions' });
    await bar.getByText('2 tickets selected').waitFor();
    await bar.getByLabel('Set status', { exact: true }).click();
    await page.getByRole('option', { name: 'Solved' }).click();
    await bar.getByLabel('Set priority', { exact: true }).click();
    await page.getByRole('option', { name: 'Urgent' }).click();
    await expectAccessible(page, 'the queue with two tickets ticked and the bulk action bar');
    await bar.getByRole('button', { name: 'Apply' }).click();

    await page.getByText('1 ticket updated.').waitFor();
    const refusal = bar.getByRole('alert');
    await refusal.getByText('1 ticket was not changed:').waitFor();
    await refusal.getByText(`#${parent.number} ${parent.subject}: Ticket #${parent.number} has open child tickets (#${child.number}): solve or close them first`).waitFor();
    expect((await stack.api('GET', `/tickets/${first.id}`, { token })).body).toMatchObject({ status: 'solved', priority: 'urgent' });
    expect((await stack.api('GET', `/tickets/${parent.id}`, { token })).body).toMatchObject({ status: 'new', priority: 'normal' });
    // The refused ticket stays ticked, ready for another try.
    await bar.getByText('1 ticket selected').waitFor();

    // Merge: the duplicate (with a reply) into the VPN ticket, from the duplicate's page.
    const duplicate = await open(`VPN ${tag} drops again`, '<p>It dropped twice this morning.</p>');
    expect((await stack.api('POST', `/tickets/${duplicate.id}/comments`, { token, body: { body: '<p>Which client version?</p>', internal: false } })).status).toBe(201);
    await page.goto(`${stack.url}/tickets/${duplicate.id}`);
    await page.getByRole('heading', { name: duplicate.subject }).waitFor();
    await page.getByRole('region', { name: 'Linked tickets' }).getByText('No linked tickets.').waitFor();
    await expectAccessible(page, 'the ticket page with its Linked tickets card');
    await page.getByRole('button', { name: 'Merge into…' }).click();
    const dialog = page.getByRole('dialog', { name: `Merge ticket #${duplicate.number} into another` });
    await dialog.getByLabel('Merge into', { exact: true }).fill(`#${child.number}`);
    await page.getByRole('option', { name: `#${child.number} ${child.subject}` }).click();
    await dialog.getByText(`Ticket #${duplicate.number} will be closed and linked to #${child.number}.`, { exact: false }).waitFor();
    await expectAccessible(page, 'the merge dialog');
    await dialog.getByRole('button', { name: `Merge into #${child.number}` }).click();

    await page.waitForURL(`${stack.url}/tickets/${child.id}`);
    await page.getByText(`Ticket #${duplicate.number} was merged into #${child.number}.`).waitFor();
    await page.getByText('It dropped twice this morning.').waitFor();
    await page.getByText('Which client version?').waitFor();
    const links = page.getByRole('region', { name: 'Linked tickets' });
    await links.getByRole('link', { name: `#${duplicate.number} ${duplicate.subject}` }).waitFor();
    await links.getByRole('link', { name: `#${parent.number} ${parent.subject}` }).waitFor();
    expect((await stack.api('GET', `/tickets/${duplicate.id}`, { token })).body.status).toBe('closed');

    // The history reads as sentences that link the other ticket, never as raw JSON.
    await page.getByRole('tab', { name: 'History' }).click();
    const targetHistory = page.getByRole('tabpanel', { name: 'History' });
    await targetHistory.getByText(`#${duplicate.number} was merged into this ticket`).waitFor();
    await targetHistory.getByText(`Linked as child of #${parent.number}`).waitFor();
    await targetHistory.getByText('Moved 2 messages here').waitFor();
    expect(await targetHistory.textContent()).not.toMatch(/[{}]/);
    await expectAccessible(page, 'the history tab of a merge target');
    await targetHistory.getByRole('link', { name: `#${duplicate.number}`, exact: true }).click();
    await page.waitForURL(`${stack.url}/tickets/${duplicate.id}`);
    await page.getByRole('tab', { name: 'History' }).click();
    const sourceHistory = page.getByRole('tabpanel', { name: 'History' });
    await sourceHistory.getByText(`Merged into #${child.number}`).waitFor();
    await sourceHistory.getByText('Added a public reply').waitFor();
    expect(await sourceHistory.textContent()).not.toMatch(/[{}]/);
    await sourceHistory.getByRole('link', { name: `#${child.number}`, exact: true }).waitFor();

    const mail = await stack.mailTo(requester.email, /^Merged:/);
    expect(mail.subject).toBe(`Merged: [#${duplicate.number}] ${duplicate.subject}`);
    expect(mail.text).toContain(`merged into request #${child.number}`);
  }, 180_000);
});
