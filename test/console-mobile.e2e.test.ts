import { ConsoleStack, launchChromium } from '@helpdesk/testing';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, horizontalOverflow, openPage, saveScreenshot, logIn as logInAt } from './support/console-page.js';

const PHONE = { width: 375, height: 740 };

/**
 * The console's account pages and a phone-sized run, in Chromium against all five services. The
 * organization and its people are set up through the API; the journeys under test go through the UI.
 */
describe('web console: password reset, a 375 px wide run and the admin pages', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  const admin = { name: 'Olga Owner', email: 'olga@globex.example.test', password: 'olga-owner-pass-2026' };
  const agent = { name: 'Pete Agent', email: 'pete@globex.example.test', password: 'pete-agent-pass-2026' };
  const customer = { name: 'Quinn Customer', email: 'quinn@client.example.test', password: 'quinn-customer-2026' };
  const subject = 'VPN drops every ten minutes on the hotel network';

  const tokenOf = (link: string) => new URL(link).searchParams.get('token')!;

  beforeAll(async () => {
    stack = await ConsoleStack.start('console-mobile');
    const signup = await stack.api('POST', '/auth/signup', { body: { organizationName: 'Globex Help', ...admin } });
    expect(signup.status, JSON.stringify(signup.body)).toBe(201);
    const adminToken = signup.body.accessToken as string;
    const verification = await stack.mailTo(admin.email, /Verify the email address/);
    expect((await stack.api('POST', '/auth/verify-email', { body: { token: tokenOf(stack.linkIn(verification)) } })).status).toBeLessThan(300);
    const join = async (person: { name: string; email: string; password: string }, role: string): Promise<string> => {
      const invited = await stack.api('POST', '/users', { token: adminToken, body: { name: person.name, email: person.email, role } });
      expect(invited.status, JSON.stringify(invited.body)).toBe(201);
      const link = stack.linkIn(await stack.mailTo(person.email, /You are invited/));
      const accepted = await stack.api('POST', '/auth/accept-invite', { body: { token: tokenOf(link), password: person.password } });
      expect(accepted.status, JSON.stringify(accepted.body)).toBeLessThan(300);
      return accepted.body.accessToken as string;
    };
    const agentToken = await join(agent, 'agent');
    const customerToken = await join(customer, 'customer');
    const ticket = await stack.api('POST', '/tickets', { token: customerToken, body: { subject, description: '<p>It reconnects after a minute, then drops again.</p>' } });
    expect(ticket.status, JSON.stringify(ticket.body)).toBe(201);
    const reply = await stack.api('POST', `/tickets/${ticket.body.id}/comments`, { token: agentToken, body: { body: '<p>Could you send the client log from the tray icon?</p>', internal: false } });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });



  /** Nothing scrolls sideways at phone width, and the page passes axe-core there too. */
  const checkPhonePage = async (page: Page, name: string) => {
    const overflow = await horizontalOverflow(page);
    expect.soft(overflow.scrollWidth, `${name} is wider than ${PHONE.width} px; sticking out: ${overflow.widest.join(', ')}`).toBeLessThanOrEqual(PHONE.width);
    await expectAccessible(page, `${name} at ${PHONE.width} px`);
    await saveScreenshot(page, `phone-${name.replace(/\W+/g, '-')}`);
  };

  /** A person can get to it: scrolled into view, visible and enabled. */
  const reachable = async (locator: Locator, { enabled = true } = {}) => {
    await locator.scrollIntoViewIfNeeded();
    expect(await locator.isVisible(), `${locator} is visible`).toBe(true);
    if (enabled) expect(await locator.isEnabled(), `${locator} is enabled`).toBe(true);
  };

  const logIn = (page: Page, person: { email: string; password: string }) => logInAt(page, stack.url, person);

  it('resets a forgotten password from the login page with the mailed link and logs in with the new one', async () => {
    const page = await openPage(browser);
    await page.goto(`${stack.url}/login`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await expectAccessible(page, 'the reset request page');
    await page.getByLabel('Email').fill(agent.email);
    await page.getByRole('button', { name: 'Send the reset link' }).click();
    await page.getByRole('status').filter({ hasText: 'a reset link is on its way' }).waitFor();

    const link = stack.linkIn(await stack.mailTo(agent.email, /Reset your Globex Help password/));
    expect(link).toContain('/reset-password?token=');
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await expectAccessible(page, 'the new password page');
    const newPassword = 'pete-new-pass-after-reset';
    await page.getByLabel('New password').fill(newPassword);
    await page.getByLabel('Repeat the password').fill('something else entirely');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByText('The passwords differ').waitFor();
    await page.getByLabel('Repeat the password').fill(newPassword);
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('status').filter({ hasText: 'Your password is set' }).waitFor();

    await page.getByRole('link', { name: 'Back to login' }).click();
    await page.getByLabel('Email').fill(agent.email);
    await page.getByLabel(/^Password/).fill(agent.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').waitFor();
    expect(page.url()).toContain('/login');
    await page.getByLabel(/^Password/).fill(newPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Tickets' }).waitFor();
    await page.getByRole('link', { name: new RegExp(subject) }).waitFor();
    agent.password = newPassword;
  }, 90_000);

  it('fits the login page, queue, ticket and portal into 375 px with their key actions reachable', async () => {
    const agentPage = await openPage(browser, PHONE);
    await agentPage.goto(`${stack.url}/login`);
    await agentPage.getByRole('heading', { name: 'Log in to your helpdesk' }).waitFor();
    await checkPhonePage(agentPage, 'login');
    await reachable(agentPage.getByRole('button', { name: 'Log in' }));
    await logIn(agentPage, agent);

    await agentPage.getByRole('heading', { name: 'Tickets' }).waitFor();
    await agentPage.getByRole('link', { name: new RegExp(subject) }).waitFor();
    await checkPhonePage(agentPage, 'queue');
    await reachable(agentPage.getByRole('main').getByRole('link', { name: 'New ticket' }));
    // The sidebar folds behind the burger on a phone.
    await agentPage.getByRole('button', { name: 'Open navigation' }).click();
    await agentPage.getByRole('link', { name: /^My open\s*,\s*0 tickets$/ }).click();
    await agentPage.waitForURL(/view=/);
    await agentPage.getByText('No tickets match these filters.').waitFor();
    await agentPage.getByRole('button', { name: 'Open navigation' }).click();
    await agentPage.getByRole('link', { name: 'All tickets' }).click();

    await agentPage.getByRole('link', { name: new RegExp(subject) }).click();
    await agentPage.getByRole('heading', { name: new RegExp(subject) }).waitFor();
    await agentPage.getByRole('article').filter({ hasText: 'client log' }).waitFor();
    await checkPhonePage(agentPage, 'ticket-agent');
    await reachable(agentPage.getByRole('textbox', { name: 'Message' }));
    await reachable(agentPage.getByRole('tab', { name: 'Internal note' }));
    // Enabled once something changed.
    await reachable(agentPage.getByRole('button', { name: 'Save properties' }), { enabled: false });
    await reachable(agentPage.getByRole('button', { name: 'Suggest a reply' }));

    const customerPage = await openPage(browser, PHONE);
    await logIn(customerPage, customer);
    await customerPage.getByRole('heading', { name: 'My requests' }).waitFor();
    await customerPage.getByRole('link', { name: new RegExp(subject) }).waitFor();
    await checkPhonePage(customerPage, 'portal');
    await reachable(customerPage.getByRole('main').getByRole('link', { name: 'New request' }));
    await customerPage.getByRole('link', { name: new RegExp(subject) }).click();
    await customerPage.getByRole('article').filter({ hasText: 'client log' }).waitFor();
    await checkPhonePage(customerPage, 'ticket-customer');
    await reachable(customerPage.getByRole('textbox', { name: 'Message' }));
    await reachable(customerPage.getByRole('button', { name: 'Attach files' }));
    await customerPage.getByRole('link', { name: /Back to the list/ }).click();
    await customerPage.getByRole('main').getByRole('link', { name: 'New request' }).click();
    await customerPage.getByRole('heading', { name: 'New request' }).waitFor();
    await checkPhonePage(customerPage, 'new-request');
    await reachable(customerPage.getByRole('button', { name: 'Send request' }));
  }, 120_000);

  it('renders the admin pages, the shortcuts list and the profile without serious accessibility findings', async () => {
    const page = await openPage(browser);
    await logIn(page, admin);
    await page.getByRole('heading', { name: 'Tickets' }).waitFor();
    await page.keyboard.press('Shift+Slash');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await expectAccessible(page, 'the keyboard shortcuts list');
    await saveScreenshot(page, 'shortcuts');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor({ state: 'hidden' });

    for (const [link, heading, shot] of [
      ['Teams', 'Teams', 'admin-teams'],
      ['SLA policies', 'SLA policies', 'admin-sla-policies'],
      ['Organization', 'Organization', 'admin-organization'],
      ['Dead letters', 'Dead letters', 'admin-dead-letters'],
    ] as const) {
      await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      await expectAccessible(page, `the ${heading} page`);
      await saveScreenshot(page, shot);
    }
    await page.goto(`${stack.url}/settings/profile`);
    await page.getByRole('heading', { name: 'Profile and settings' }).waitFor();
    await expectAccessible(page, 'the profile page');
    await saveScreenshot(page, 'profile');
  }, 150_000);
});
