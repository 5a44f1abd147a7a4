import { subjects, type OrganizationView, type Principal, type TicketView } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../testing/ticket-harness.js';

describe('organization settings', () => {
  let harness: TicketHarness;
  let admin: Principal;
  let agent: Principal;
  let customer: Principal;
  let outsider: Principal;

  const update = (changes: Record<string, unknown>, principal: Principal = admin) => harness.send<OrganizationView>(subjects.organizations.update, { principal, changes });
  const get = (principal: Principal = admin) => harness.send<OrganizationView>(subjects.organizations.get, { principal });

  beforeAll(async () => {
    harness = await TicketHarness.start('directory_organization');
    ({ admin } = await harness.signup('Acme Support'));
    agent = await harness.addUser(admin.orgId, 'agent');
    customer = await harness.addUser(admin.orgId, 'customer');
    ({ admin: outsider } = await harness.signup('Globex Helpdesk'));
  });

  afterAll(() => harness?.stop());

  it('changes the name, time zone, business hours and holidays, and shows them to all staff', async () => {
    const businessHours = {
      mon: [
        { start: '08:00', end: '12:00' },
        { start: '13:00', end: '17:00' },
      ],
      sat: [{ start: '10:00', end: '24:00' }],
    };
    const updated = await update({ name: 'Acme <i>Global</i> Support', timezone: 'Europe/Berlin', businessHours, holidays: ['2026-12-25', '2026-01-01', '2026-12-25'] });
    expect(updated).toMatchObject({ id: admin.orgId, name: 'Acme Global Support', timezone: 'Europe/Berlin', businessHours, holidays: ['2026-01-01', '2026-12-25'] });
    expect(await get(agent)).toEqual(updated);
  });

  it('changes only the fields given', async () => {
    const before = await get();
    const updated = await update({ holidays: [] });
    expect(updated).toEqual({ ...before, holidays: [] });
  });

  it('refuses an invalid calendar, naming every problem, and keeps the old one', async () => {
    const before = await get();
    const failure = await harness.fail(subjects.organizations.update, {
      principal: admin,
      changes: {
        timezone: 'Mars/Olympus_Mons',
        businessHours: { mon: [{ start: '25:00', end: '17:00' }], tue: [{ start: '17:00', end: '09:00' }], wed: [{ start: '09:00', end: '13:00' }, { start: '12:00', end: '18:00' }] },
        holidays: ['2026-02-30', 'next friday'],
      },
    });
    expect(failure.code).toBe('VALIDATION');
    expect(failure.details).toEqual([
      'Unknown time zone "Mars/Olympus_Mons": use an IANA name such as "Europe/Berlin".',
      'mon: start "25:00" is not a time in the form HH:mm.',
      'tue: interval 17:00-09:00 must end after it starts.',
      'wed: intervals 09:00-13:00 and 12:00-18:00 overlap.',
      'Holiday "2026-02-30" is not a calendar date in the form YYYY-MM-DD.',
      'Holiday "next friday" is not a calendar date in the form YYYY-MM-DD.',
    ]);
    expect(failure.message).toContain('Unknown time zone "Mars/Olympus_Mons"');
    expect(await get()).toEqual(before);
  });

  it('refuses a week without business hours, an unknown weekday and more than 366 holidays', async () => {
    expect(await harness.fail(subjects.organizations.update, { principal: admin, changes: { businessHours: { mon: [], sun: [] } } })).toMatchObject({
      code: 'VALIDATION',
      details: ['Business hours are empty: at least one weekday needs an interval.'],
    });
    expect(await harness.fail(subjects.organizations.update, { principal: admin, changes: { businessHours: { monday: [{ start: '09:00', end: '17:00' }] } } })).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('monday should not exist'),
    });
    const holidays = Array.from({ length: 367 }, (_, day) => new Date(Date.UTC(2026, 0, 1 + day)).toISOString().slice(0, 10));
    expect(await harness.fail(subjects.organizations.update, { principal: admin, changes: { holidays } })).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('holidays') });
    expect(await harness.fail(subjects.organizations.update, { principal: admin, changes: { name: '<b></b>' } })).toMatchObject({ code: 'VALIDATION', message: 'name must contain text' });
  });

  it('does not move the due times of tickets opened before a calendar change', async () => {
    const ticket = await harness.send<TicketView>(subjects.tickets.create, { principal: customer, subject: 'Printer offline', description: 'Since this morning' });
    await update({ timezone: 'Pacific/Auckland', businessHours: { sun: [{ start: '00:00', end: '01:00' }] } });
    const after = await harness.send<TicketView>(subjects.tickets.get, { principal: admin, ticketId: ticket.id });
    expect({ firstResponseDueAt: after.firstResponseDueAt, resolutionDueAt: after.resolutionDueAt }).toEqual({ firstResponseDueAt: ticket.firstResponseDueAt, resolutionDueAt: ticket.resolutionDueAt });
  });

  it('lets only admins change the organization', async () => {
    for (const principal of [agent, customer]) {
      expect(await harness.fail(subjects.organizations.update, { principal, changes: { name: 'Hijacked' } })).toMatchObject({ code: 'FORBIDDEN' });
    }
  });

  it('changes only the caller\'s own organization, whatever the payload says', async () => {
    const before = await get(outsider);
    expect(await harness.fail(subjects.organizations.update, { principal: admin, organizationId: outsider.orgId, changes: { name: 'Hijacked' } })).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('organizationId should not exist'),
    });
    expect(await harness.fail(subjects.organizations.update, { principal: { ...admin, orgId: outsider.orgId }, changes: { name: 'Hijacked' } })).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await update({ name: 'Acme Renamed' })).toMatchObject({ id: admin.orgId, name: 'Acme Renamed' });
    expect(await get(outsider)).toEqual(before);
  });
});
