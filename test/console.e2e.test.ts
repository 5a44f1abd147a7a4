import { ConsoleStack, launchChromium } from '@helpdesk/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, openPage, saveScreenshot } from './support/console-page.js';

/**
 * The console as its people use it, in Chromium against all five services: an organization signs up
 * and invites its agent and customer by mail; the two then work one ticket at the same time.
 */
describe('web console: signup, invitations and a live ticket between an agent and a customer', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  const people = {
    admin: { name: 'Ada Admin', email: 'ada@acme.example.test', password: 'ada-admin-pass-2026' },
    agent: { name: 'Alan Agent', email: 'alan@acme.example.test', password: 'alan-agent-pass-2026' },
    customer: { name: 'Carla Customer', email: 'carla@customer.example.test', password: 'carla-customer-2026' },
  };
  let adminPage: Page;
  let agentPage: Page;
  let customerPage: Page;

  beforeAll(async () => {
    stack = await ConsoleStack.start('console');
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });



  const acceptInvitation = async (page: Page, person: { email: string; password: string }) => {
    const invitation = await stack.mailTo(person.email, /You are invited/);
    await page.goto(stack.linkIn(invitation));
    await page.getByRole('heading', { name: 'Join your team' }).waitFor();
    await expectAccessible(page, 'the invitation page');
    await page.getByLabel('New password').fill(person.password);
    await page.getByLabel('Repeat the password').fill(person.password);
    await page.getByRole('button', { name: 'Set the password and join' }).click();
    await page.waitForURL(/\/tickets$/);
  };

  const invite = async (person: { name: string; email: string }, role: 'Agent' | 'Customer') => {
    const form = adminPage.getByRole('form', { name: 'Invite user' });
    await form.getByLabel('Your name').fill(person.name);
    await form.getByLabel('Email').fill(person.email);
    await form.getByLabel('Role').click();
    await adminPage.getByRole('option', { name: role }).click();
    await form.getByRole('button', { name: 'Invite user' }).click();
    await adminPage.getByText('Invitation sent').first().waitFor();
    await adminPage.getByRole('cell', { name: person.email }).waitFor();
  };

  it('signs up an organization, verifies its address from the mail and invites an agent and a customer who accept their links', async () => {
    adminPage = await openPage(browser);
    await adminPage.goto(`${stack.url}/login`);
    await adminPage.getByRole('heading', { name: 'Log in to your helpdesk' }).waitFor();
    await expectAccessible(adminPage, 'the login page');
    await saveScreenshot(adminPage, 'login');

    await adminPage.getByRole('link', { name: /Create an organization/ }).click();
    await adminPage.getByRole('heading', { name: 'Create your helpdesk' }).waitFor();
    await expectAccessible(adminPage, 'the signup page');
    await adminPage.getByLabel('Organization name').fill('Acme Support');
    await adminPage.getByLabel('Your name').fill(people.admin.name);
    await adminPage.getByLabel('Email').fill(people.admin.email);
    await adminPage.getByLabel('New password').fill(people.admin.password);
    await adminPage.getByLabel('Repeat the password').fill(people.admin.password);
    await saveScreenshot(adminPage, 'signup');
    await adminPage.getByRole('button', { name: 'Create an organization' }).click();
    await adminPage.getByRole('heading', { name: 'Tickets' }).waitFor();
    await expectAccessible(adminPage, 'the empty queue');

    const verification = await stack.mailTo(people.admin.email, /Verify the email address of Acme Support/);
    const verifyLink = stack.linkIn(verification);
    expect(verifyLink).toContain('/verify-email?token=');
    await adminPage.goto(verifyLink);
    await adminPage.getByRole('status').filter({ hasText: 'Your address is verified' }).waitFor();
    await expectAccessible(adminPage, 'the email verification page');

    // The refresh cookie carries the session across the full page loads above.
    await adminPage.goto(`${stack.url}/admin/users`);
    await adminPage.getByRole('heading', { name: 'Users' }).waitFor();
    await invite(people.agent, 'Agent');
    await invite(people.customer, 'Customer');
    await expectAccessible(adminPage, 'the users page');
    await saveScreenshot(adminPage, 'admin-users');

    agentPage = await openPage(browser);
    await acceptInvitation(agentPage, people.agent);
    await agentPage.getByRole('heading', { name: 'Tickets' }).waitFor();
    await agentPage.getByRole('button', { name: new RegExp(people.agent.name) }).waitFor();

    customerPage = await openPage(browser);
    await acceptInvitation(customerPage, people.customer);
    await customerPage.getByRole('heading', { name: 'My requests' }).waitFor();
    await customerPage.getByText('You have no requests yet.').waitFor();
    await expectAccessible(customerPage, 'the empty portal');

    const users = await stack.api<{ accessToken: string }>('POST', '/auth/login', { body: { email: people.admin.email, password: people.admin.password } });
    const listed = await stack.api<{ items: { email: string; role: string; active: boolean }[] }>('GET', '/users', { token: users.body.accessToken });
    expect(listed.body.items.map(({ email, role, active }) => ({ email, role, active })).sort((a, b) => a.email.localeCompare(b.email))).toEqual([
      { email: people.admin.email, role: 'admin', active: true },
      { email: people.agent.email, role: 'agent', active: true },
      { email: people.customer.email, role: 'customer', active: true },
    ]);
  }, 120_000);

  it('shows the customer’s new ticket live to the agent, the typing customer, the reply but never the note, and applies the AI suggestions', async () => {
    const subject = 'Printer on floor 3 prints blank pages';
    const note = 'Internal: toner batch 42 is known bad, do not tell the customer yet';
    const reply = 'Thanks Carla, we are sending a technician this afternoon.';

    // The agent watches the queue; the customer opens a request with an attachment.
    await agentPage.getByText('No tickets match these filters.').waitFor();
    await customerPage.getByRole('main').getByRole('link', { name: 'New request' }).click();
    await customerPage.getByRole('heading', { name: 'New request' }).waitFor();
    await expectAccessible(customerPage, 'the new request page');
    await customerPage.getByLabel('Subject').fill(subject);
    await customerPage.getByLabel('Description').fill('Since this morning every page comes out blank.\n\nThe error log is attached.');
    const chooser = customerPage.waitForEvent('filechooser');
    await customerPage.getByRole('button', { name: 'Attach files' }).click();
    await (await chooser).setFiles({ name: 'printer-log.txt', mimeType: 'text/plain', buffer: Buffer.from('E-204 paper path blank page\n') });
    await customerPage.getByText('printer-log.txt').waitFor();
    await saveScreenshot(customerPage, 'portal-new-request');
    await customerPage.getByRole('button', { name: 'Send request' }).click();
    await customerPage.getByRole('heading', { name: new RegExp(subject) }).waitFor();
    await customerPage.getByRole('link', { name: /printer-log\.txt/ }).waitFor();
    await expectAccessible(customerPage, 'the customer’s ticket page');

    // No reload: the row arrives over the socket.
    const row = agentPage.getByRole('link', { name: new RegExp(subject) });
    await row.waitFor();
    await expectAccessible(agentPage, 'the queue with a ticket');
    await saveScreenshot(agentPage, 'queue');
    await row.click();
    await agentPage.getByRole('heading', { name: new RegExp(subject) }).waitFor();
    // The attachment downloads with the agent's session (a bare link would carry no token).
    const downloading = agentPage.waitForEvent('download');
    await agentPage.getByRole('link', { name: /printer-log\.txt/ }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('printer-log.txt');
    const downloaded: Buffer[] = [];
    for await (const chunk of await download.createReadStream()) downloaded.push(chunk as Buffer);
    expect(Buffer.concat(downloaded).toString()).toBe('E-204 paper path blank page\n');

    // The customer types in their open ticket; the agent sees it.
    await customerPage.getByRole('textbox', { name: 'Message' }).click();
    await customerPage.keyboard.type('It also makes a clicking noise');
    await agentPage.getByRole('status').filter({ hasText: /typing…/ }).waitFor();

    // The agent replies; the customer sees it arrive.
    await agentPage.getByRole('textbox', { name: 'Message' }).click();
    await agentPage.keyboard.type(reply);
    await agentPage.getByRole('button', { name: 'Send reply' }).click();
    await customerPage.getByRole('article').filter({ hasText: reply }).waitFor();

    // An internal note, unmistakable for the agent.
    await agentPage.getByRole('tab', { name: 'Internal note' }).click();
    await agentPage.getByRole('textbox', { name: 'Internal note' }).click();
    await agentPage.keyboard.type(note);
    await agentPage.getByRole('button', { name: 'Add note' }).click();
    const noteArticle = agentPage.getByRole('article', { name: /^Internal note by/ });
    await noteArticle.filter({ hasText: note }).waitFor();

    // The customer sends what they typed; the agent sees it live. Everything before it has reached the customer's page by then.
    await customerPage.getByRole('button', { name: 'Send reply' }).click();
    await agentPage.getByRole('article').filter({ hasText: 'It also makes a clicking noise' }).waitFor();
    await customerPage.getByRole('article').filter({ hasText: 'It also makes a clicking noise' }).waitFor();
    expect(await customerPage.getByText(note).count(), 'the note on the customer’s page').toBe(0);
    expect(await customerPage.getByText('Internal note').count(), 'any internal note label on the customer’s page').toBe(0);
    await expectAccessible(customerPage, 'the customer’s ticket with replies');
    await saveScreenshot(customerPage, 'portal-ticket');

    const customerSession = await stack.api<{ accessToken: string }>('POST', '/auth/login', { body: { email: people.customer.email, password: people.customer.password } });
    const customerTickets = await stack.api<{ items: { id: string; subject: string }[] }>('GET', '/tickets', { token: customerSession.body.accessToken });
    const ticketId = customerTickets.body.items.find((ticket) => ticket.subject === subject)!.id;
    const customerComments = await stack.api('GET', `/tickets/${ticketId}/comments`, { token: customerSession.body.accessToken });
    expect(customerComments.status).toBe(200);
    expect(JSON.stringify(customerComments.body)).toContain('technician');
    expect(JSON.stringify(customerComments.body)).not.toContain('toner batch 42');

    // The AI suggestion lands in the composer, as a reply, for the agent to edit.
    await agentPage.getByRole('button', { name: 'Suggest a reply' }).click();
    const composer = agentPage.getByRole('textbox', { name: 'Message' });
    await composer.waitFor();
    await expect.poll(async () => (await composer.innerText()).trim().length, { timeout: 15_000 }).toBeGreaterThan(20);
    expect(await agentPage.getByRole('tab', { name: 'Reply' }).getAttribute('aria-selected')).toBe('true');

    // The offline classifier triages the ticket; one click applies its priority and tags.
    const ai = agentPage.getByRole('region', { name: 'AI assistant' });
    const apply = ai.getByRole('button', { name: 'Apply suggestion' });
    await apply.waitFor();
    if (await apply.isEnabled()) {
      const before = await stack.api<{ version: number }>('GET', `/tickets/${ticketId}`, { token: customerSession.body.accessToken });
      await apply.click();
      // Saved: the ticket has a new version, and nothing is left to apply.
      await expect.poll(async () => (await stack.api<{ version: number }>('GET', `/tickets/${ticketId}`, { token: customerSession.body.accessToken })).body.version, { timeout: 15_000 }).toBeGreaterThan(before.body.version);
      await expect
        .poll(async () => (await apply.isDisabled()) && !(await agentPage.getByText('changed by someone else').count()), { timeout: 15_000, message: `the triage suggestion is still applicable; the page says: ${await agentPage.getByRole('main').innerText().catch(() => '')}` })
        .toBe(true);
    }
    await expectAccessible(agentPage, 'the agent’s ticket page');
    await saveScreenshot(agentPage, 'ticket-agent');
  }, 120_000);

  it('lets the agent hand the ticket to a colleague, open it by number from anywhere, and shows the customer who answered', async () => {
    const subject = 'Printer on floor 3 prints blank pages';
    // The customer's portal names the agent who replied (GET /users/:id), not just "Support team".
    await customerPage.getByRole('article', { name: `Public reply by ${people.agent.name}` }).waitFor();

    // The agent's picker offers the admin; saving assigns the ticket to her.
    const properties = agentPage.getByRole('form', { name: 'Properties' });
    const assignee = properties.getByLabel('Assignee', { exact: true });
    await assignee.click();
    await agentPage.getByRole('option', { name: people.admin.name }).click();
    await properties.getByRole('button', { name: 'Save properties' }).click();
    await expect.poll(async () => assignee.inputValue(), { timeout: 15_000 }).toBe(people.admin.name);
    const agentSession = await stack.api<{ accessToken: string }>('POST', '/auth/login', { body: { email: people.agent.email, password: people.agent.password } });
    const admins = await stack.api<{ items: { id: string; name: string }[] }>('GET', '/users?role=admin', { token: agentSession.body.accessToken });
    const found = await stack.api<{ items: { number: number; subject: string; assigneeId: string | null }[] }>('GET', '/tickets?number=1', { token: agentSession.body.accessToken });
    expect(found.body.items).toEqual([expect.objectContaining({ number: 1, subject, assigneeId: admins.body.items.find((admin) => admin.name === people.admin.name)!.id })]);

    // A fresh page loads no ticket list: the palette asks the API for #1.
    await agentPage.goto(`${stack.url}/settings/profile`);
    await agentPage.getByRole('heading', { name: 'Profile and settings' }).waitFor();
    await agentPage.keyboard.press('Control+K');
    await agentPage.getByRole('textbox', { name: 'Search or jump to…' }).fill('#1');
    await agentPage.getByRole('button', { name: `#1 ${subject}` }).click();
    await agentPage.getByRole('heading', { name: new RegExp(subject) }).waitFor();
  }, 60_000);
});
