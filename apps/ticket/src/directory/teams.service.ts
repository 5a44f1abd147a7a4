import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PAGE_SIZE, type CreateTeamCommand, type DeletedReply, type ListTeamsCommand, type Page, type SetTeamMembersCommand, type TeamRefCommand, type TeamView, type UpdateTeamCommand } from '@helpdesk/contracts';
import { CommandError, decodeCursor, encodeCursor, stripToPlainText } from '@helpdesk/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AssignmentService } from '../assignment/assignment.service.js';
import { TICKET_SCHEMA } from '../database/schema.js';
import { Team } from '../teams/team.entity.js';
import { PrincipalVerifier } from '../users/principal-verifier.js';
import { isUniqueViolation } from './unique-violation.js';

export const DUPLICATE_TEAM = 'A team with this name already exists';

function toTeamView(team: Team): TeamView {
  return { id: team.id, name: team.name, assignment: team.assignment ?? 'manual', memberIds: team.members.map((member) => member.id).sort(), createdAt: team.createdAt.toISOString() };
}

function teamName(name: string): string {
  const plain = stripToPlainText(name);
  if (!plain) throw new CommandError('VALIDATION', 'name must contain text');
  return plain;
}

/** The unique index decides, so two admins creating "Billing" at once get one team and one CONFLICT. */
async function withUniqueName<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error, 'teams_organization_name_key')) throw new CommandError('CONFLICT', DUPLICATE_TEAM);
    throw error;
  }
}

/** Teams of agents and admins; names are unique per organization, whatever their case. */
@Injectable()
export class TeamsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
    @Inject(AssignmentService) private readonly assignment: AssignmentService,
  ) {}

  /** A page of the organization's teams by name (the order of the console's pickers), keyset on (name, id). */
  async list(command: ListTeamsCommand): Promise<Page<TeamView>> {
    const caller = await this.principals.verifyStaff(command.principal);
    const limit = command.limit ?? PAGE_SIZE.default;
    const manager = this.dataSource.manager;
    // The page is chosen on teams alone: a LIMIT over the members join would count members, not teams.
    const pageQuery = manager
      .createQueryBuilder(Team, 'team')
      .select(['team.id', 'team.name'])
      .where('team.organizationId = :orgId', { orgId: caller.orgId })
      .orderBy('team.name', 'ASC')
      .addOrderBy('team.id', 'ASC')
      .limit(limit + 1);
    if (command.cursor) {
      const cursor = decodeCursor(command.cursor, 'text');
      pageQuery.andWhere('(team.name, team.id) > (:name, :id)', { name: cursor.value, id: cursor.id });
    }
    const chosen = await pageQuery.getMany();
    const ids = chosen.slice(0, limit).map((team) => team.id);
    const teams = ids.length === 0 ? [] : await this.teamsQuery(manager, caller.orgId).andWhere('team.id IN (:...ids)', { ids }).orderBy('team.name', 'ASC').addOrderBy('team.id', 'ASC').getMany();
    const last = teams.at(-1);
    return { items: teams.map(toTeamView), nextCursor: chosen.length > limit && last ? encodeCursor({ value: last.name, id: last.id }) : null };
  }

  async create(command: CreateTeamCommand): Promise<TeamView> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const name = teamName(command.name);
    const manager = this.dataSource.manager;
    const team = await withUniqueName(() => manager.save(manager.create(Team, { organizationId: caller.orgId, name, assignment: command.assignment ?? 'manual' })));
    return toTeamView({ ...team, members: [] });
  }

  async update(command: UpdateTeamCommand): Promise<TeamView> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const manager = this.dataSource.manager;
    const team = await this.findTeam(manager, caller.orgId, command.teamId);
    if (command.name === undefined && command.assignment === undefined) return toTeamView(team);
    const changes = { ...(command.name === undefined ? {} : { name: teamName(command.name) }), ...(command.assignment === undefined ? {} : { assignment: command.assignment }) };
    await withUniqueName(() => manager.update(Team, { id: team.id }, changes));
    // Tickets that waited under `manual` are now the rule's to assign.
    if (command.assignment !== undefined && command.assignment !== 'manual') void this.assignment.kickTeam(team.id);
    return toTeamView({ ...team, ...changes });
  }

  /** Tickets of the team keep working, without a team (team_id ON DELETE SET NULL). */
  async delete(command: TeamRefCommand): Promise<DeletedReply> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const result = await this.dataSource.manager.delete(Team, { id: command.teamId, organizationId: caller.orgId });
    if (!result.affected) throw new CommandError('NOT_FOUND', 'Team not found');
    return { deleted: true };
  }

  /** Replaces the whole membership; every member must be an active agent or admin of the organization. */
  async setMembers(command: SetTeamMembersCommand): Promise<TeamView> {
    const memberIds = [...new Set(command.memberIds.map((id) => id.toLowerCase()))];
    return this.dataSource.transaction(async (manager) => {
      const caller = await this.principals.verifyAdmin(command.principal, manager);
      // The row lock makes concurrent replacements take turns instead of colliding on the membership rows.
      const locked = await manager.findOne(Team, { where: { id: command.teamId, organizationId: caller.orgId }, lock: { mode: 'for_no_key_update' } });
      if (!locked) throw new CommandError('NOT_FOUND', 'Team not found');
      const invalidIds = await this.notActiveStaff(manager, caller.orgId, memberIds);
      if (invalidIds.length > 0) {
        throw new CommandError('VALIDATION', `memberIds must be active agents or admins of this organization: ${invalidIds.join(', ')}`, { invalidIds });
      }
      await manager.query(`DELETE FROM ${TICKET_SCHEMA}.team_members WHERE team_id = $1`, [locked.id]);
      await manager.query(`INSERT INTO ${TICKET_SCHEMA}.team_members (team_id, user_id) SELECT $1, unnest($2::uuid[])`, [locked.id, memberIds]);
      // A new member may take the team's waiting tickets.
      this.assignment.noteTeam(manager, locked.id);
      return toTeamView(await this.findTeam(manager, caller.orgId, locked.id));
    });
  }

  private teamsQuery(manager: EntityManager, organizationId: string) {
    return manager.createQueryBuilder(Team, 'team').leftJoin('team.members', 'member').addSelect('member.id').where('team.organizationId = :orgId', { orgId: organizationId });
  }

  private async findTeam(manager: EntityManager, organizationId: string, teamId: string): Promise<Team> {
    const team = await this.teamsQuery(manager, organizationId).andWhere('team.id = :teamId', { teamId }).getOne();
    if (!team) throw new CommandError('NOT_FOUND', 'Team not found');
    return team;
  }

  private async notActiveStaff(manager: EntityManager, organizationId: string, userIds: string[]): Promise<string[]> {
    const rows = (await manager.query(`SELECT id FROM ${TICKET_SCHEMA}.users WHERE organization_id = $1 AND id = ANY($2::uuid[]) AND active AND role IN ('admin', 'agent')`, [
      organizationId,
      userIds,
    ])) as Array<{ id: string }>;
    const staff = new Set(rows.map((row) => row.id));
    return userIds.filter((id) => !staff.has(id));
  }
}
