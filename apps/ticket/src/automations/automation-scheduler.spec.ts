import { startService, type RunningService } from '@helpdesk/common';
import { freePort } from '@helpdesk/testing';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../testing/ticket-harness.js';
import { ticketApp } from '../ticket.app.js';
import { TicketConfig } from '../ticket.config.js';
import { AutomationScheduler, type AutomationPassResult } from './automation-scheduler.js';
import { AutomationsService } from './automations.service.js';

const TICKETS = 300;

/** Two ticket service replicas on one database, both running the automation scheduler at the same moments. */
describe('automation scheduler across two replicas', () => {
  let harness: TicketHarness;
  let second: RunningService;

  beforeAll(async () => {
    harness = await TicketHarness.start('automation-replicas', { AUTOMATION_INTERVAL_SECONDS: '3600', AUTOMATION_BATCH_SIZE: '50' });
    const config = Object.assign(new TicketConfig(), harness.config, { TICKET_PORT: await freePort(), METRICS_PORT: 0 });
    second = await startService(ticketApp, config, { logStream: new PassThrough() });
  });

  afterAll(async () => {
    await second?.shutdown('test end');
    await harness?.stop();
  });

  it('acts on every matching ticket exactly once, whichever replica wins each pass', async () => {
    const { admin } = await harness.signup('Replica Desk');
    const customer = await harness.addUser(admin.orgId, 'customer');
    await harness.dataSource.query(
      `INSERT INTO helpdesk.tickets (organization_id, number, subject, description, status, priority, channel, tags, requester_id, fields, pending_since)
       SELECT $1, n, 'Waiting ' || n, '', 'pending', 'normal', 'web', '{}', $2, '{}', now() - interval '100 hours' FROM generate_series(1, $3) AS n`,
      [admin.orgId, customer.userId, TICKETS],
    );
    await harness.service.app.get(AutomationsService).create({
      principal: admin,
      name: 'Nudge the quiet ones',
      all: [{ field: 'hoursSince.pending', op: 'gt', value: 72 }],
      actions: [{ type: 'addTags', value: ['nudged'] }],
    });
    const schedulers = [harness.service.app.get(AutomationScheduler), second.app.get(AutomationScheduler)];
    const passes: AutomationPassResult[] = [];
    // 50 tickets per pass: several rounds, each with both replicas starting a pass at once.
    for (let round = 0; round < 20 && passes.reduce((sum, pass) => sum + pass.applied, 0) < TICKETS; round += 1) {
      passes.push(...(await Promise.all(schedulers.map((scheduler) => scheduler.runPass()))));
    }
    // Two more rounds find nothing left to do.
    passes.push(...(await Promise.all(schedulers.map((scheduler) => scheduler.runPass()))));
    expect(passes.reduce((sum, pass) => sum + pass.applied, 0)).toBe(TICKETS);
    expect(passes.filter((pass) => pass.leader && pass.applied > 0).length).toBeGreaterThan(1);

    const [counts] = (await harness.dataSource.query(
      `SELECT
         (SELECT count(*)::int FROM helpdesk.tickets WHERE organization_id = $1 AND tags @> '{nudged}') AS tagged,
         (SELECT count(*)::int FROM helpdesk.automation_runs) AS runs,
         (SELECT count(*)::int FROM helpdesk.ticket_events WHERE organization_id = $1 AND action = 'automation.fired') AS fired,
         (SELECT count(DISTINCT ticket_id)::int FROM helpdesk.ticket_events WHERE organization_id = $1 AND action = 'automation.fired') AS fired_tickets`,
      [admin.orgId],
    )) as Array<{ tagged: number; runs: number; fired: number; fired_tickets: number }>;
    expect(counts).toEqual({ tagged: TICKETS, runs: TICKETS, fired: TICKETS, fired_tickets: TICKETS });
  });
});
