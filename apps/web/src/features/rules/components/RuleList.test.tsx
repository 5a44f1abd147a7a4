import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '../../../test/render';
import { RuleList } from './RuleList';

describe('RuleList', () => {
  it('switches an item at the click and sends each click, even while the saved list has not come back', async () => {
    const sent: boolean[] = [];
    const saves: Array<() => void> = [];
    renderWithProviders(
      <RuleList
        items={[{ id: 'trigger-1', name: 'Route refunds', active: true }]}
        describe={() => 'A ticket is created'}
        editLabel={(item) => `Edit ${item.name}`}
        deleteLabel={(item) => `Delete ${item.name}`}
        confirmDelete={(item) => `Delete ${item.name}?`}
        onEdit={() => undefined}
        onDelete={(_item, done) => done()}
        deleting={false}
        onActiveChange={(_item, active) => {
          sent.push(active);
          return new Promise<void>((resolve) => saves.push(resolve));
        }}
      />,
    );
    const toggle = screen.getByRole('switch', { name: 'Active: Route refunds' });

    await userEvent.click(toggle);
    expect((toggle as HTMLInputElement).checked).toBe(false);
    expect(screen.getByText('Off')).toBeTruthy();
    await userEvent.click(toggle);
    expect((toggle as HTMLInputElement).checked).toBe(true);
    expect(sent).toEqual([false, true]);

    // Once saved, the switch shows the list again (still `active: true` here).
    for (const save of saves) save();
    await waitFor(() => expect(screen.queryByText('Off')).toBeNull());
    expect((toggle as HTMLInputElement).checked).toBe(true);
  });
});
