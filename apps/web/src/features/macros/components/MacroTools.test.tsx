import { Notifications } from '@mantine/notifications';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MacroPreview, MacroView, TicketView } from '@helpdesk/contracts';
import { renderWithProviders } from '../../../test/render';
import { ApplyMacroButton } from './MacroTools';

const ticket = {
  id: 't-1', number: 7, subject: 'Printer', description: '', status: 'new', priority: 'normal', requestedPriority: null, channel: 'web', tags: ['old'], requesterId: 'u-rita',
  assigneeId: null, teamId: null, slaPolicyId: null, firstResponseDueAt: null, firstRespondedAt: null, nextResponseDueAt: null, resolutionDueAt: null, resolvedAt: null,
  breaches: {}, version: 3, createdAt: '2026-12-04T08:00:00.000Z', updatedAt: '2026-12-04T08:00:00.000Z',
} satisfies TicketView;
const macro: MacroView = { id: 'm-1', name: 'Escalate', teamId: null, actions: [], createdAt: ticket.createdAt, updatedAt: ticket.createdAt };
const planField = { id: 'f-1', key: 'plan', label: 'Plan', type: 'dropdown', options: ['Free', 'Gold'], requiredToSolve: false, active: true, createdAt: ticket.createdAt, updatedAt: ticket.createdAt };
const preview: MacroPreview = {
  ticket: { ...ticket, status: 'pending', priority: 'urgent', tags: ['old', 'escalated'], version: 5, fields: { plan: 'Gold' } },
  comments: [{ id: 'c-1', ticketId: 't-1', authorId: 'u-alex', body: '<p>Escalated for Rob &lt;b&gt;</p>', internal: true, createdAt: ticket.createdAt }],
};

/** The macro routes as the gateway answers them; applying answers 409 when `stale`. */
function fakeGateway({ stale }: { stale: boolean }) {
  const sent: Array<{ method: string; url: string; ifMatch?: string | null }> = [];
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    if (method === 'GET' && url.startsWith('/api/v1/macros')) return json(200, { items: [macro], nextCursor: null });
    if (method === 'GET' && url.startsWith('/api/v1/ticket-fields')) return json(200, { items: [planField], nextCursor: null });
    sent.push({ method, url, ifMatch: new Headers(init.headers).get('if-match') });
    if (url === '/api/v1/tickets/t-1/macros/m-1?preview=true') return json(200, preview);
    if (url === '/api/v1/tickets/t-1/macros/m-1') return stale ? json(409, { statusCode: 409, error: 'Conflict', message: 'The ticket has changed since version 3', requestId: 'r' }) : json(200, preview.ticket);
    return json(404, { statusCode: 404, error: 'Not Found', message: 'Not found', requestId: 'r' });
  });
  return sent;
}

const naming = { nameOf: (id: string) => id, teamName: (id: string) => id };

describe('Apply macro', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('previews the changes and the note before applying, then applies against the version shown', async () => {
    const sent = fakeGateway({ stale: false });
    const person = userEvent.setup();
    renderWithProviders(
      <>
        <Notifications />
        <ApplyMacroButton ticket={ticket} naming={naming} />
      </>,
    );

    await person.click(screen.getByRole('button', { name: 'Apply macro' }));
    const dialog = await screen.findByRole('dialog', { name: 'Apply macro' });
    await person.click(within(dialog).getByRole('combobox', { name: 'Macro to apply' }));
    await person.click(await screen.findByRole('option', { name: 'Escalate', hidden: true }));
    const region = await within(dialog).findByRole('region', { name: 'Preview of the macro' });
    expect(within(region).getByText('Status: New → Pending')).toBeDefined();
    expect(within(region).getByText('Priority: Normal → Urgent')).toBeDefined();
    expect(within(region).getByText('Tags: old → old, escalated')).toBeDefined();
    expect(await within(region).findByText('Plan: None → Gold')).toBeDefined();
    expect(within(region).getByText('Will add this internal note:')).toBeDefined();
    expect(within(region).getByText('Escalated for Rob <b>')).toBeDefined();
    expect(sent).toEqual([{ method: 'POST', url: '/api/v1/tickets/t-1/macros/m-1?preview=true', ifMatch: null }]);

    await person.click(within(dialog).getByRole('button', { name: 'Apply' }));
    expect(await screen.findByText('Macro Escalate applied')).toBeDefined();
    expect(sent.at(-1)).toEqual({ method: 'POST', url: '/api/v1/tickets/t-1/macros/m-1', ifMatch: '"3"' });
  });

  it('says to reload when the ticket changed since it was shown', async () => {
    fakeGateway({ stale: true });
    const person = userEvent.setup();
    renderWithProviders(<ApplyMacroButton ticket={ticket} naming={naming} />);
    await person.click(screen.getByRole('button', { name: 'Apply macro' }));
    const dialog = await screen.findByRole('dialog', { name: 'Apply macro' });
    await person.click(within(dialog).getByRole('combobox', { name: 'Macro to apply' }));
    await person.click(await screen.findByRole('option', { name: 'Escalate', hidden: true }));
    await within(dialog).findByRole('region', { name: 'Preview of the macro' });
    await person.click(within(dialog).getByRole('button', { name: 'Apply' }));
    expect(await within(dialog).findByRole('alert')).toHaveProperty('textContent', expect.stringMatching(/changed by someone else/));
  });
});
