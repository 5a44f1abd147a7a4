import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '../test/render';
import { HoverTooltip } from './HoverTooltip';

describe('HoverTooltip', () => {
  it('mounts no tooltip until hovered, then shows and hides its label with the pointer, computing a lazy label only then', async () => {
    let computed = 0;
    const label = () => {
      computed += 1;
      return 'Due 4 Dec 2026, 10:00';
    };
    renderWithProviders(
      <HoverTooltip label={label}>
        <span role="img" aria-label="Priority: urgent" />
      </HoverTooltip>,
    );
    const mark = screen.getByRole('img', { name: 'Priority: urgent' });
    expect(screen.queryByRole('tooltip', { hidden: true })).toBeNull();
    expect(computed).toBe(0);

    await userEvent.hover(mark);
    // happy-dom lays nothing out, so floating-ui's hide middleware marks the tooltip hidden: `hidden: true` finds it anyway.
    expect((await screen.findByRole('tooltip', { hidden: true })).textContent).toBe('Due 4 Dec 2026, 10:00');
    // The same element is kept (not remounted) when the tooltip mounts.
    expect(screen.getByRole('img', { name: 'Priority: urgent' })).toBe(mark);
    expect(computed).toBeGreaterThan(0);

    await userEvent.unhover(mark);
    await waitFor(() => expect(screen.queryByRole('tooltip', { hidden: true })).toBeNull());
  });
});
