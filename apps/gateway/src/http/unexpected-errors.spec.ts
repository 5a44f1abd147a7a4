import { AdminAlertListener, waitFor } from '@helpdesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type SignedUpAdmin } from '../testing/gateway-harness.js';

describe('an unexpected error behind the API', () => {
  let gateway: GatewayHarness;
  let listener: AdminAlertListener;
  let admin: SignedUpAdmin;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('unexpected-errors');
    listener = await AdminAlertListener.start(gateway.ticket.nats.url);
    admin = await gateway.signup('Drifted Desk');
  });

  afterAll(async () => {
    await listener?.stop();
    await gateway?.stop();
  });

  /** Schema drift (a migration half applied by hand) is a real cause of 500s, and needs no test-only code path. */
  async function withDriftedSchema<T>(act: () => Promise<T>): Promise<T> {
    await gateway.ticket.dataSource.query('ALTER TABLE helpdesk.organizations RENAME TO organizations_drifted');
    try {
      return await act();
    } finally {
      await gateway.ticket.dataSource.query('ALTER TABLE helpdesk.organizations_drifted RENAME TO organizations');
    }
  }

  // In one process Nest's static logger is the last-started app's (the gateway's), so every alert here
  // reads service "gateway"; apps/ticket/src/critical-alerts.spec.ts checks the service name on its own.
  it('answers 500 without internals and raises one admin alert per failure, with its request id, and none for refusals', async () => {
    const customer = await gateway.addUser(admin.organization.id, 'customer');

    const failed = await withDriftedSchema(() => gateway.call('/organization', { token: admin.accessToken, headers: { 'x-request-id': 'drift-check-1' } }));
    const refusals = [
      await gateway.call('/tickets', { token: admin.accessToken, body: { subject: '' } }),
      await gateway.call('/tickets/00000000-0000-4000-8000-000000000000', { token: admin.accessToken }),
      await gateway.call('/organization', { token: customer.accessToken }),
    ];
    // A second failure marks the end: every alert the requests above raised has arrived before its own.
    await withDriftedSchema(() => gateway.call('/organization', { token: admin.accessToken, headers: { 'x-request-id': 'drift-check-2' } }));
    await waitFor('the second alert', async () => listener.alerts.some((alert) => alert.requestId === 'drift-check-2'));

    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal error', requestId: 'drift-check-1' });
    expect(refusals.map((response) => response.status)).toEqual([400, 404, 403]);
    expect(listener.alerts.map((alert) => alert.requestId)).toEqual(['drift-check-1', 'drift-check-2']);
    expect(listener.alerts[0]).toMatchObject({ context: 'Errors', level: 'error', message: 'relation "helpdesk.organizations" does not exist' });
  });
});
