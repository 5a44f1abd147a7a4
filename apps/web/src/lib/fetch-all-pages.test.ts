import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchAllPages } from './fetch-all-pages';

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });

describe('fetchAllPages', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('follows nextCursor a page of 100 at a time until it is null, keeping the order and the query it was given', async () => {
    const asked: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      asked.push(url);
      const cursor = new URL(url, 'http://console').searchParams.get('cursor');
      if (!cursor) return json({ items: [1, 2], nextCursor: 'c1' });
      if (cursor === 'c1') return json({ items: [3], nextCursor: 'c2' });
      return json({ items: [4], nextCursor: null });
    });

    expect(await fetchAllPages<number>('/api/v1/ticket-fields?includeArchived=true')).toEqual([1, 2, 3, 4]);
    expect(asked).toEqual([
      '/api/v1/ticket-fields?includeArchived=true&limit=100',
      '/api/v1/ticket-fields?includeArchived=true&limit=100&cursor=c1',
      '/api/v1/ticket-fields?includeArchived=true&limit=100&cursor=c2',
    ]);
  });

  it('stops with an error rather than loop when a page answers the cursor it was asked with', async () => {
    vi.stubGlobal('fetch', async () => json({ items: [1], nextCursor: 'same' }));
    await expect(fetchAllPages('/api/v1/teams')).rejects.toThrow('/api/v1/teams answered the same page twice');
  });
});
