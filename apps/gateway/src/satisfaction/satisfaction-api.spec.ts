import { subjects, type IssuedLinkToken, type TicketView } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type SignedUpAdmin } from '../testing/gateway-harness.js';

/** The public rating routes as a customer's browser calls them: no session, the link's token in the path. */
describe('satisfaction over REST', () => {
  let gateway: GatewayHarness;
  let admin: SignedUpAdmin;
  let link: IssuedLinkToken;
  let ticket: TicketView;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('satisfaction-api');
    admin = await gateway.signup('Rating Desk');
    ticket = (await (await gateway.call('/tickets', { token: admin.accessToken, body: { subject: 'Coffee machine', description: 'Only hot water' } })).json()) as TicketView;
    link = await gateway.ticket.send<IssuedLinkToken>(subjects.satisfaction.issueLink, { ticketId: ticket.id, userId: ticket.requesterId });
  });

  afterAll(() => gateway?.stop());

  it('shows and takes a rating with the link alone, and staff read it on the ticket', async () => {
    const shown = await gateway.call(`/satisfaction/${link.token}`);
    expect(shown.status).toBe(200);
    expect(await shown.json()).toEqual({ organizationName: 'Rating Desk', ticket: { number: ticket.number, subject: 'Coffee machine' }, rating: null, comment: null, changeableUntil: link.expiresAt });

    const rated = await gateway.call(`/satisfaction/${link.token}`, { method: 'PUT', body: { rating: 'good', comment: 'Fixed fast' } });
    expect(rated.status).toBe(200);
    expect(await rated.json()).toMatchObject({ rating: 'good', comment: 'Fixed fast' });
    const seen = (await (await gateway.call(`/tickets/${ticket.id}`, { token: admin.accessToken })).json()) as TicketView;
    expect(seen.satisfaction).toMatchObject({ rating: 'good', comment: 'Fixed fast' });
  });

  it('answers 400 naming the problem for a malformed token, rating or comment, and 404 for an unknown link', async () => {
    const malformed = await gateway.call('/satisfaction/not-a-token');
    expect(malformed.status).toBe(400);
    expect(JSON.stringify(await malformed.json())).toContain('token must be the 43 characters of a rating link');

    const badRating = await gateway.call(`/satisfaction/${link.token}`, { method: 'PUT', body: { rating: 'great' } });
    expect(badRating.status).toBe(400);
    expect(JSON.stringify(await badRating.json())).toContain('rating must be one of: good, bad');
    const longComment = await gateway.call(`/satisfaction/${link.token}`, { method: 'PUT', body: { rating: 'bad', comment: 'x'.repeat(2_001) } });
    expect(longComment.status).toBe(400);
    const extra = await gateway.call(`/satisfaction/${link.token}`, { method: 'PUT', body: { rating: 'bad', ticketId: ticket.id } });
    expect(extra.status).toBe(400);

    const unknown = await gateway.call(`/satisfaction/${'Z'.repeat(43)}`, { method: 'PUT', body: { rating: 'bad' } });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ message: 'This rating link is not valid' });
    // Nothing above changed the rating.
    expect(await (await gateway.call(`/satisfaction/${link.token}`)).json()).toMatchObject({ rating: 'good', comment: 'Fixed fast' });
  });
});
