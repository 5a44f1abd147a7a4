import { randomBytes } from 'node:crypto';
import { ConsoleStack, launchChromium, TestImapServer, waitFor, type ImapAccount } from '@helpdesk/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveScreenshot, seriousAccessibilityViolations } from './support/console-page.js';

/**
 * Admin > Mailboxes in Chromium against all five services and a real Dovecot: the connection check
 * refuses a wrong password next to the form, the right settings save (the inbound token shown once),
 * and a mail delivered into the IMAP folder shows up as a ticket in the queue.
 */
describe('web console: mailboxes', () => {
  let stack: ConsoleStack;
  let imap: TestImapServer;
  let browser: Browser;
  const admin = { name: 'Mara Mail', email: 'mara@globex.example.test', password: 'mara-mail-pass-2026' };
  const account: ImapAccount = { user: 'support@globex.example.test', password: 'dovecot-secret-2026' };

  beforeAll(async () => {
    imap = await TestImapServer.start([account]);
    stack = await ConsoleStack.start('console-mailboxes', { DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'), IMAP_POLL_SECONDS: '5', INBOUND_SMTP_PORT: '0' });
    const signup = await stack.api('POST', '/auth/signup', { body: { organizationName: 'Globex Help', ...admin } });
    expect(signup.status, JSON.stringify(signup.body)).toBe(201);
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await imap?.close();
  });

  it('adds a mailbox with IMAP settings (a wrong password refused next to the form), and mail in its folder becomes a ticket in the queue', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${stack.url}/login`);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel(/^Password/).fill(admin.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/tickets/);

    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Mailboxes', exact: true }).click();
    await page.getByText('No mailboxes yet').waitFor();
    await page.getByRole('button', { name: 'New mailbox' }).click();
    const form = page.getByRole('form', { name: 'New mailbox' });
    await form.getByLabel(/^Address/).fill(account.user);
    await form.getByLabel(/^IMAP host/).fill(imap.host);
    await form.getByLabel(/^IMAP port/).fill(String(imap.port));
    await form.getByLabel(/^TLS from the first byte/).uncheck();
    await form.getByLabel(/^IMAP user/).fill(account.user);
    await form.getByLabel(/^IMAP password/).fill('not-the-password');
    await form.getByRole('button', { name: 'New mailbox' }).click();
    await form.getByRole('alert').filter({ hasText: `refused the login of ${account.user}` }).waitFor();
    expect.soft(await seriousAccessibilityViolations(page), 'axe-core on the mailbox form').toEqual([]);

    await form.getByLabel(/^IMAP password/).fill(account.password);
    await form.getByRole('button', { name: 'New mailbox' }).click();
    const token = page.getByLabel('Inbound token', { exact: true });
    expect(await token.textContent()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await saveScreenshot(page, 'admin-mailbox-token');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).last().click();

    const row = page.getByRole('row').filter({ hasText: account.user });
    await row.getByText('Receiving').waitFor({ timeout: 30_000 });
    expect.soft(await seriousAccessibilityViolations(page), 'axe-core on the mailboxes list').toEqual([]);

    const subject = `Invoice ${randomBytes(3).toString('hex')} is wrong`;
    const mail = [`From: Carla Customer <carla@customer.example.test>`, `To: ${account.user}`, `Subject: ${subject}`, `Message-ID: <${randomBytes(8).toString('hex')}@customer.example.test>`, '', 'The total is off by 10.', ''].join('\r\n');
    await imap.append(account, mail);

    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'All tickets', exact: true }).click();
    await waitFor('the mail as a ticket in the queue', async () => {
      if (await page.getByText(subject).count()) return true;
      await page.reload();
      await page.waitForLoadState('networkidle');
      return (await page.getByText(subject).count()) > 0 || undefined;
    }, 45_000, 1_000);

    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Mailboxes', exact: true }).click();
    await row.getByText(/1 received · 1 tickets/).waitFor();
  }, 180_000);
});
