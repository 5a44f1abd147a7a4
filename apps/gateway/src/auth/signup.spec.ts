import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness } from '../testing/gateway-harness.js';

describe('POST /api/v1/auth/signup when SIGNUP_ENABLED is not set', () => {
  let gateway: GatewayHarness;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('signup-default', { SIGNUP_ENABLED: undefined });
  });

  afterAll(() => gateway?.stop());

  it('is refused with 403, so a fresh install is not an open organization factory', async () => {
    const response = await gateway.call('/auth/signup', {
      body: { organizationName: 'Spam Inc', name: 'Spammer', email: 'spammer@example.com', password: 'correct horse battery staple' },
    });

    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ statusCode: 403, error: 'Forbidden', message: 'Signup is disabled on this helpdesk' });
  });
});
