import type { ConsoleStack } from '@helpdesk/testing';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@helpdesk/testing';
import { AdminConsole } from './support/admin-console.js';
import { expectAccessible, saveScreenshot } from './support/console-page.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

function signedWith(secret: string, request: Received): boolean {
  const [timestamp, digest] = String(request.headers['x-helpdesk-signature']).match(/^t=(\d+),v1=([0-9a-f]{64})$/)?.slice(1) ?? [];
  if (!timestamp || !digest) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.${request.body}`).digest();
  return timingSafeEqual(Buffer.from(digest, 'hex'), expected);
}

/**
 * Webhooks in Chromium against all five services: an admin is told why a private URL is refused,
 * registers a receiver of the test's own on 127.0.0.1, sends a test event (which fails once and is
 * retried), reads the delivery log, redelivers, changes the secret and events, disables, enables and
 * deletes the webhook.
 */
describe('web console: webhooks', () => {
  let app: AdminConsole;
  let stack: ConsoleStack;
  let token: string;
  let receiver: Server;
  const received: Received[] = [];

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        // The first delivery fails, so the log shows a retry.
        if (received.length === 1) response.writeHead(500).end('receiver warming up');
        else response.writeHead(200, { 'content-type': 'text/plain' }).end(`thanks for ${received.length}`);
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    app = await AdminConsole.start(
      'console-webhooks',
      'Hook Help',
      { name: 'Wendy Admin', password: 'wendy-admin-pass-2026' },
      { DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'), WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_RETRY_BASE_MS: '50', WEBHOOK_POLL_MS: '100' },
    );
    ({ stack, token } = app);
  }, 180_000);

  afterAll(async () => {
    await app?.stop();
    receiver?.closeAllConnections();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('registers a webhook, shows a refused URL with its reason, sends a test event, logs and redelivers it, edits, disables and deletes', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    const firstSecret = 'first-secret-0123456789';
    const secondSecret = 'second-secret-9876543210';
    const page = await app.signedInPage();
    await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await page.getByText('No webhooks yet.').waitFor();

    await page.getByRole('button', { name: 'New webhook' }).click();
    const form = page.getByRole('dialog', { name: 'New webhook' }).getByRole('form', { name: 'Create webhook' });
    await form.getByLabel(/^URL/).fill('http://10.0.0.5/hooks');
    await form.getByRole('checkbox', { name: /^ticket\.created/ }).check();
    await form.getByLabel(/^Secret/).fill(firstSecret);
    await form.getByRole('button', { name: 'Create webhook' }).click();
    await form.getByText('a private address', { exact: false }).waitFor();
    await expectAccessible(page, 'the webhook form with a refused URL');

    await form.getByLabel(/^URL/).fill(url);
    await form.getByLabel(/^Description/).fill('Local receiver');
    await form.getByRole('button', { name: 'Create webhook' }).click();
    const row = page.getByRole('row').filter({ hasText: url });
    await row.getByText('Active').waitFor();
    await row.getByText('ticket.created').waitFor();

    // A test event: refused once by the receiver, retried, and then logged as succeeded after 2 attempts.
    await row.getByRole('button', { name: 'Send test event' }).click();
    await page.getByText('Test event sent', { exact: false }).waitFor();
    await waitFor('the retried test event', async () => received.length >= 2);
    expect(received[0]!.headers['x-helpdesk-event']).toBe('webhook.test');
    expect(signedWith(firstSecret, received[1]!)).toBe(true);

    await row.getByRole('button', { name: 'Deliveries' }).click();
    const log = page.getByRole('dialog', { name: `Deliveries of ${url}` });
    const delivery = log.getByRole('row').filter({ hasText: 'webhook.test' });
    await delivery.getByText('Succeeded').waitFor();
    await delivery.getByText('thanks for 2').waitFor();
    expect(await delivery.getByRole('cell').nth(2).textContent()).toBe('2');
    expect(await delivery.getByRole('cell').nth(4).textContent()).toBe('200');
    expect(await delivery.getByRole('cell').nth(3).textContent()).toMatch(/^\d+ ms$/);
    await expectAccessible(page, 'the delivery log');
    await saveScreenshot(page, 'webhook-deliveries');

    await delivery.getByRole('button', { name: 'Redeliver' }).click();
    await page.getByText('Redelivery queued').waitFor();
    await log.getByText('thanks for 3').waitFor();
    expect(received[2]!.body).toBe(received[1]!.body);
    expect(received[2]!.headers['x-helpdesk-delivery']).not.toBe(received[1]!.headers['x-helpdesk-delivery']);
    await log.getByRole('button', { name: 'Close' }).click();

    // A new secret and one more event type.
    await row.getByRole('button', { name: `Edit webhook ${url}` }).click();
    const edit = page.getByRole('dialog', { name: `Edit webhook ${url}` });
    await edit.getByRole('checkbox', { name: /^comment\.created/ }).check();
    await edit.getByLabel(/^Secret/).fill(secondSecret);
    await edit.getByRole('button', { name: 'Save' }).click();
    await row.getByText('comment.created').waitFor();
    await row.getByRole('button', { name: 'Send test event' }).click();
    await waitFor('the test event signed with the new secret', async () => received.length >= 4);
    expect(signedWith(secondSecret, received[3]!)).toBe(true);

    await row.getByRole('button', { name: 'Disable' }).click();
    await row.getByText('Disabled', { exact: true }).waitFor();
    await row.getByText('disabled by an admin').waitFor();
    const [listed] = (await stack.api('GET', '/webhooks', { token })).body.items;
    expect(listed).toMatchObject({ url, active: false, events: ['ticket.created', 'comment.created'], description: 'Local receiver' });
    await row.getByRole('button', { name: 'Enable' }).click();
    await row.getByText('Active').waitFor();
    // The notices sit over the row's last buttons until they close by themselves, which they do not while the pointer rests on them.
    await page.mouse.move(0, 0);
    for (const notice of [`${url} enabled`, `${url} disabled`]) await page.getByText(notice).waitFor({ state: 'hidden', timeout: 30_000 });

    await row.getByRole('button', { name: `Delete webhook ${url}` }).click();
    const confirm = page.getByRole('dialog', { name: `Delete webhook ${url}` });
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByText('No webhooks yet.').waitFor();
    expect((await stack.api('GET', '/webhooks', { token })).body.items).toEqual([]);
  }, 120_000);

  it('sends a ticket to a webhook chosen in the trigger builder\'s "Send webhook" action', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/rules`;
    const secret = 'rule-secret-0123456789';
    const webhook = (await stack.api('POST', '/webhooks', { token, body: { url, events: ['user.invited'], secret } })).body as { id: string };
    const page = await app.signedInPage();
    await page.getByRole('link', { name: 'Triggers', exact: true }).click();
    await page.getByRole('heading', { name: 'Triggers' }).waitFor();
    await page.getByRole('button', { name: 'New trigger' }).click();
    const dialog = page.getByRole('dialog', { name: 'New trigger' });
    await dialog.getByLabel('Name', { exact: false }).first().fill('Tell the CRM');
    await dialog.getByLabel('Action 1', { exact: true }).click();
    await page.getByRole('option', { name: 'Send webhook' }).click();
    await dialog.getByLabel('Webhook of action 1', { exact: true }).click();
    await page.getByRole('option', { name: url }).click();
    await expectAccessible(page, 'the trigger builder with a webhook action');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    const [trigger] = (await stack.api('GET', '/triggers', { token })).body.items as Array<{ id: string; actions: unknown[] }>;
    expect(trigger!.actions).toEqual([{ type: 'webhook', webhookId: webhook.id }]);

    const ticket = (await stack.api('POST', '/tickets', { token, body: { subject: 'Sync me', description: 'To the CRM' } })).body as { id: string };
    await waitFor('the trigger\'s webhook delivery', async () => received.some((request) => request.headers['x-helpdesk-event'] === 'ticket.webhook_requested'));
    const delivery = received.find((request) => request.headers['x-helpdesk-event'] === 'ticket.webhook_requested')!;
    expect(signedWith(secret, delivery)).toBe(true);
    expect(JSON.parse(delivery.body)).toMatchObject({ type: 'ticket.webhook_requested', data: { webhookId: webhook.id, rule: { kind: 'trigger', id: trigger!.id, name: 'Tell the CRM' }, ticket: { id: ticket.id } } });
  }, 120_000);
});
