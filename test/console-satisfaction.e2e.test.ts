import type { ConsoleStack } from '@helpdesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminConsole } from './support/admin-console.js';
import { expectAccessible, openPage, saveScreenshot } from './support/console-page.js';

/**
 * Customer satisfaction in Chromium against all five services: an agent solves a customer's ticket,
 * the customer clicks "Bad" in the solved mail, lands on the rating page (no session), switches to
 * "Good" and leaves a comment; the agent's open ticket shows the rating as it changes. An admin then
 * turns surveys off and the next solved mail carries no rating buttons.
 */
describe('web console: customer satisfaction', () => {
  let app: AdminConsole;
  let stack: ConsoleStack;
  let token: string;
  const customerEmail = `cleo-${Date.now()}@customers.example.test`;

  beforeAll(async () => {
    app = await AdminConsole.start('console-satisfaction', 'Rated Help', { name: 'Rita Admin', password: 'rita-admin-pass-2026' });
    ({ stack, token } = app);
    const verification = await stack.mailTo(app.admin.email, /Verify the email address/);
    const verified = await stack.api('POST', '/auth/verify-email', { body: { token: new URL(stack.linkIn(verification)).searchParams.get('token') } });
    expect(verified.status).toBeLessThan(300);
    const customer = await stack.api('POST', '/users', { token, body: { name: 'Cleo Customer', email: customerEmail, role: 'customer', password: 'cleo-customer-pass-2026' } });
    expect(customer.status, JSON.stringify(customer.body)).toBe(201);
  }, 180_000);

  afterAll(async () => {
    await app?.stop();
  });

  const solvedTicketFor = async (subject: string) => {
    const login = await stack.api('POST', '/auth/login', { body: { email: customerEmail, password: 'cleo-customer-pass-2026' } });
    const ticket = await stack.api('POST', '/tickets', { token: login.body.accessToken, body: { subject, description: 'It prints only blank pages' } });
    expect(ticket.status, JSON.stringify(ticket.body)).toBe(201);
    const solved = await stack.api('PATCH', `/tickets/${ticket.body.id}`, { token, body: { status: 'solved' } });
    expect(solved.status, JSON.stringify(solved.body)).toBe(200);
    return ticket.body as { id: string; number: number };
  };

  it('rates from the mail in one click, then changes the rating and adds a comment that staff see at once', async () => {
    const ticket = await solvedTicketFor('Printer prints blank pages');
    const mail = await stack.mailTo(customerEmail, /^Solved:/);
    const bad = mail.text.match(/http\S+\/rate\/[A-Za-z0-9_-]{43}\?rating=bad/)?.[0];
    expect(bad, mail.text).toBeDefined();

    const staffPage = await app.signedInPage();
    await staffPage.goto(`${stack.url}/tickets/${ticket.id}`);
    const card = staffPage.getByRole('region', { name: 'Customer satisfaction' });
    await card.getByText('Not rated yet').waitFor();

    const customerPage = await openPage(app.browser);
    await customerPage.goto(bad!);
    await customerPage.getByText('Thank you, your rating is saved.').waitFor();
    await customerPage.getByRole('radio', { name: "Bad, I'm unsatisfied", checked: true }).waitFor();
    await customerPage.waitForURL((url) => !url.search.includes('rating='));
    await card.getByText('Bad', { exact: true }).waitFor();

    await customerPage.getByRole('radio', { name: "Good, I'm satisfied" }).click();
    await customerPage.getByRole('radio', { name: "Good, I'm satisfied", checked: true }).waitFor();
    await customerPage.getByLabel('Anything you would like to tell us? (optional)').fill('Fixed within the hour, thanks!');
    await customerPage.getByRole('button', { name: 'Send' }).click();
    await expectAccessible(customerPage, 'the rating page');
    await saveScreenshot(customerPage, 'satisfaction-rating-page');

    // Realtime: the agent's open ticket shows the new rating and comment without a reload.
    await card.getByText('Good', { exact: true }).waitFor();
    await card.getByText('Fixed within the hour, thanks!').waitFor();
    await staffPage.getByRole('tab', { name: 'History' }).click();
    await staffPage.getByText('Rated the support good: "Fixed within the hour, thanks!"').waitFor();

    // Reloading the page keeps what the customer chose last.
    await customerPage.reload();
    await customerPage.getByRole('radio', { name: "Good, I'm satisfied", checked: true }).waitFor();
    expect(await customerPage.getByLabel('Anything you would like to tell us? (optional)').inputValue()).toBe('Fixed within the hour, thanks!');
    const view = await stack.api('GET', `/tickets/${ticket.id}`, { token });
    expect(view.body.satisfaction).toMatchObject({ rating: 'good', comment: 'Fixed within the hour, thanks!' });
  }, 90_000);

  it('names a broken link, and sends no survey once an admin turns surveys off', async () => {
    const page = await app.signedInPage();
    await page.goto(`${stack.url}/rate/${'x'.repeat(43)}`);
    await page.getByRole('alert').getByText('This rating link is not valid').waitFor();

    await page.goto(`${stack.url}/admin/organization`);
    const surveys = page.getByRole('switch', { name: 'Ask customers to rate solved tickets' });
    expect(await surveys.isChecked()).toBe(true);
    await surveys.click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved').first().waitFor();
    expect((await stack.api('GET', '/organization', { token })).body.satisfactionSurveys).toBe(false);

    const ticket = await solvedTicketFor('Scanner jammed');
    const mail = await stack.mailTo(customerEmail, new RegExp(`^Solved: \\[#${ticket.number}\\]`));
    expect(mail.text).not.toContain('/rate/');
  }, 60_000);
});
