import type { Page, UserView } from '@helpdesk/contracts';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type SignedUpAdmin, type TestCaller } from '../testing/gateway-harness.js';

/** Who may read which users over HTTP (docs/security.md, "Who may read users"), and the filters that help the console name them. */
describe('reading users through the API', () => {
  let gateway: GatewayHarness;
  let admin: SignedUpAdmin;
  let agent: TestCaller;
  let customer: TestCaller;
  let otherCustomer: TestCaller;
  let outsider: SignedUpAdmin;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('user-directory');
    admin = await gateway.signup('Acme Support');
    agent = await gateway.addUser(admin.organization.id, 'agent');
    customer = await gateway.addUser(admin.organization.id, 'customer');
    otherCustomer = await gateway.addUser(admin.organization.id, 'customer');
    outsider = await gateway.signup('Globex Helpdesk');
  });

  afterAll(() => gateway?.stop());

  const get = async (path: string, caller: TestCaller) => {
    const response = await gateway.call(path, { token: caller.accessToken });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & Page<UserView> & { message: unknown } };
  };

  describe('GET /users', () => {
    it('answers agents with the organization\'s users, as it answers admins', async () => {
      const asAgent = await get('/users?limit=100', agent);
      const asAdmin = await get('/users?limit=100', admin);
      expect(asAgent.status).toBe(200);
      expect(asAgent.body).toEqual(asAdmin.body);
      expect(asAgent.body.items.map((user) => user.id)).toEqual(expect.arrayContaining([admin.user.id, agent.principal.userId, customer.principal.userId]));
      expect(asAgent.body.items.every((user) => user.organizationId === admin.organization.id)).toBe(true);
    });

    it('refuses customers with 403, filters or not', async () => {
      expect((await get('/users', customer)).status).toBe(403);
      expect((await get(`/users?ids=${agent.principal.userId}`, customer)).status).toBe(403);
    });

    it('keeps only the users named by ids= (comma-separated), other organizations\' ids giving nothing', async () => {
      const ids = [agent.principal.userId, customer.principal.userId, outsider.user.id].join(',');
      const { status, body } = await get(`/users?ids=${ids}`, agent);
      expect(status).toBe(200);
      expect(body.items.map((user) => user.id).sort()).toEqual([agent.principal.userId, customer.principal.userId].sort());
      const staff = await get('/users?role=admin,agent&active=true', agent);
      expect(staff.body.items.map((user) => user.role).sort()).toEqual(['admin', 'agent']);
    });

    it('answers 400 naming the problem for an id that is not a UUID, more than 100 ids or an empty list', async () => {
      const bad = await get(`/users?ids=${agent.principal.userId},42`, agent);
      expect(bad).toMatchObject({ status: 400, body: { message: ['ids must list user ids (UUIDs) separated by commas'] } });
      const tooMany = await get(`/users?ids=${Array.from({ length: 101 }, () => randomUUID()).join(',')}`, agent);
      expect(tooMany).toMatchObject({ status: 400, body: { message: ['ids may list at most 100 user ids'] } });
      expect(await get('/users?ids=', agent)).toMatchObject({ status: 400, body: { message: ['ids must list at least one user id'] } });
    });
  });

  describe('GET /users/:id', () => {
    it('gives admins and agents any user of their organization as a UserView', async () => {
      for (const caller of [admin, agent]) {
        const { status, body } = await get(`/users/${customer.principal.userId}`, caller);
        expect(status).toBe(200);
        expect(body).toEqual({ id: customer.principal.userId, organizationId: admin.organization.id, email: expect.any(String), name: 'Test customer', role: 'customer', active: true, invitationPendingSince: null, bouncingSince: null, capacity: null, availability: 'offline', availabilitySetting: 'online' });
      }
    });

    it('gives customers a staff member as { id, name, role } only', async () => {
      const { status, body } = await get(`/users/${agent.principal.userId}`, customer);
      expect(status).toBe(200);
      expect(body).toEqual({ id: agent.principal.userId, name: 'Test agent', role: 'agent' });
      expect((await get(`/users/${admin.user.id}`, customer)).body).toEqual({ id: admin.user.id, name: 'Ada Admin', role: 'admin' });
    });

    it('answers 404 for a customer asked by a customer, and for another organization\'s user asked by anyone', async () => {
      expect((await get(`/users/${otherCustomer.principal.userId}`, customer)).status).toBe(404);
      for (const caller of [admin, agent, customer]) {
        const { status, body } = await get(`/users/${outsider.user.id}`, caller);
        expect({ status, body }).toMatchObject({ status: 404, body: { error: 'Not Found', message: 'User not found' } });
      }
      expect((await get(`/users/${agent.principal.userId}`, outsider)).status).toBe(404);
    });

    it('answers 400 for an id that is not a UUID', async () => {
      expect(await get('/users/42', agent)).toMatchObject({ status: 400, body: { message: ['id must be a UUID'] } });
    });
  });

  describe('GET /tickets?number=', () => {
    it('finds a ticket by its number', async () => {
      const created = await gateway.call('/tickets', { token: agent.accessToken, body: { subject: 'Find me by number', description: 'x' } });
      const ticket = (await created.json()) as { id: string; number: number };
      const { status, body } = await get(`/tickets?number=${ticket.number}`, agent);
      expect(status).toBe(200);
      expect(body.items.map((item) => item.id)).toEqual([ticket.id]);
      expect((await get(`/tickets?number=${ticket.number}`, outsider)).body.items).toEqual([]);
    });

    it.each(['0', '-3', '1.5', 'abc', '2147483648', '99999999999999999999'])('answers 400 with one clear message for number=%s', async (number) => {
      expect(await get(`/tickets?number=${number}`, agent)).toMatchObject({
        status: 400,
        body: { message: ['number must be a ticket number: an integer from 1 to 2147483647'] },
      });
    });
  });
});
