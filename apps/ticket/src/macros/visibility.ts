import { CommandError } from '@helpdesk/common';
import type { EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';
import { Team } from '../teams/team.entity.js';
import type { VerifiedPrincipal } from '../users/principal-verifier.js';

/**
 * Macros and canned responses an agent sees: the organization's without a team, and those of the
 * teams they belong to. Admins see (and manage) them all; customers none (the callers check).
 */
export function visibleTo<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, alias: string, caller: VerifiedPrincipal): SelectQueryBuilder<T> {
  query.andWhere(`${alias}.organizationId = :orgId`, { orgId: caller.orgId });
  if (caller.role !== 'admin') {
    query.andWhere(`(${alias}.teamId IS NULL OR ${alias}.teamId IN (SELECT member.team_id FROM ${TICKET_SCHEMA}.team_members member WHERE member.user_id = :viewerId))`, { viewerId: caller.userId });
  }
  return query;
}

/** A team id from a client: a team of the caller's organization, or null for the whole organization. */
export async function checkedTeamId(manager: EntityManager, orgId: string, teamId: string | null | undefined): Promise<string | null> {
  if (teamId === undefined || teamId === null) return null;
  if (!(await manager.exists(Team, { where: { id: teamId, organizationId: orgId } }))) throw new CommandError('VALIDATION', 'teamId must be a team of this organization');
  return teamId;
}

/** `%` and `_` are wildcards of LIKE: a search for "50%" means the text "50%". */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}
