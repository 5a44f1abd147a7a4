import { Notifications } from '@mantine/notifications';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MailboxView } from '@helpdesk/contracts';
import { renderWithProviders } from '../../../test/render';
import { MailboxesPage } from './MailboxesPage';

const counts = { received: 3, ticketsCreated: 2, commentsAdded: 1, duplicates: 0, failures: 0 };
const existing: MailboxView = {
  id: 'mb-1',
  address: 'help@acme.test',
  imap: { host: 'imap.acme.test', port: 993, tls: true, user: 'help@acme.test', folder: 'INBOX' },
  status: { lastPollAt: null, lastError: 'The IMAP server refused the login of help@acme.test', consecutiveFailures: 6, failing: true, counts },
  replyTo: { tokenFits: true, used: true },
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
};

/** The gateway as the page sees it: the first create refused by the connection check, the next one accepted. */
function fakeGateway(listed: MailboxView[] = [existing]) {
  const sent: Array<{ method: string; path: string; body: Record<string, unknown> }> = [];
  let creates = 0;
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const path = url.split('?')[0]!;
    const method = init.method ?? 'GET';
    if (method !== 'GET') sent.push({ method, path, body: init.body ? (JSON.parse(String(init.body)) as Record<string, unknown>) : {} });
    if (path === '/api/v1/mailboxes' && method === 'GET') return json(200, { items: listed, nextCursor: null });
    if (path === '/api/v1/mailboxes' && method === 'POST') {
      creates += 1;
      if (creates === 1) return json(400, { statusCode: 400, error: 'Bad Request', message: ['imap: The folder "Support" cannot be opened on the IMAP server: Mailbox doesn\'t exist'], requestId: 'r' });
      return json(201, { ...existing, id: 'mb-2', address: 'new@acme.test', inboundToken: 'tok_0123456789abcdefghijklmnopqrstuvwxyzABCDE' });
    }
    if (path === '/api/v1/mailboxes/mb-1' && method === 'PATCH') return json(200, existing);
    return json(404, { statusCode: 404, error: 'Not Found', message: 'Not found', requestId: 'r' });
  });
  return sent;
}

describe('mailboxes page', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows a failing mailbox with its error and counts', async () => {
    fakeGateway();
    renderWithProviders(<MailboxesPage />);

    const row = (await screen.findByText('help@acme.test', { selector: 'p' })).closest('tr')!;
    expect(within(row).getByText('Failing')).toBeDefined();
    expect(within(row).getByText('The IMAP server refused the login of help@acme.test')).toBeDefined();
    expect(within(row).getByText('3 received · 2 tickets · 1 comments · 0 duplicates · 0 failed')).toBeDefined();
  });

  it('shows the connection check refusal next to the form, then the token once when the mailbox is saved', async () => {
    const sent = fakeGateway();
    const person = userEvent.setup();
    renderWithProviders(
      <>
        <Notifications />
        <MailboxesPage />
      </>,
    );
    await person.click(await screen.findByRole('button', { name: 'New mailbox' }));
    const form = await screen.findByRole('form', { name: 'New mailbox' });
    await person.type(within(form).getByLabelText(/^Address/), 'new@acme.test');
    await person.type(within(form).getByLabelText(/^IMAP host/), 'imap.acme.test');
    await person.type(within(form).getByLabelText(/^IMAP user/), 'new@acme.test');
    await person.type(within(form).getByLabelText(/^IMAP password/), 'secret');
    await person.clear(within(form).getByLabelText(/^Folder/));
    await person.type(within(form).getByLabelText(/^Folder/), 'Support');
    await person.click(within(form).getByRole('button', { name: 'New mailbox' }));

    expect((await within(form).findByRole('alert')).textContent).toContain('The folder "Support" cannot be opened');
    expect(sent[0]).toMatchObject({ method: 'POST', body: { address: 'new@acme.test', imap: { host: 'imap.acme.test', port: 993, tls: true, user: 'new@acme.test', password: 'secret', folder: 'Support' } } });

    await person.click(within(form).getByRole('button', { name: 'New mailbox' }));
    expect((await screen.findByLabelText('Inbound token')).textContent).toBe('tok_0123456789abcdefghijklmnopqrstuvwxyzABCDE');
  });

  it('keeps the stored IMAP password when an edit leaves it empty', async () => {
    const sent = fakeGateway();
    const person = userEvent.setup();
    renderWithProviders(
      <>
        <Notifications />
        <MailboxesPage />
      </>,
    );
    await person.click(await screen.findByRole('button', { name: 'Edit help@acme.test' }));
    const form = await screen.findByRole('form', { name: 'Edit help@acme.test' });
    await person.clear(within(form).getByLabelText(/^IMAP host/));
    await person.type(within(form).getByLabelText(/^IMAP host/), 'imap2.acme.test');
    await person.click(within(form).getByRole('button', { name: 'Save' }));

    await screen.findByText('Saved');
    expect(sent).toEqual([{ method: 'PATCH', path: '/api/v1/mailboxes/mb-1', body: { address: 'help@acme.test', imap: { host: 'imap2.acme.test', port: 993, tls: true, user: 'help@acme.test', folder: 'INBOX' } } }]);
  });

  it('marks the mailbox ticket mails name in Reply-To, and warns about an address too long for reply tokens', async () => {
    const long: MailboxView = { ...existing, id: 'mb-long', address: 'customer-service-europe@acme.test', replyTo: { tokenFits: false, used: false } };
    fakeGateway([long, existing]);
    renderWithProviders(<MailboxesPage />);

    const longRow = (await screen.findByText('customer-service-europe@acme.test', { selector: 'p' })).closest('tr')!;
    expect(within(longRow).getByText(/Too long for reply tokens: the part before @ may have at most 18 characters/)).toBeDefined();
    expect(within(longRow).queryByText('Reply-To')).toBeNull();
    const shortRow = screen.getByText('help@acme.test', { selector: 'p' }).closest('tr')!;
    expect(within(shortRow).getByText('Reply-To')).toBeDefined();
    expect(within(shortRow).queryByText(/Too long for reply tokens/)).toBeNull();
    expect(screen.queryByText(/Ticket mails go out without a Reply-To/)).toBeNull();
  });

  it('says so when no mailbox can carry reply tokens: ticket mails then have no Reply-To', async () => {
    fakeGateway([{ ...existing, address: 'customer-service-europe@acme.test', replyTo: { tokenFits: false, used: false } }]);
    renderWithProviders(<MailboxesPage />);

    expect((await screen.findByRole('alert')).textContent).toMatch(/^Ticket mails go out without a Reply-To: no mailbox has a part before @ of 18 characters or fewer/);
  });
});
