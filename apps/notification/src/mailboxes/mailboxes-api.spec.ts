import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, TestImapServer, type ImapAccount } from '@helpdesk/testing';
import { INBOUND_TOKEN_HEADER, type MailboxView, type MailboxWithTokenView, type Page } from '@helpdesk/contracts';
import { GatewayHarness, type SignedUpAdmin } from '../../../gateway/src/testing/gateway-harness.js';
import { NotificationHarness } from '../testing/notification-harness.js';
import { DataEncryption } from './data-encryption.js';

const KEY = randomBytes(32).toString('base64');
const ACCOUNT: ImapAccount = { user: 'support@acme.test', password: 'imap-secret-Pa55' };

describe('/api/v1/mailboxes', () => {
  let gateway: GatewayHarness;
  let harness: NotificationHarness;
  let imapServer: TestImapServer;
  // Settings are checked on save (login and folder), so they point at a real Dovecot.
  let IMAP: { host: string; port: number; tls: boolean; user: string; password: string };

  beforeAll(async () => {
    imapServer = await TestImapServer.start([ACCOUNT]);
    IMAP = { host: imapServer.host, port: imapServer.port, tls: false, user: ACCOUNT.user, password: ACCOUNT.password };
    const client = await imapServer.client(ACCOUNT);
    await client.mailboxCreate('Support');
    await client.logout();
    gateway = await GatewayHarness.start('mailboxes-api');
    harness = await NotificationHarness.start('mailboxes-api', { DATA_ENCRYPTION_KEY: KEY }, { ticket: gateway.ticket });
  });

  afterAll(async () => {
    await harness?.stop();
    await gateway?.stop();
    await imapServer?.close();
  });

  const address = () => `support-${randomBytes(4).toString('hex')}@acme.test`;
  const create = (admin: SignedUpAdmin | { accessToken: string }, body: object) => gateway.call('/mailboxes', { token: admin.accessToken, body });
  const storedRow = async (id: string) =>
    ((await harness.ticket.dataSource.query(`SELECT * FROM notification.mailboxes WHERE id = $1`, [id])) as Array<Record<string, unknown>>)[0]!;

  it('creates a mailbox for an admin: the token shown once, the IMAP password never, stored encrypted and the token hashed', async () => {
    const admin = await gateway.signup();
    const mailboxAddress = address();

    const response = await create(admin, { address: mailboxAddress.toUpperCase(), imap: IMAP });

    expect(response.status).toBe(201);
    const created = (await response.json()) as MailboxWithTokenView;
    expect(created).toMatchObject({ address: mailboxAddress, imap: { host: IMAP.host, port: IMAP.port, tls: false, user: IMAP.user, folder: 'INBOX' } });
    expect(created.inboundToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(created)).not.toContain(IMAP.password);

    const row = await storedRow(created.id);
    expect(row.imap_password_encrypted).not.toContain(IMAP.password);
    expect(row.inbound_token_hash).not.toBe(created.inboundToken);
    expect(new DataEncryption(KEY).decrypt(String(row.imap_password_encrypted))).toBe(IMAP.password);

    for (const path of ['/mailboxes', `/mailboxes/${created.id}`]) {
      const text = await (await gateway.call(path, { token: admin.accessToken })).text();
      expect(text).toContain(mailboxAddress);
      expect(text).not.toContain(IMAP.password);
      expect(text).not.toContain(String(row.inbound_token_hash));
      expect(text).not.toContain('inboundToken');
    }
  });

  it('decrypts what an old key encrypted after the key is rotated, and re-encrypts with the new key on the next password change', async () => {
    const admin = await gateway.signup();
    const created = (await (await create(admin, { address: address(), imap: IMAP })).json()) as MailboxWithTokenView;
    const before = String((await storedRow(created.id)).imap_password_encrypted);

    const newKey = randomBytes(32).toString('base64');
    const rotated = new DataEncryption(newKey, [KEY]);
    expect(rotated.decrypt(before)).toBe(IMAP.password);
    expect(() => new DataEncryption(newKey).decrypt(before)).toThrow(/not configured/);

    // Without a new password the stored ciphertext is kept as it was.
    const renamed = await gateway.call(`/mailboxes/${created.id}`, { method: 'PATCH', token: admin.accessToken, body: { imap: { ...IMAP, password: undefined, folder: 'Support' } } });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ imap: { folder: 'Support' } });
    expect((await storedRow(created.id)).imap_password_encrypted).toBe(before);
  });

  it('answers 409 when the address belongs to a mailbox of any organization, whatever its case', async () => {
    const first = await gateway.signup();
    const second = await gateway.signup('Other Desk');
    const taken = address();
    expect((await create(first, { address: taken })).status).toBe(201);

    const sameOrganization = await create(first, { address: taken });
    const otherOrganization = await create(second, { address: taken.toUpperCase() });

    expect(sameOrganization.status).toBe(409);
    expect(otherOrganization.status).toBe(409);
    expect(((await otherOrganization.json()) as { message: string }).message).toMatch(/already belongs/);
    const other = (await (await create(second, { address: address() })).json()) as MailboxView;
    const renamed = await gateway.call(`/mailboxes/${other.id}`, { method: 'PATCH', token: second.accessToken, body: { address: taken } });
    expect(renamed.status).toBe(409);
  });

  it("refuses agents and customers (403) and answers 404 for another organization's mailbox", async () => {
    const admin = await gateway.signup();
    const agent = await gateway.addUser(admin.organization.id, 'agent');
    const customer = await gateway.addUser(admin.organization.id, 'customer');
    const mailbox = (await (await create(admin, { address: address() })).json()) as MailboxView;

    expect((await create(agent, { address: address() })).status).toBe(403);
    expect((await gateway.call('/mailboxes', { token: agent.accessToken })).status).toBe(403);
    expect((await gateway.call(`/mailboxes/${mailbox.id}`, { token: customer.accessToken })).status).toBe(403);
    expect((await gateway.call('/mailboxes', { body: { address: address() } })).status).toBe(401);

    const stranger = await gateway.signup('Elsewhere');
    for (const [method, path] of [
      ['GET', `/mailboxes/${mailbox.id}`],
      ['PATCH', `/mailboxes/${mailbox.id}`],
      ['DELETE', `/mailboxes/${mailbox.id}`],
      ['POST', `/mailboxes/${mailbox.id}/rotate-token`],
    ] as const) {
      const response = await gateway.call(path, { method, token: stranger.accessToken, ...(method === 'PATCH' ? { body: { address: address() } } : {}) });
      expect(response.status, `${method} ${path}`).toBe(404);
    }
    const list = (await (await gateway.call('/mailboxes', { token: stranger.accessToken })).json()) as Page<MailboxView>;
    expect(list.items).toEqual([]);
    expect((await gateway.call(`/mailboxes/${mailbox.id}`, { token: admin.accessToken })).status).toBe(200);
  });

  it('re-checks the admin: a demoted admin whose token still says admin is refused', async () => {
    const admin = await gateway.signup();
    const demoted = await gateway.addUser(admin.organization.id, 'admin');
    await gateway.ticket.dataSource.query(`UPDATE helpdesk.users SET role = 'agent' WHERE id = $1`, [demoted.principal.userId]);
    expect((await create(demoted, { address: address() })).status).toBe(403);
  });

  it('rotates the token (shown once more), updates, pages and deletes', async () => {
    const admin = await gateway.signup();
    const created = (await (await create(admin, { address: address() })).json()) as MailboxWithTokenView;
    const second = (await (await create(admin, { address: address(), imap: IMAP })).json()) as MailboxWithTokenView;

    const rotation = await gateway.call(`/mailboxes/${created.id}/rotate-token`, { method: 'POST', token: admin.accessToken });
    expect(rotation.status).toBe(200);
    const rotated = (await rotation.json()) as MailboxWithTokenView;
    expect(rotated.inboundToken).not.toBe(created.inboundToken);

    const firstPage = (await (await gateway.call('/mailboxes?limit=1', { token: admin.accessToken })).json()) as Page<MailboxView>;
    expect(firstPage.items.map((mailbox) => mailbox.id)).toEqual([created.id]);
    const secondPage = (await (await gateway.call(`/mailboxes?limit=1&cursor=${firstPage.nextCursor}`, { token: admin.accessToken })).json()) as Page<MailboxView>;
    expect(secondPage).toEqual({ items: [expect.objectContaining({ id: second.id })], nextCursor: null });
    expect((await gateway.call('/mailboxes?cursor=garbage', { token: admin.accessToken })).status).toBe(400);

    const withoutImap = await gateway.call(`/mailboxes/${second.id}`, { method: 'PATCH', token: admin.accessToken, body: { imap: null } });
    expect(await withoutImap.json()).toMatchObject({ imap: null });
    const imapWithoutPassword = await gateway.call(`/mailboxes/${second.id}`, { method: 'PATCH', token: admin.accessToken, body: { imap: { ...IMAP, password: undefined } } });
    expect(imapWithoutPassword.status).toBe(400);

    expect((await gateway.call(`/mailboxes/${created.id}`, { method: 'DELETE', token: admin.accessToken })).status).toBe(204);
    expect((await gateway.call(`/mailboxes/${created.id}`, { token: admin.accessToken })).status).toBe(404);
  });

  it('checks the IMAP settings on save: a refused login, an unreachable server or a missing folder is a 400 naming it, and nothing is saved', async () => {
    const admin = await gateway.signup();
    const refused = async (imap: object) => {
      const response = await create(admin, { address: address(), imap });
      expect(response.status).toBe(400);
      // Validation errors answer their messages as a list, as the gateway's own.
      return ((await response.json()) as { message: string[] }).message.join(' ');
    };

    expect(await refused({ ...IMAP, password: 'wrong-password' })).toMatch(/refused the login of support@acme\.test/);
    const closedPort = await freePort();
    expect(await refused({ ...IMAP, port: closedPort })).toMatch(new RegExp(`cannot be reached.*ECONNREFUSED`));
    expect(await refused({ ...IMAP, folder: 'Nowhere' })).toMatch(/folder "Nowhere" cannot be opened/);
    const listed = (await (await gateway.call('/mailboxes', { token: admin.accessToken })).json()) as Page<MailboxView>;
    expect(listed.items).toEqual([]);

    const created = (await (await create(admin, { address: address(), imap: IMAP })).json()) as MailboxWithTokenView;
    const badChange = await gateway.call(`/mailboxes/${created.id}`, { method: 'PATCH', token: admin.accessToken, body: { imap: { ...IMAP, password: undefined, folder: 'Nowhere' } } });
    expect(badChange.status).toBe(400);
    expect((await storedRow(created.id)).imap_folder).toBe('INBOX');

    // A stored password no configured key opens must be given again to change the settings.
    const foreign = new DataEncryption(randomBytes(32).toString('base64')).encrypt(IMAP.password);
    await harness.ticket.dataSource.query(`UPDATE notification.mailboxes SET imap_password_encrypted = $2 WHERE id = $1`, [created.id, foreign]);
    const undecryptable = await gateway.call(`/mailboxes/${created.id}`, { method: 'PATCH', token: admin.accessToken, body: { imap: { ...IMAP, password: undefined } } });
    expect(undecryptable.status).toBe(400);
    expect(((await undecryptable.json()) as { message: string[] }).message.join(' ')).toMatch(/imap\.password is required: the stored one cannot be decrypted/);
  });

  it('answers each mailbox with its status: last poll, last error and the counts of what its mail became', async () => {
    const admin = await gateway.signup();
    const created = (await (await create(admin, { address: address() })).json()) as MailboxWithTokenView;
    expect(created.status).toEqual({ lastPollAt: null, lastError: null, consecutiveFailures: 0, failing: false, counts: { received: 0, ticketsCreated: 0, commentsAdded: 0, duplicates: 0, failures: 0 } });

    const raw = ['From: Customer <customer@example.test>', `To: ${created.address}`, 'Subject: Printer on fire', 'Message-ID: <status-1@example.test>', '', 'Help', ''].join('\r\n');
    const post = () => fetch(`${gateway.url}/api/v1/inbound/email/${created.id}`, { method: 'POST', headers: { 'content-type': 'message/rfc822', [INBOUND_TOKEN_HEADER]: created.inboundToken }, body: raw });
    expect((await post()).status).toBeLessThan(300);
    expect((await post()).status).toBeLessThan(300);

    const shown = (await (await gateway.call(`/mailboxes/${created.id}`, { token: admin.accessToken })).json()) as MailboxView;
    expect(shown.status.counts).toEqual({ received: 2, ticketsCreated: 1, commentsAdded: 0, duplicates: 1, failures: 0 });
  });

  it('validates the body: a bad address, IMAP port or unknown field is 400', async () => {
    const admin = await gateway.signup();
    expect((await create(admin, { address: 'not an address' })).status).toBe(400);
    expect((await create(admin, { address: address(), imap: { ...IMAP, port: 70_000 } })).status).toBe(400);
    expect((await create(admin, { address: address(), imap: { ...IMAP, password: '' } })).status).toBe(400);
    expect((await create(admin, { address: address(), extra: true })).status).toBe(400);
  });

  it('is documented in the OpenAPI document, with its bodies and the inbound route', async () => {
    const document = (await (await fetch(`${gateway.url}/api/docs-json`)).json()) as { paths: Record<string, Record<string, { requestBody?: unknown; responses?: unknown }>> };
    expect(JSON.stringify(document.paths['/api/v1/mailboxes']?.post?.requestBody)).toContain('CreateMailboxBody');
    expect(JSON.stringify(document.paths['/api/v1/mailboxes/{id}']?.patch?.requestBody)).toContain('UpdateMailboxBody');
    expect(document.paths['/api/v1/mailboxes/{id}/rotate-token']?.post).toBeDefined();
    const inbound = document.paths['/api/v1/inbound/email/{mailboxId}']?.post;
    expect(JSON.stringify(inbound?.requestBody)).toContain('message/rfc822');
    expect(JSON.stringify(inbound?.responses)).toContain('ticket_created');
  });
});
