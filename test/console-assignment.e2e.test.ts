import { randomBytes } from 'node:crypto';
import { ConsoleStack, launchChromium } from '@helpdesk/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, openPage, saveScreenshot } from './support/console-page.js';

/**
 * Team assignment in Chromium against all five services: the agent's open console makes them online
 * (realtime reports the socket to the ticket service), they set their availability in the shell; the
 * admin sets a team to round robin and its members, and a ticket for the team arrives assigned.
 */
describe('web console: team assignment', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  const suffix = randomBytes(3).toString('hex');
  const admin = { name: 'Ola Admin', email: `ola-${suffix}@assign.example.test`, password: 'ola-admin-pass-2026' };
  const agent = { name: 'Ivo Agent', email: `ivo-${suffix}@assign.example.test`, password: 'ivo-agent-pass-2026' };
  let token: string;
  let agentId: string;

  beforeAll(async () => {
    stack = await ConsoleStack.start('console-assignment');
    const signup = await stack.api('POST', '/auth/signup', { body: { organizationName: 'Assign Help', ...admin } });
    expect(signup.status, JSON.stringify(signup.body)).toBe(201);
    token = signup.body.accessToken;
    // Adding users waits for the organization's verified address.
    const verification = await stack.mailTo(admin.email, /Verify the email address/);
    const verified = await stack.api('POST', '/auth/verify-email', { body: { token: new URL(stack.linkIn(verification)).searchParams.get('token') } });
    expect(verified.status).toBeLessThan(300);
    const invited = await stack.api('POST', '/users', { token, body: { ...agent, role: 'agent' } });
    expect(invited.status, JSON.stringify(invited.body)).toBe(201);
    agentId = invited.body.id;
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const logIn = async (person: { email: string; password: string }): Promise<Page> => {
    const page = await openPage(browser);
    await page.goto(`${stack.url}/login`);
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel(/^Password/).fill(person.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/tickets/);
    return page;
  };
  /** The input of a labelled select: Mantine gives its option list the same label. */
  const input = (scope: Page | ReturnType<Page['getByRole']>, label: string) => scope.getByLabel(label, { exact: true }).and(scope.locator('input'));
  const availabilityOf = async () => (await stack.api<{ availability: string; availabilitySetting: string }>('GET', `/users/${agentId}`, { token })).body;

  it('an agent with the console open is online; the admin sets round robin and a ticket for the team is assigned to them', async () => {
    const agentPage = await logIn(agent);
    // The open console is presence: the agent is online for assignment.
    await expect.poll(async () => (await availabilityOf()).availability, { timeout: 20_000 }).toBe('online');
    // Away by hand from the shell, then back.
    const mine = input(agentPage, 'My availability');
    await mine.click();
    await agentPage.getByRole('option', { name: 'Away' }).click();
    await expect.poll(async () => (await availabilityOf()).availability, { timeout: 15_000 }).toBe('away');
    await mine.click();
    await agentPage.getByRole('option', { name: 'Online' }).click();
    await expect.poll(async () => (await availabilityOf()).availability, { timeout: 15_000 }).toBe('online');
    await expectAccessible(agentPage, 'the shell with the availability control');

    const page = await logIn(admin);
    await page.goto(`${stack.url}/admin/teams`);
    const form = page.getByRole('form', { name: 'New team' });
    await form.getByLabel('Team name', { exact: false }).fill('Tier 1');
    await input(form, 'Assignment').click();
    await page.getByRole('option', { name: 'Round robin' }).click();
    await form.getByRole('button', { name: 'New team' }).click();
    const card = page.getByRole('region', { name: 'Tier 1' });
    await card.waitFor();
    await expect.poll(async () => input(card, 'Assignment: Tier 1').inputValue()).toBe('Round robin');
    await input(card, 'Members: Tier 1').click();
    await page.getByRole('option', { name: agent.name }).click();
    await card.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved').first().waitFor();
    await expectAccessible(page, 'the teams page with assignment');
    await saveScreenshot(page, 'admin-teams-assignment');
    const teams = await stack.api<{ items: Array<{ id: string; name: string; assignment: string; memberIds: string[] }> }>('GET', '/teams?limit=100', { token });
    const team = teams.body.items.find((candidate) => candidate.name === 'Tier 1')!;
    expect(team).toMatchObject({ assignment: 'round_robin', memberIds: [agentId] });

    const created = await stack.api('POST', '/tickets', { token, body: { subject: 'Cannot print invoices', description: '<p>Help</p>', teamId: team.id } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await page.goto(`${stack.url}/tickets/${created.body.id}`);
    await page.getByRole('heading', { name: /Cannot print invoices/ }).waitFor();
    const assignee = page.getByRole('form', { name: 'Properties' }).getByLabel('Assignee', { exact: true });
    // Assigned by the team's rule: the console shows it without anyone picking.
    await expect.poll(async () => assignee.inputValue(), { timeout: 20_000 }).toBe(agent.name);
    // The picker shows each colleague's availability.
    await assignee.click();
    await page.getByRole('option', { name: `${agent.name} Online` }).waitFor();
    await page.keyboard.press('Escape');
    await saveScreenshot(page, 'ticket-assigned-by-round-robin');
  }, 180_000);

  it('the admin sets capacity and availability on the users page', async () => {
    const page = await logIn(admin);
    await page.goto(`${stack.url}/admin/users`);
    const capacity = input(page, `Capacity: ${agent.name}`);
    await capacity.fill('3');
    await capacity.press('Enter');
    await expect.poll(async () => (await stack.api<{ capacity: number | null }>('GET', `/users/${agentId}`, { token })).body.capacity, { timeout: 15_000 }).toBe(3);
    await input(page, `Availability: ${agent.name}`).click();
    await page.getByRole('option', { name: 'Offline' }).click();
    await expect.poll(async () => (await availabilityOf()).availabilitySetting, { timeout: 15_000 }).toBe('offline');
    await expectAccessible(page, 'the users page with capacity and availability');
  }, 120_000);
});
