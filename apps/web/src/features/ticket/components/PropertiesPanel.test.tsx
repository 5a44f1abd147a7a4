import { useMutation } from '@tanstack/react-query';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import type { TicketView } from '@helpdesk/contracts';
import { apiErrorFrom } from '../../../lib/api-error';
import { renderWithProviders } from '../../../test/render';
import type { TicketChanges } from '../../tickets/api/tickets';
import { changedFields, PropertiesPanel } from './PropertiesPanel';

const ticket = (version: number, changes: Partial<TicketView> = {}): TicketView => ({
  id: 't-1',
  number: 7,
  subject: 'Printer on fire',
  description: '<p>help</p>',
  status: 'open',
  priority: 'normal',
  requestedPriority: null,
  channel: 'web',
  tags: [],
  requesterId: 'c-1',
  assigneeId: null,
  teamId: null,
  slaPolicyId: null,
  firstResponseDueAt: null,
  firstRespondedAt: null,
  nextResponseDueAt: null,
  resolutionDueAt: null,
  resolvedAt: null,
  breaches: {},
  version,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  ...changes,
});

/**
 * A stand-in server holding the ticket at version 2 (someone else saved after the person loaded
 * version 1): a save with a stale version is refused with the gateway's 409 body.
 */
function Harness() {
  const [shown, setShown] = useState(ticket(1));
  const [saves, setSaves] = useState<Array<{ version: number; changes: TicketChanges }>>([]);
  const server = ticket(2, { priority: 'high' });
  const mutation = useMutation({
    mutationFn: async ({ version, changes }: { version: number; changes: TicketChanges }) => {
      setSaves((list) => [...list, { version, changes }]);
      if (version !== server.version) {
        throw apiErrorFrom(409, { statusCode: 409, error: 'Conflict', message: 'The ticket was changed by someone else', requestId: 'r', details: { currentVersion: 2 } }, new Headers());
      }
      const saved = { ...server, ...changes, version: server.version + 1 } as TicketView;
      setShown(saved);
      return saved;
    },
  });
  return (
    <>
      <PropertiesPanel
        ticket={shown}
        assignees={[]}
        teams={[]}
        onSave={(version, changes) => mutation.mutateAsync({ version, changes })}
        saving={mutation.isPending}
        saveError={mutation.error}
        onReload={() => {
          mutation.reset();
          setShown(server);
        }}
        changedBy="Bea Agent"
      />
      <output aria-label="saves">{JSON.stringify(saves)}</output>
    </>
  );
}

describe('ticket properties and conflicts', () => {
  it('sends only the changed fields', () => {
    const before = { status: 'open', priority: 'normal', assigneeId: null, teamId: null, tags: ['a'] } as const;
    expect(changedFields({ ...before, tags: ['a'] }, { ...before, tags: ['a'] })).toEqual({});
    expect(changedFields({ ...before, tags: ['a'] }, { ...before, status: 'solved', tags: ['a', 'b'] })).toEqual({ status: 'solved', tags: ['a', 'b'] });
    expect(changedFields({ ...before, assigneeId: 'u-1', tags: [] }, { ...before, assigneeId: null, tags: [] })).toEqual({ assigneeId: null });
  });

  it('says the ticket changed elsewhere on a 409, and a reload shows the latest version to save against', async () => {
    const user = userEvent.setup();
    renderWithProviders(<Harness />);
    await user.click(screen.getByRole('combobox', { name: 'Status' }));
    await user.click(await screen.findByRole('option', { name: 'Pending', hidden: true }));
    await user.click(screen.getByRole('button', { name: 'Save properties' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('This ticket was changed by Bea Agent. Reload');
    expect(JSON.parse(screen.getByLabelText('saves').textContent!)).toEqual([{ version: 1, changes: { status: 'pending' } }]);

    await user.click(screen.getByRole('button', { name: 'Reload' }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect(screen.getByRole('combobox', { name: 'Priority' })).toHaveProperty('value', 'High');
    expect(screen.getByRole('combobox', { name: 'Status' })).toHaveProperty('value', 'Open');

    await user.click(screen.getByRole('combobox', { name: 'Status' }));
    await user.click(await screen.findByRole('option', { name: 'Pending', hidden: true }));
    await user.click(screen.getByRole('button', { name: 'Save properties' }));
    await waitFor(() => expect(JSON.parse(screen.getByLabelText('saves').textContent!)).toHaveLength(2));
    expect(JSON.parse(screen.getByLabelText('saves').textContent!)[1]).toEqual({ version: 2, changes: { status: 'pending' } });
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Status' })).toHaveProperty('value', 'Pending'));
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
