import { ConsoleStack, launchChromium, waitFor } from '@helpdesk/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveScreenshot, seriousAccessibilityViolations } from './support/console-page.js';

/**
 * The admin's mail tools in Chromium against all five services: a dead invitation inspected (its
 * link never shown) and replayed, and a pending invitation resent from the users page.
 */
describe('web console: dead letters and pending invitations', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  const admin = { name: 'Rita Root', email: 'rita@initech.example.test', password: 'rita-root-pass-2026' };
  const bounced = { name: 'Ivy Bounced', email: 'ivy@initech.example.test' };
  const pending = { name: 'Nina Pending', email: 'nina@initech.example.test' };

  beforeAll(async () => {
    stack = await ConsoleStack.start('console-admin-ops');
    const signup = await stack.api('POST', '/auth/signup', { body: { organizationName: 'Initech Help', ...admin } });
    expect(signup.status, JSON.stringify(signup.body)).toBe(201);
    const token = signup.body.accessToken as string;
    const verification = await stack.mailTo(admin.email, /Verify the email address/);
    const verified = await stack.api('POST', '/auth/verify-email', { body: { token: new URL(stack.linkIn(verification)).searchParams.get('token') } });
    expect(verified.status).toBeLessThan(300);
    expect((await stack.api('POST', '/users', { token, body: { ...pending, role: 'agent' } })).status).toBe(201);
    await stack.mailTo(pending.email, /You are invited/);
    // The invitee's server refuses the mailbox: the invitation dies at once (5xx is final).
    stack.sink.failWith('rcpt', 550);
    expect((await stack.api('POST', '/users', { token, body: { ...bounced, role: 'agent' } })).status).toBe(201);
    await waitFor('the invitation to be dead', async () => (await stack.api('GET', '/admin/notifications/dead-letters', { token })).body.items.length === 1, 20_000);
    stack.sink.recover();
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const logIn = async (): Promise<Page> => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${stack.url}/login`);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel(/^Password/).fill(admin.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/tickets/);
    return page;
  };

  it('inspects a dead invitation without ever showing its link, replays it, and the invitee gets a working one', async () => {
    const page = await logIn();
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Dead letters', exact: true }).click();
    const row = page.getByRole('row').filter({ hasText: bounced.email });
    await row.getByText('invitation').waitFor();
    expect(await row.textContent()).toContain('550');
    expect.soft(await seriousAccessibilityViolations(page), 'axe-core on the dead letters list').toEqual([]);

    await row.getByRole('button', { name: `Inspect the mail to ${bounced.email}` }).click();
    const drawer = page.getByRole('dialog', { name: 'Dead letter' });
    await drawer.getByText('Secrets are hidden').waitFor();
    expect(await drawer.textContent()).toContain('[single-use link withheld]');
    expect(await drawer.textContent()).not.toContain('token=');
    expect.soft(await seriousAccessibilityViolations(page), 'axe-core on the dead letter drawer').toEqual([]);
    await saveScreenshot(page, 'admin-dead-letter-detail');
    await drawer.getByRole('button', { name: `Replay the mail to ${bounced.email}` }).click();

    await page.getByRole('status').filter({ hasText: '1 delivery queued again' }).waitFor();
    await page.getByText('No dead letters').waitFor();
    const mail = await stack.mailTo(bounced.email, /You are invited/);
    expect(stack.linkIn(mail)).toContain('/accept-invite?token=');
  }, 120_000);

  it('shows a pending invitation on the users page and resends it: a second mail with a new link arrives', async () => {
    const page = await logIn();
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Users', exact: true }).click();
    const row = page.getByRole('row').filter({ hasText: pending.email });
    await row.getByText(/Invitation pending since/).waitFor();
    const firstLink = stack.linkIn(await stack.mailTo(pending.email, /You are invited/));

    await row.getByRole('button', { name: `Resend invitation to ${pending.name}` }).click();

    await page.getByText(`A new invitation is on its way to ${pending.email}`).waitFor();
    await waitFor('the second invitation mail', async () => stack.sink.mailsTo(pending.email).length === 2, 20_000);
    expect(stack.linkIn(await stack.mailTo(pending.email, /You are invited/))).not.toBe(firstLink);
    expect.soft(await seriousAccessibilityViolations(page), 'axe-core on the users page').toEqual([]);
    await saveScreenshot(page, 'admin-users-pending');
  }, 120_000);
});
