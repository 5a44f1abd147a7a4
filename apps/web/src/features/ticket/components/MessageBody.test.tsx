import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../../../lib/api';
import { renderWithProviders } from '../../../test/render';
import { MessageBody } from './MessageBody';

const IMAGE_PATH = '/api/v1/attachments/0190a0b1-2c3d-7e4f-8a9b-0c1d2e3f4a5b';

describe('MessageBody', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    api.clearSession();
  });

  it("shows a mail's inline image in place, loaded with the session's token, and keeps the quoted text folded", async () => {
    api.setSession({ accessToken: 'token-1', expiresIn: 900 });
    const requests: Array<{ path: string; authorization?: string }> = [];
    vi.stubGlobal('fetch', async (path: string, init: RequestInit) => {
      requests.push({ path, authorization: (init.headers as Record<string, string>).authorization });
      return new Response(new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], { type: 'image/png' }));
    });
    vi.stubGlobal(
      'URL',
      class extends URL {
        static override createObjectURL = () => 'blob:inline-image-1';
        static override revokeObjectURL = () => undefined;
      },
    );

    renderWithProviders(<MessageBody html={`<p>See <img src="${IMAGE_PATH}" alt="error.png" /></p><details><summary>Quoted text</summary><p>old words</p></details>`} />);

    const image = screen.getByRole('img', { name: 'error.png' });
    await waitFor(() => expect(image.getAttribute('src')).toBe('blob:inline-image-1'));
    expect(requests).toEqual([{ path: IMAGE_PATH, authorization: 'Bearer token-1' }]);
    expect(screen.getByText('Quoted text').closest('details')?.open).toBe(false);
  });
});
