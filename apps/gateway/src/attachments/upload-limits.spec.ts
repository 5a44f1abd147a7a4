import type { TicketView } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type TestCaller } from '../testing/gateway-harness.js';

// A real 1x1 PNG, as an image editor writes it.
const PIXEL_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

describe('attachment upload limits', () => {
  let gateway: GatewayHarness;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('gateway_upload_limits', { ATTACHMENT_UPLOADS_PER_USER_PER_HOUR: '2', ATTACHMENT_UPLOADS_PER_ORG_PER_HOUR: '3' });
  });

  afterAll(() => gateway?.stop());

  const openTicket = async (caller: TestCaller) => {
    const response = await gateway.call('/tickets', { token: caller.accessToken, body: { subject: 'Screenshots', description: 'See the attachments' } });
    expect(response.status).toBe(201);
    return (await response.json()) as TicketView;
  };

  const upload = (caller: TestCaller, ticketId: string) => {
    const form = new FormData();
    form.append('file', new Blob([PIXEL_PNG], { type: 'image/png' }), 'pixel.png');
    return gateway.call(`/tickets/${ticketId}/attachments`, { token: caller.accessToken, body: form });
  };

  it('limits uploads per user and per organization per hour, with Retry-After, leaving other organizations alone', async () => {
    const admin = await gateway.signup('Acme Support');
    const colleague = await gateway.addUser(admin.principal.orgId, 'agent');
    const ticket = await openTicket(admin);

    expect([(await upload(admin, ticket.id)).status, (await upload(admin, ticket.id)).status]).toEqual([201, 201]);
    const userLimited = await upload(admin, ticket.id);
    expect(userLimited.status).toBe(429);
    expect(Number(userLimited.headers.get('retry-after'))).toBeGreaterThan(3_500);
    expect(((await userLimited.json()) as { message: string }).message).toContain('Too many uploads by this user (2 per hour)');

    expect((await upload(colleague, ticket.id)).status).toBe(201);
    const organizationLimited = await upload(colleague, ticket.id);
    expect(organizationLimited.status).toBe(429);
    expect(((await organizationLimited.json()) as { message: string }).message).toContain('Too many uploads in this organization (3 per hour)');

    const other = await gateway.signup('Globex Helpdesk');
    expect((await upload(other, (await openTicket(other)).id)).status).toBe(201);
  });

  it('limits uploads sent in parallel like uploads sent one after another', async () => {
    const admin = await gateway.signup('Initech');
    const ticket = await openTicket(admin);

    const statuses = await Promise.all(Array.from({ length: 5 }, () => upload(admin, ticket.id).then((response) => response.status)));

    expect(statuses.sort()).toEqual([201, 201, 429, 429, 429]);
  });
});
