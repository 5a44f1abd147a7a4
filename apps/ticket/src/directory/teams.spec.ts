import { randomUUID } from 'node:crypto';
import { subjects, type Page, type Principal, type TeamView, type TicketView } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../testing/ticket-harness.js';

describe('teams', () => {
  let harness: TicketHarness;
  let admin: Principal;
  let agent: Principal;
  let customer: Principal;
  let outsider: Principal;

  const createTeam = (name: string, principal: Principal = admin) => harness.send<TeamView>(subjects.teams.create, { principal, name });
  const listTeams = async (principal: Principal = admin) => (await harness.send<Page<TeamView>>(subjects.teams.list, { principal, limit: 100 })).items;
  const pageOfTeams = (principal: Principal, query: { limit?: number; cursor?: string | null } = {}) => harness.send<Page<TeamView>>(subjects.teams.list, { principal, ...query });
  const setMembers = (teamId: string, memberIds: string[]) => harness.send<TeamView>(subjects.teams.setMembers, { principal: admin, teamId, memberIds });

  beforeAll(async () => {
    harness = await TicketHarness.start('directory_teams');
    ({ admin } = await harness.signup('Acme Support'));
    agent = await harness.addUser(admin.orgId, 'agent');
    customer = await harness.addUser(admin.orgId, 'customer');
    ({ admin: outsider } = await harness.signup('Globex Helpdesk'));
  });

  afterAll(() => harness?.stop());

  it('creates a team without members, listed for agents in name order', async () => {
    const team = await createTeam('  <b>Tier 2</b> ');
    expect(team).toEqual({ id: expect.any(String), name: 'Tier 2', assignment: 'manual', memberIds: [], createdAt: expect.any(String) });
    await createTeam('Billing');
    expect((await listTeams(agent)).map((listed) => listed.name)).toEqual(['Billing', 'Tier 2']);
  });

  it('lists the teams a page at a time in name order, each with all its members, until nextCursor is null', async () => {
    const { admin: pagedAdmin } = await harness.signup('Paged Desk');
    const [first, second] = [await harness.addUser(pagedAdmin.orgId, 'agent'), await harness.addUser(pagedAdmin.orgId, 'agent')];
    for (const name of ['Charlie', 'Alpha', 'Bravo']) await createTeam(name, pagedAdmin);
    const alpha = (await pageOfTeams(pagedAdmin)).items.find((team) => team.name === 'Alpha')!;
    await harness.send(subjects.teams.setMembers, { principal: pagedAdmin, teamId: alpha.id, memberIds: [first.userId, second.userId] });

    const page1 = await pageOfTeams(pagedAdmin, { limit: 2 });
    expect(page1.items.map((team) => team.name)).toEqual(['Alpha', 'Bravo']);
    expect(page1.items[0]!.memberIds).toEqual([first.userId, second.userId].sort());
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = await pageOfTeams(pagedAdmin, { limit: 2, cursor: page1.nextCursor });
    expect(page2).toEqual({ items: [expect.objectContaining({ name: 'Charlie' })], nextCursor: null });
    expect(await pageOfTeams(pagedAdmin)).toEqual({ items: ['Alpha', 'Bravo', 'Charlie'].map((name) => expect.objectContaining({ name })), nextCursor: null });
  });

  it('answers VALIDATION for a cursor it did not make or a limit out of 1 to 100', async () => {
    const forged = Buffer.from(JSON.stringify(['Alpha', 'not-a-uuid'])).toString('base64url');
    for (const query of [{ cursor: 'not-a-cursor' }, { cursor: forged }, { limit: 0 }, { limit: 101 }, { limit: 'ten' }]) {
      expect(await harness.fail(subjects.teams.list, { principal: admin, ...query })).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/cursor|limit/) });
    }
  });

  it("never lists another organization's teams, even given a cursor from that organization's list", async () => {
    const { admin: ours } = await harness.signup('Our Desk');
    const { admin: theirs } = await harness.signup('Their Desk');
    const their = await createTeam('Zulu', theirs);
    for (const name of ['Alpha', 'Bravo', 'Charlie']) await createTeam(name, ours);
    const page = await pageOfTeams(ours, { limit: 1 });
    expect(await pageOfTeams(theirs, { cursor: page.nextCursor })).toEqual({ items: [their], nextCursor: null });
    expect(await pageOfTeams(theirs)).toEqual({ items: [their], nextCursor: null });
  });

  it('refuses a second team with the same name, whatever its case, on create and on rename', async () => {
    const hardware = await createTeam('Hardware');
    const software = await createTeam('Software');
    const duplicate = { code: 'CONFLICT', message: 'A team with this name already exists' };
    expect(await harness.fail(subjects.teams.create, { principal: admin, name: 'HARDWARE' })).toMatchObject(duplicate);
    expect(await harness.fail(subjects.teams.update, { principal: admin, teamId: software.id, name: 'hardware' })).toMatchObject(duplicate);
    // Other organizations have their own names.
    expect(await createTeam('Hardware', outsider)).toMatchObject({ name: 'Hardware' });
    expect(await harness.send<TeamView>(subjects.teams.update, { principal: admin, teamId: hardware.id, name: 'Hardware & Devices' })).toMatchObject({ id: hardware.id, name: 'Hardware & Devices' });
  });

  it('replaces the members with active agents and admins of the organization, keeping them on rename', async () => {
    const team = await createTeam('Escalations');
    const secondAgent = await harness.addUser(admin.orgId, 'agent');
    const members = await setMembers(team.id, [agent.userId, admin.userId, secondAgent.userId, agent.userId]);
    expect(members.memberIds).toEqual([agent.userId, admin.userId, secondAgent.userId].sort());
    expect((await setMembers(team.id, [secondAgent.userId])).memberIds).toEqual([secondAgent.userId]);
    const renamed = await harness.send<TeamView>(subjects.teams.update, { principal: admin, teamId: team.id, name: 'Escalations EU' });
    expect(renamed.memberIds).toEqual([secondAgent.userId]);
    expect((await listTeams()).find((listed) => listed.id === team.id)?.memberIds).toEqual([secondAgent.userId]);
    expect((await setMembers(team.id, [])).memberIds).toEqual([]);
  });

  it('refuses customers, deactivated agents, unknown ids and other organizations\' agents as members, naming each', async () => {
    const team = await createTeam('Night shift');
    const leaver = await harness.addUser(admin.orgId, 'agent');
    await harness.dataSource.query('UPDATE helpdesk.users SET active = false WHERE id = $1', [leaver.userId]);
    const foreignAgent = await harness.addUser(outsider.orgId, 'agent');
    const unknown = randomUUID();
    const failure = await harness.fail(subjects.teams.setMembers, { principal: admin, teamId: team.id, memberIds: [agent.userId, customer.userId, leaver.userId, foreignAgent.userId, unknown] });
    expect(failure.code).toBe('VALIDATION');
    for (const id of [customer.userId, leaver.userId, foreignAgent.userId, unknown]) expect(failure.message).toContain(id);
    expect(failure.message).not.toContain(agent.userId);
    expect(failure.details).toEqual({ invalidIds: [customer.userId, leaver.userId, foreignAgent.userId, unknown] });
    expect((await listTeams()).find((listed) => listed.id === team.id)?.memberIds).toEqual([]);
  });

  it('refuses more than 500 members and ids that are not UUIDs', async () => {
    const team = await createTeam('Everyone');
    const tooMany = Array.from({ length: 501 }, () => randomUUID());
    expect(await harness.fail(subjects.teams.setMembers, { principal: admin, teamId: team.id, memberIds: tooMany })).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('500') });
    expect(await harness.fail(subjects.teams.setMembers, { principal: admin, teamId: team.id, memberIds: ['agent-1'] })).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('memberIds') });
  });

  it('deletes a team while its tickets keep working, without a team', async () => {
    const team = await createTeam('Short-lived');
    const ticket = await harness.send<TicketView>(subjects.tickets.create, { principal: admin, subject: 'Routed to a team', description: 'x' });
    await harness.send(subjects.tickets.update, { principal: admin, ticketId: ticket.id, changes: { teamId: team.id } });
    expect(await harness.send(subjects.teams.delete, { principal: admin, teamId: team.id })).toEqual({ deleted: true });
    expect((await listTeams()).find((listed) => listed.id === team.id)).toBeUndefined();
    expect(await harness.send<TicketView>(subjects.tickets.get, { principal: admin, ticketId: ticket.id })).toMatchObject({ teamId: null });
    expect(await harness.send<TicketView>(subjects.tickets.update, { principal: agent, ticketId: ticket.id, changes: { status: 'open' } })).toMatchObject({ status: 'open', teamId: null });
    expect(await harness.fail(subjects.teams.delete, { principal: admin, teamId: team.id })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lets agents read teams but only admins change them; customers see none', async () => {
    const team = await createTeam('Admins only');
    for (const principal of [agent, customer]) {
      expect(await harness.fail(subjects.teams.create, { principal, name: 'Rogue team' })).toMatchObject({ code: 'FORBIDDEN' });
      expect(await harness.fail(subjects.teams.update, { principal, teamId: team.id, name: 'Renamed' })).toMatchObject({ code: 'FORBIDDEN' });
      expect(await harness.fail(subjects.teams.delete, { principal, teamId: team.id })).toMatchObject({ code: 'FORBIDDEN' });
      expect(await harness.fail(subjects.teams.setMembers, { principal, teamId: team.id, memberIds: [agent.userId] })).toMatchObject({ code: 'FORBIDDEN' });
    }
    expect(await harness.fail(subjects.teams.list, { principal: customer })).toMatchObject({ code: 'FORBIDDEN' });
    expect((await listTeams()).find((listed) => listed.id === team.id)).toMatchObject({ name: 'Admins only', memberIds: [] });
  });

  it('answers not found for another organization\'s team, never listing or changing it', async () => {
    const foreign = await createTeam('Globex secret team', outsider);
    expect(await harness.fail(subjects.teams.update, { principal: admin, teamId: foreign.id, name: 'Taken over' })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await harness.fail(subjects.teams.delete, { principal: admin, teamId: foreign.id })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await harness.fail(subjects.teams.setMembers, { principal: admin, teamId: foreign.id, memberIds: [agent.userId] })).toMatchObject({ code: 'NOT_FOUND' });
    expect((await listTeams()).find((listed) => listed.id === foreign.id)).toBeUndefined();
    expect((await listTeams(outsider)).find((listed) => listed.id === foreign.id)).toEqual(foreign);
  });
});
