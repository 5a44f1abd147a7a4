import { subjects, type Page } from '@helpdesk/contracts';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type SignedUpAdmin, type TestCaller } from '../testing/gateway-harness.js';

/** A ticket's history, attachments and comments are bounded lists with the ticket list's limit/cursor contract (DESIGN sections 6 and 17). */
describe("a ticket's lists, page by page", () => {
  let gateway: GatewayHarness;
  let admin: SignedUpAdmin;
  let customer: TestCaller;
  let ticketId: string;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('ticket-pages');
    admin = await gateway.signup('Paging Desk');
    customer = await gateway.addUser(admin.organization.id, 'customer');
    const created = await gateway.call('/tickets', { token: customer.accessToken, body: { subject: 'Many changes', description: 'x' } });
    ticketId = ((await created.json()) as { id: string }).id;
  });

  afterAll(() => gateway?.stop());

  /** Follows nextCursor from the first page to the last, checking every page's size. */
  async function allPages<T extends { id: string }>(path: string, token: string, limit: number): Promise<{ items: T[]; sizes: number[] }> {
    const items: T[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const response = await gateway.call(`${path}?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { token });
      expect(response.status).toBe(200);
      const page = (await response.json()) as Page<T>;
      items.push(...page.items);
      sizes.push(page.items.length);
      cursor = page.nextCursor;
      if (sizes.length > 20) throw new Error(`${path} does not reach its end: the cursor repeats pages`);
    } while (cursor);
    return { items, sizes };
  }

  it('pages the history oldest first, to the end, without gaps or repeats', async () => {
    for (let change = 1; change <= 6; change += 1) {
      const response = await gateway.call(`/tickets/${ticketId}`, { method: 'PATCH', token: admin.accessToken, body: { subject: `Change ${change}` } });
      expect(response.status).toBe(200);
    }
    const stored = (await gateway.ticket.dataSource.query('SELECT id::text AS id FROM helpdesk.ticket_events WHERE ticket_id = $1 ORDER BY id', [ticketId])) as Array<{ id: string }>;

    const { items, sizes } = await allPages<{ id: string; action: string }>(`/tickets/${ticketId}/events`, admin.accessToken, 3);

    expect(stored).toHaveLength(7);
    expect(sizes).toEqual([3, 3, 1]);
    expect(items.map((entry) => entry.id)).toEqual(stored.map((row) => row.id));
    expect(items[0]!.action).toBe('created');
  });

  it('answers 25 history entries when no limit is given, and refuses a limit over 100', async () => {
    const first = await gateway.call(`/tickets/${ticketId}/events`, { token: admin.accessToken });
    const tooMany = await gateway.call(`/tickets/${ticketId}/events?limit=101`, { token: admin.accessToken });

    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ items: expect.any(Array), nextCursor: null });
    expect(tooMany.status).toBe(400);
  });

  it('pages the attachments oldest first, to the end, for the customer who may see them', async () => {
    const added: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      const attachment = await gateway.ticket.send<{ id: string }>(subjects.attachments.add, {
        principal: customer.principal,
        ticketId,
        filename: `page-${index}.txt`,
        contentType: 'text/plain',
        size: 1,
        sha256: 'a'.repeat(64),
        objectKey: `tickets/${randomUUID()}`,
      });
      added.push(attachment.id);
    }
    // Same millisecond, different microseconds: a cursor rounded to milliseconds would skip rows.
    await gateway.ticket.dataSource.query(
      `UPDATE helpdesk.attachments SET created_at = '2026-01-05 10:00:00.123'::timestamptz + (array_position($2::uuid[], id) * interval '1 microsecond') WHERE ticket_id = $1`,
      [ticketId, added],
    );

    const { items, sizes } = await allPages<{ id: string }>(`/tickets/${ticketId}/attachments`, customer.accessToken, 2);

    expect(sizes).toEqual([2, 2, 1]);
    expect(items.map((item) => item.id)).toEqual(added);
  });

  it('pages comments written in the same millisecond without skipping any', async () => {
    const written: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      const response = await gateway.call(`/tickets/${ticketId}/comments`, { token: customer.accessToken, body: { body: `Comment ${index}` } });
      written.push(((await response.json()) as { id: string }).id);
    }
    await gateway.ticket.dataSource.query(
      `UPDATE helpdesk.comments SET created_at = '2026-01-05 10:00:00.123'::timestamptz + (array_position($2::uuid[], id) * interval '1 microsecond') WHERE ticket_id = $1`,
      [ticketId, written],
    );

    const { items } = await allPages<{ id: string }>(`/tickets/${ticketId}/comments`, customer.accessToken, 2);

    expect(items.map((item) => item.id)).toEqual(written);
  });

  it('refuses a forged cursor on the history and the attachments with 400 naming the cursor', async () => {
    const forged = Buffer.from(JSON.stringify(['zzz', 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa'])).toString('base64url');
    const responses = [
      await gateway.call(`/tickets/${ticketId}/events?cursor=${forged}`, { token: admin.accessToken }),
      await gateway.call(`/tickets/${ticketId}/events?cursor=${Buffer.from(JSON.stringify([null, '1; DROP'])).toString('base64url')}`, { token: admin.accessToken }),
      await gateway.call(`/tickets/${ticketId}/attachments?cursor=${forged}`, { token: customer.accessToken }),
    ];
    for (const response of responses) {
      expect({ status: response.status, body: await response.json() }).toMatchObject({ status: 400, body: { message: ['cursor is not a cursor returned by this list'] } });
    }
  });
});
