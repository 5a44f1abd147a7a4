import type { UserView } from '@helpdesk/contracts';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_BASE_URL, NotificationHarness } from '../../../notification/src/testing/notification-harness.js';
import { INVITATION_RESENDS_PER_HOUR } from '../auth/auth-limits.js';
import { GatewayHarness, type SignedUpAdmin } from '../testing/gateway-harness.js';

describe('POST /api/v1/users/:id/resend-invitation', () => {
  let gateway: GatewayHarness;
  let harness: NotificationHarness;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('gateway-resend-invitation');
    harness = await NotificationHarness.start('gateway-resend-invitation', {}, { ticket: gateway.ticket });
  });

  afterAll(async () => {
    await harness?.stop();
    await gateway?.stop();
  });

  const resend = (token: string, userId: string) => gateway.call(`/users/${userId}/resend-invitation`, { token, method: 'POST' });
  const linkIn = (text: string) => new RegExp(`${APP_BASE_URL}/accept-invite\\?token=([\\w-]+)`).exec(text)?.[1];

  async function invite(admin: SignedUpAdmin, name = 'Ivy Invitee'): Promise<UserView> {
    const email = `invitee-${randomBytes(4).toString('hex')}@example.com`;
    const response = await gateway.call('/users', { token: admin.accessToken, body: { name, email, role: 'agent' } });
    expect(response.status).toBe(201);
    return (await response.json()) as UserView;
  }

  it('mails a fresh invitation whose link works, while the first mail’s link no longer does; the user shows as pending since the first invitation', async () => {
    const admin = await gateway.signup();
    const invited = await invite(admin);
    await harness.settled();
    const firstToken = linkIn(harness.sink.mailsTo(invited.email)[0]!.text);

    const response = await resend(admin.accessToken, invited.id);
    await harness.settled();

    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ ...invited, invitationPendingSince: expect.any(String) });
    expect(invited.invitationPendingSince).toEqual(expect.any(String));
    const mails = harness.sink.mailsTo(invited.email);
    expect(mails.map((mail) => mail.subject)).toEqual([expect.stringMatching(/^You are invited to /), expect.stringMatching(/^You are invited to /)]);
    const secondToken = linkIn(mails[1]!.text);
    expect(secondToken).toBeDefined();
    expect(secondToken).not.toBe(firstToken);
    const stale = await gateway.call('/auth/accept-invite', { body: { token: firstToken, password: 'a long enough password' } });
    expect(stale.status).toBe(401);
    const accepted = await gateway.call('/auth/accept-invite', { body: { token: secondToken, password: 'a long enough password' } });
    expect(accepted.status).toBeLessThan(300);
    const listed = (await (await gateway.call(`/users?q=${encodeURIComponent(invited.email)}`, { token: admin.accessToken })).json()) as { items: UserView[] };
    expect(listed.items).toEqual([{ ...invited, invitationPendingSince: null }]);
  });

  it('answers 409 once the invitation is accepted, and sends nothing', async () => {
    const admin = await gateway.signup();
    const invited = await invite(admin);
    await harness.settled();
    const token = linkIn(harness.sink.mailsTo(invited.email)[0]!.text);
    await gateway.call('/auth/accept-invite', { body: { token, password: 'a long enough password' } });

    const response = await resend(admin.accessToken, invited.id);
    await harness.settled();

    expect(response.status).toBe(409);
    expect(((await response.json()) as { message: string }).message).toMatch(/already accepted/);
    expect(harness.sink.mailsTo(invited.email)).toHaveLength(1);
  });

  it(`answers 429 with Retry-After after ${INVITATION_RESENDS_PER_HOUR} resends to one user within an hour; refused resends do not count`, async () => {
    const admin = await gateway.signup();
    const invited = await invite(admin);
    const other = await invite(admin, 'Other Invitee');
    await harness.settled();
    // Refused while the invitee is deactivated (409): nothing is mailed, so nothing is counted.
    await gateway.call(`/users/${invited.id}`, { token: admin.accessToken, method: 'DELETE' });
    for (let refused = 0; refused < INVITATION_RESENDS_PER_HOUR + 1; refused += 1) expect((await resend(admin.accessToken, invited.id)).status).toBe(409);
    await gateway.call(`/users/${invited.id}`, { token: admin.accessToken, method: 'PATCH', body: { active: true } });

    for (let sent = 0; sent < INVITATION_RESENDS_PER_HOUR; sent += 1) expect((await resend(admin.accessToken, invited.id)).status).toBe(202);
    const limited = await resend(admin.accessToken, invited.id);

    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { message: string }).message).toMatch(/invitation mails to this user/);
    expect((await resend(admin.accessToken, other.id)).status).toBe(202);
    await harness.settled();
    expect(harness.sink.mailsTo(invited.email)).toHaveLength(1 + INVITATION_RESENDS_PER_HOUR);
  });

  it("refuses agents and customers (403), answers 404 for another organization's user or an unknown id, 400 for a malformed id", async () => {
    const admin = await gateway.signup();
    const invited = await invite(admin);
    const agent = await gateway.addUser(admin.organization.id, 'agent');
    const customer = await gateway.addUser(admin.organization.id, 'customer');
    const other = await gateway.signup('Other Desk');

    expect((await resend(agent.accessToken, invited.id)).status).toBe(403);
    expect((await resend(customer.accessToken, invited.id)).status).toBe(403);
    expect((await gateway.call(`/users/${invited.id}/resend-invitation`, { method: 'POST' })).status).toBe(401);
    expect((await resend(other.accessToken, invited.id)).status).toBe(404);
    expect((await resend(admin.accessToken, '0190a1b2-0000-7000-8000-000000000001')).status).toBe(404);
    expect((await resend(admin.accessToken, 'not-a-uuid')).status).toBe(400);
    await harness.settled();
    expect(harness.sink.mailsTo(invited.email)).toHaveLength(1);
  });

  it('is documented in the OpenAPI document with its answers', async () => {
    const document = (await (await fetch(`${gateway.url}/api/docs-json`)).json()) as { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
    const responses = Object.keys(document.paths['/api/v1/users/{id}/resend-invitation']?.post?.responses ?? {});
    expect(responses).toEqual(expect.arrayContaining(['202', '403', '404', '409', '429']));
  });
});
