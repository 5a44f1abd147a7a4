import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '../../../test/render';
import { Composer, type ComposerMode } from './Composer';

function Harness({ allowNotes = true, draft = null }: { allowNotes?: boolean; draft?: { text: string; key: number } | null }) {
  const [mode, setMode] = useState<ComposerMode>('reply');
  const [typing, setTyping] = useState<boolean[]>([]);
  return (
    <>
      <Composer ticketId="t-1" mode={mode} onModeChange={setMode} allowNotes={allowNotes} draft={draft} onTyping={(internal) => setTyping((list) => [...list, internal])} />
      <output aria-label="typing signals">{JSON.stringify(typing)}</output>
    </>
  );
}

const composerPanel = () => document.querySelector('[data-mode]')!;

describe('composer', () => {
  it('switches between a public reply and an internal note, and says which one it sends', async () => {
    const user = userEvent.setup();
    renderWithProviders(<Harness />);
    expect(composerPanel().getAttribute('data-mode')).toBe('reply');
    expect(screen.getByRole('button', { name: 'Send reply' })).toBeTruthy();
    expect(screen.queryByText('Internal note: staff only')).toBeNull();

    await user.click(screen.getByRole('tab', { name: 'Internal note' }));
    expect(composerPanel().getAttribute('data-mode')).toBe('note');
    expect(screen.getByRole('button', { name: 'Add note' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Send reply' })).toBeNull();
    expect(screen.getByText('Internal note: staff only')).toBeTruthy();
    expect(screen.getByRole('textbox', { name: 'Internal note' })).toBeTruthy();

    await user.click(screen.getByRole('tab', { name: 'Reply' }));
    expect(composerPanel().getAttribute('data-mode')).toBe('reply');
    expect(screen.getByRole('textbox', { name: 'Message' })).toBeTruthy();
  });

  it('offers customers no internal note', () => {
    renderWithProviders(<Harness allowNotes={false} />);
    expect(screen.getByRole('tab', { name: 'Reply' })).toBeTruthy();
    expect(screen.queryByRole('tab', { name: 'Internal note' })).toBeNull();
  });

  it('puts a suggested reply into the editor for editing, and enables sending', async () => {
    renderWithProviders(<Harness draft={{ text: 'Hello Carl,\n\nplease restart the printer.', key: 1 }} />);
    await waitFor(() => expect(screen.getByRole('textbox', { name: 'Message' }).textContent).toContain('please restart the printer.'));
    expect(screen.getByRole('button', { name: 'Send reply' })).toHaveProperty('disabled', false);
  });

  it('refuses a file over 10 MB before uploading and lets the person remove it', async () => {
    const user = userEvent.setup();
    renderWithProviders(<Harness />);
    const big = new File([new Uint8Array(10 * 1024 * 1024 + 1)], 'huge.zip', { type: 'application/zip' });
    const input = document.querySelector('input[type="file"]') as HTMLInputElement;
    await user.upload(input, big);
    expect((await screen.findByRole('alert')).textContent).toContain('huge.zip was refused');
    await user.click(screen.getByRole('button', { name: 'Remove huge.zip' }));
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
