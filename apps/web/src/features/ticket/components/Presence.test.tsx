import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '../../../test/render';
import { Presence } from './Presence';

const names: Record<string, string> = { me: 'Ada Agent', bea: 'Bea Agent', carl: 'Carl Customer' };
const nameOf = (id: string) => names[id] ?? id;

describe('presence', () => {
  it('lists the other viewers (never the caller) and who types a reply or a note', () => {
    renderWithProviders(
      <Presence
        myUserId="me"
        nameOf={nameOf}
        presence={{
          ticketId: 't-1',
          scope: 'staff',
          viewers: [
            { userId: 'me', role: 'agent' },
            { userId: 'bea', role: 'agent' },
            { userId: 'carl', role: 'customer' },
          ],
          typing: [
            { userId: 'carl', role: 'customer', internal: false },
            { userId: 'bea', role: 'agent', internal: true },
            { userId: 'me', role: 'agent', internal: false },
          ],
        }}
      />,
    );
    const here = screen.getByRole('region', { name: 'Also here' });
    expect(here.querySelectorAll('[aria-label$="(Agent)"], [aria-label$="(Customer)"]')).toHaveLength(2);
    expect(screen.getByLabelText('Bea Agent (Agent)')).toBeTruthy();
    expect(screen.getByLabelText('Carl Customer (Customer)')).toBeTruthy();
    expect(screen.queryByLabelText('Ada Agent (Agent)')).toBeNull();
    const status = screen.getByRole('status');
    expect(status.textContent).toContain('Carl Customer typing…');
    expect(status.textContent).toContain('Bea Agent writing an internal note…');
    expect(status.textContent).not.toContain('Ada Agent');
  });

  it('says so when nobody else is here', () => {
    renderWithProviders(<Presence myUserId="me" nameOf={nameOf} presence={{ ticketId: 't-1', scope: 'staff', viewers: [{ userId: 'me', role: 'agent' }], typing: [] }} />);
    expect(screen.getByText('Nobody else is viewing')).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe('');
  });

  it('tells a customer only that an agent is replying', () => {
    const { rerender } = renderWithProviders(<Presence myUserId="carl" nameOf={nameOf} presence={{ ticketId: 't-1', scope: 'customer', agentTyping: true }} />);
    expect(screen.getByRole('status').textContent).toBe('An agent is writing a reply…');
    rerender(<Presence myUserId="carl" nameOf={nameOf} presence={{ ticketId: 't-1', scope: 'customer', agentTyping: false }} />);
    expect(screen.queryByRole('status')).toBeNull();
  });
});
