import { randomBytes } from 'node:crypto';
import { ConsoleStack, launchChromium, waitFor } from '@helpdesk/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailFixture, withHeaders } from '../apps/notification/src/testing/mail-fixtures.js';
import { expectAccessible, openPage, saveScreenshot, logIn as logInAt } from './support/console-page.js';

/**
 * The ticket page in Chromium against all five services, with mail coming in by the HTTP way in:
 * a customer's mail Cc's a colleague, who shows as copied; bounces of the requester and of the
 * colleague show as "Mail bounces" and the requester's is cleared with its button; an agent adds and
 * removes a participant; the requester sees on the portal who is copied.
 */
describe('web console: participants and bounces on the ticket page', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  const admin = { name: 'Pia Admin', email: 'pia@initech.example.test', password: 'pia-admin-pass-2026' };
  const requester = { name: 'Rita Requester', email: `rita-${randomBytes(3).toString('hex')}@customer.example.test`, password: 'rita-portal-pass-2026' };
  const copied = { name: 'Colin Colleague', email: `colin-${randomBytes(3).toString('hex')}@customer.example.test` };
  const added = { email: `dana-${randomBytes(3).toString('hex')}@partner.example.test` };
  let token: string;
  let mailbox: { id: string; address: string; inboundToken: string };

  beforeAll(async () => {
    stack = await ConsoleStack.start('console-participants', { INBOUND_SMTP_PORT: '0' });
    const signup = await stack.api('POST', '/auth/signup', { body: { organizationName: 'Initech Help', ...admin } });
    expect(signup.status, JSON.stringify(signup.body)).toBe(201);
    token = signup.body.accessToken;
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const deliver = async (raw: string) => {
    const response = await fetch(`${stack.url}/api/v1/inbound/email/${mailbox.id}`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822', 'x-helpdesk-inbound-token': mailbox.inboundToken },
      body: raw,
    });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    return JSON.parse(text) as { outcome: string; ticketId: string | null };
  };
  /** A Postfix report that the mail with this Message-ID to `failed` bounced for good. */
  const bounceFor = (failed: string, returned: string) =>
    withHeaders(
      mailFixture('noise/bounce-postfix.eml').replaceAll('gone@example.test', failed).replaceAll('Gone@Example.test', failed).replace('Message-ID: <5f2c0d7e@acme.test>', `Message-ID: ${returned}`),
      { 'Message-Id': `<${randomBytes(6).toString('hex')}@mx.example.test>`, To: mailbox.address },
    );

  const logIn = (page: Page, person: { email: string; password: string }) => logInAt(page, stack.url, person);

  it('shows who is copied with their bounce marks, clears the requester\'s, and lets an agent add and remove a participant; the requester sees who is copied', async () => {
    const adminPage = await openPage(browser);
    await logIn(adminPage, admin);
    // The organization mails customers only once its address is verified.
    await adminPage.goto(stack.linkIn(await stack.mailTo(admin.email, /Verify the email address/)));
    await adminPage.getByRole('status').filter({ hasText: 'Your address is verified' }).waitFor();

    const created = await stack.api('POST', '/mailboxes', { token, body: { address: `help-${randomBytes(3).toString('hex')}@initech.example.test` } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    mailbox = created.body;

    // The customer writes in and Cc's a colleague: a ticket, the colleague copied on it.
    const subject = `Badge reader ${randomBytes(3).toString('hex')} is broken`;
    const opened = await deliver(
      withHeaders(mailFixture('gmail-new-request.eml'), {
        'Message-ID': `<${randomBytes(8).toString('hex')}@mail.gmail.com>`,
        From: `${requester.name} <${requester.email}>`,
        To: mailbox.address,
        Cc: `${copied.name} <${copied.email}>`,
        Subject: subject,
      }),
    );
    expect(opened.outcome).toBe('ticket_created');
    const ticketId = opened.ticketId!;

    // An agent's public reply reaches the requester and the colleague; both addresses then bounce.
    const reply = await stack.api('POST', `/tickets/${ticketId}/comments`, { token, body: { body: '<p>We are on it.</p>', internal: false } });
    expect(reply.status).toBe(201);
    for (const person of [requester, copied]) {
      const mail = await stack.mailTo(person.email, new RegExp(subject));
      expect((await deliver(bounceFor(person.email, mail.headers.get('message-id')!))).outcome).toBe('bounce_recorded');
    }

    await adminPage.goto(`${stack.url}/tickets/${ticketId}`);
    await adminPage.getByRole('heading', { name: subject }).waitFor();
    const requesterCard = adminPage.getByRole('region', { name: 'Requester' });
    const copiedList = adminPage.getByRole('region', { name: 'Copied' });
    await copiedList.getByRole('listitem').filter({ hasText: copied.email }).getByText('Mail bounces').waitFor();
    await requesterCard.getByText('Mail bounces').waitFor();
    await expectAccessible(adminPage, 'the ticket page with participants and bounce marks');
    await saveScreenshot(adminPage, 'ticket-participants');

    // Clear the requester's mark: the badge goes, the colleague's stays.
    await requesterCard.getByRole('button', { name: `Clear bounce for ${requester.name}` }).click();
    await adminPage.getByText(`Mail will be sent to ${requester.email} again.`).waitFor();
    await requesterCard.getByText('Mail bounces').waitFor({ state: 'detached' });
    const { requesterId } = (await stack.api('GET', `/tickets/${ticketId}`, { token })).body;
    expect((await stack.api('GET', `/users/${requesterId}`, { token })).body.bouncingSince).toBeNull();
    await copiedList.getByText('Mail bounces').waitFor();

    // Refusals show next to the field; a valid address is added, then removed.
    const field = copiedList.getByLabel('Email address to copy');
    await field.fill(mailbox.address);
    await copiedList.getByRole('button', { name: 'Add' }).click();
    await copiedList.getByText(/help desk's own addresses/).waitFor();
    await field.fill(added.email);
    await copiedList.getByRole('button', { name: 'Add' }).click();
    const addedRow = copiedList.getByRole('listitem').filter({ hasText: added.email });
    await addedRow.waitFor();
    expect(await field.inputValue()).toBe('');
    await expectAccessible(adminPage, 'the ticket page after adding a participant');
    await addedRow.getByRole('button', { name: /^Stop copying/ }).click();
    await addedRow.waitFor({ state: 'detached' });
    const participants = await stack.api('GET', `/tickets/${ticketId}/participants`, { token });
    expect(participants.body.items.map((participant: { email: string }) => participant.email)).toEqual([copied.email]);
    expect(participants.body.nextCursor).toBeNull();

    // The history names both changes.
    await adminPage.getByRole('tab', { name: 'History' }).click();
    await adminPage.getByText(`Copied ${added.email}`, { exact: true }).waitFor();
    await adminPage.getByText(`No longer copied: ${added.email}`, { exact: true }).waitFor();

    // The requester (password-less from mail) sets a password through the reset mail, and sees who is copied.
    expect((await stack.api('POST', '/auth/password-reset', { body: { email: requester.email } })).status).toBe(202);
    const customerPage = await openPage(browser);
    await customerPage.goto(stack.linkIn(await stack.mailTo(requester.email, /Reset your/)));
    await customerPage.getByLabel('New password').fill(requester.password);
    await customerPage.getByLabel('Repeat the password').fill(requester.password);
    await customerPage.getByRole('button', { name: 'Set the new password' }).click();
    await customerPage.getByText('Your password is set').waitFor();
    await logIn(customerPage, requester);
    await customerPage.goto(`${stack.url}/tickets/${ticketId}`);
    const portalCopied = customerPage.getByRole('region', { name: 'Copied' });
    await portalCopied.getByText(copied.email).waitFor();
    expect(await portalCopied.getByText('Mail bounces').count()).toBe(0);
    expect(await portalCopied.getByRole('button').count()).toBe(0);
    await expectAccessible(customerPage, 'the portal ticket page with who is copied');

    // An agent adding someone shows up live on the requester's open page (ticket.updated).
    expect((await stack.api('POST', `/tickets/${ticketId}/participants`, { token, body: { email: added.email } })).status).toBe(201);
    await waitFor('the new participant on the portal page', async () => ((await portalCopied.getByText(added.email).count()) > 0 ? true : undefined), 20_000, 250);
  }, 240_000);
});
