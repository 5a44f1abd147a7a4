import { randomBytes } from 'node:crypto';
import { ConsoleStack, launchChromium } from '@helpdesk/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, openPage, saveScreenshot, logIn as logInAt } from './support/console-page.js';

/**
 * Followers on the ticket page in Chromium against all five services: an admin follows a ticket
 * with the button, sees a colleague who follows it appear live, hears of the colleague's internal
 * note by mail, unfollows, and finds the preference that turns those mails off on the profile page.
 */
describe('web console: following a ticket', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  const admin = { name: 'Fay Admin', email: `fay-${randomBytes(3).toString('hex')}@follow.example.test`, password: 'fay-admin-pass-2026' };
  const agent = { name: 'Gus Agent', email: `gus-${randomBytes(3).toString('hex')}@follow.example.test`, password: 'gus-agent-pass-2026' };
  let adminToken: string;
  let agentToken: string;

  beforeAll(async () => {
    stack = await ConsoleStack.start('console-followers');
    const signup = await stack.api('POST', '/auth/signup', { body: { organizationName: 'Follow Desk', ...admin } });
    expect(signup.status, JSON.stringify(signup.body)).toBe(201);
    adminToken = signup.body.accessToken;
    // Adding users waits for the organization's verified address.
    const verification = await stack.mailTo(admin.email, /Verify the email address/);
    const verified = await stack.api('POST', '/auth/verify-email', { body: { token: new URL(stack.linkIn(verification)).searchParams.get('token') } });
    expect(verified.status).toBeLessThan(300);
    expect((await stack.api('POST', '/users', { token: adminToken, body: { ...agent, role: 'agent' } })).status).toBe(201);
    const login = await stack.api('POST', '/auth/login', { body: { email: agent.email, password: agent.password } });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    agentToken = login.body.accessToken;
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const logIn = (page: Page) => logInAt(page, stack.url, admin);

  it('follows with the button, shows a colleague following live, mails their note, and unfollows', async () => {
    const subject = `Door ${randomBytes(3).toString('hex')} will not lock`;
    const created = await stack.api('POST', '/tickets', { token: adminToken, body: { subject, description: 'Since Monday', requesterEmail: `cora-${randomBytes(3).toString('hex')}@customer.example.test` } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const ticket = created.body as { id: string; number: number };

    const page = await openPage(browser);
    await logIn(page);
    await page.goto(`${stack.url}/tickets/${ticket.id}`);
    await page.getByRole('heading', { name: subject }).waitFor();
    const followers = page.getByRole('region', { name: 'Followers' });
    await followers.getByText('Nobody follows this ticket.').waitFor();

    await followers.getByRole('button', { name: 'Follow' }).click();
    await followers.getByRole('listitem').filter({ hasText: `${admin.name} (you)` }).waitFor();
    await followers.getByRole('button', { name: 'Unfollow' }).waitFor();

    // The colleague follows from elsewhere: the open page shows it without a reload (ticket.updated).
    expect((await stack.api('POST', `/tickets/${ticket.id}/followers`, { token: agentToken })).status).toBe(201);
    await followers.getByRole('listitem').filter({ hasText: agent.name }).waitFor();
    await expectAccessible(page, 'the ticket page with its followers');
    await saveScreenshot(page, 'ticket-followers');

    // The colleague's internal note reaches the admin, who follows, by mail.
    expect((await stack.api('POST', `/tickets/${ticket.id}/comments`, { token: agentToken, body: { body: '<p>Locksmith booked for Thursday.</p>', internal: true } })).status).toBe(201);
    const mail = await stack.mailTo(admin.email, new RegExp(`Re: \\[#${ticket.number}\\]`));
    expect(mail.text).toContain(`${agent.name} wrote an internal note on ticket #${ticket.number}`);
    expect(mail.text).toContain('Locksmith booked for Thursday.');

    await followers.getByRole('button', { name: 'Unfollow' }).click();
    await followers.getByRole('button', { name: 'Follow' }).waitFor();
    await followers.getByRole('listitem').filter({ hasText: `${admin.name} (you)` }).waitFor({ state: 'detached' });
    const listed = (await stack.api('GET', `/tickets/${ticket.id}/followers`, { token: adminToken })).body as { items: Array<{ name: string }>; nextCursor: string | null };
    expect(listed.items.map((follower) => follower.name)).toEqual([agent.name]);
    expect(listed.nextCursor).toBeNull();

    await page.goto(`${stack.url}/settings/profile`);
    const preference = page.getByRole('checkbox', { name: 'A ticket I follow was updated' });
    await preference.waitFor();
    expect(await preference.isChecked()).toBe(true);
    await page.close();
  });
});
