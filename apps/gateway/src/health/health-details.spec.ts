import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type SignedUpAdmin } from '../testing/gateway-harness.js';

const HEALTH_TOKEN = 'internal-health-token-0123456789';

describe('GET /health/details on the gateway', () => {
  let gateway: GatewayHarness;
  let admin: SignedUpAdmin;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('health-details', { HEALTH_DETAILS_TOKEN: HEALTH_TOKEN });
    admin = await gateway.signup('Tenant Desk');
  });

  afterAll(() => gateway?.stop());

  /** The status, or `details` when the check ran (503 then only says that some downstream service is not running here). */
  const details = async (headers: Record<string, string>) => {
    const response = await fetch(`${gateway.url}/health/details`, { headers });
    const body = (await response.json()) as { details?: object };
    return response.status !== 401 && body.details ? 'details' : response.status;
  };

  it('is refused to a tenant admin: an organization’s admin is not the platform’s operator', async () => {
    expect(await details({ authorization: `Bearer ${admin.accessToken}` })).toBe(401);
  });

  it('answers the internal health token, as a header or a bearer token, and nothing else', async () => {
    expect(await details({ 'x-health-token': HEALTH_TOKEN })).toBe('details');
    expect(await details({ authorization: `Bearer ${HEALTH_TOKEN}` })).toBe('details');
    expect(await details({})).toBe(401);
    expect(await details({ 'x-health-token': `${HEALTH_TOKEN}x` })).toBe(401);
  });
});
