import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { subjects, type OrganizationView, type Page, type Principal, type PublicUserView, type SlaPolicyView, type TeamView, type UserView } from '@helpdesk/contracts';
import { CommandClient } from '@helpdesk/common';
import type { FastifyReply } from 'fastify';
import { AuthLimits, INVITATION_RESENDS_PER_HOUR } from '../auth/auth-limits.js';
import { Caller, Roles } from '../auth/caller.js';
import { UuidParam } from '../http/uuid-param.js';
import {
  CreateSlaPolicyBody,
  CreateTeamBody,
  InviteUserBody,
  ListSlaPoliciesQuery,
  ListTeamsQuery,
  ListUsersQuery,
  SetTeamMembersBody,
  UpdateOrganizationBody,
  UpdateSlaPolicyBody,
  UpdateTeamBody,
  UpdateUserBody,
} from './directory.dto.js';
import { RequiredScope } from '../auth/api-token-scopes.js';
import { Answers, AnswersNoContent } from '../http/api-responses.js';

const Id = () => UuidParam('id');

/** Users, teams, the organization and SLA policies: administration of the desk (DESIGN section 6). */
@ApiTags('administration')
@ApiBearerAuth()
@Controller()
export class DirectoryController {
  constructor(
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(AuthLimits) private readonly limits: AuthLimits,
  ) {}

  @RequiredScope('users:read')
  @Answers(HttpStatus.OK, 'UserPage')
  @Get('users')
  @Roles('admin', 'agent')
  @ApiOkResponse({
    description:
      "`{ items: UserView[], nextCursor }`: the organization's users ordered by name, for admins and agents (customers get 403). " +
      '`ids` (comma-separated UUIDs, at most 100) keeps only those users; `role` takes one role or several (`admin,agent` for the staff)',
  })
  listUsers(@Caller() principal: Principal, @Query() query: ListUsersQuery): Promise<Page<UserView>> {
    return this.commands.request(subjects.users.list, { principal, ...query });
  }

  @RequiredScope('users:read')
  @Answers(HttpStatus.OK, 'UserOrPublicUserView')
  @Get('users/:id')
  @ApiOkResponse({
    description:
      "Admins and agents: the organization's user as a UserView. Customers: only a staff member (admin or agent), as a PublicUserView `{ id, name, role }`. " +
      "404 for another organization's user and, for customers, for any customer",
  })
  getUser(@Caller() principal: Principal, @Id() userId: string): Promise<UserView | PublicUserView> {
    return this.commands.request(subjects.users.get, { principal, userId });
  }

  @RequiredScope('users:write')
  @Answers(HttpStatus.CREATED, 'UserView')
  @Post('users')
  @Roles('admin')
  inviteUser(@Caller() principal: Principal, @Body() body: InviteUserBody): Promise<UserView> {
    return this.commands.request(subjects.users.invite, { principal, ...body });
  }

  @RequiredScope('users:write')
  @Answers(HttpStatus.OK, 'UserView')
  @Patch('users/:id')
  @Roles('admin')
  @ApiOkResponse({
    description:
      'The user. Besides `name`, `role` and `active`: `capacity` (most open tickets automatic assignment gives them, 1..10000, null = unlimited) and ' +
      '`availability` (`online` follows realtime presence, `away`/`offline` hold until changed); the view answers the effective `availability` and the hand-set `availabilitySetting`',
  })
  @ApiBadRequestResponse({ description: 'A value out of range, named (capacity below 1, an unknown availability or role)' })
  @ApiNotFoundResponse({ description: "Unknown user, or another organization's" })
  updateUser(@Caller() principal: Principal, @Id() userId: string, @Body() changes: UpdateUserBody): Promise<UserView> {
    return this.commands.request(subjects.users.update, { principal, userId, changes });
  }

  /** Counted per invitee before it is sent; a refused resend (404, 409) gives its point back, as nothing was mailed. */
  @RequiredScope('users:write')
  @Answers(HttpStatus.ACCEPTED, 'UserView')
  @Post('users/:id/resend-invitation')
  @Roles('admin')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ description: 'The user (`invitationPendingSince` unchanged): a fresh invitation mail is on its way and the links mailed before no longer work' })
  @ApiForbiddenResponse({ description: "Not an admin, or the organization's email address is not verified yet" })
  @ApiNotFoundResponse({ description: "Unknown user, or another organization's" })
  @ApiConflictResponse({ description: 'The user already accepted (has a password), was never invited by mail, or is deactivated' })
  @ApiTooManyRequestsResponse({ description: `More than ${INVITATION_RESENDS_PER_HOUR} resends to this user within an hour; Retry-After says when to try again` })
  async resendInvitation(@Caller() principal: Principal, @Id() userId: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<UserView> {
    const key = `${principal.orgId}:${userId}`;
    await this.limits.consume(reply, 'invitationResend', key);
    try {
      return await this.commands.request<UserView>(subjects.users.resendInvitation, { principal, userId });
    } catch (error) {
      await this.limits.refund('invitationResend', key);
      throw error;
    }
  }

  /** Agents too: they see the mark on the requester of a ticket and may confirm the address works again. */
  @RequiredScope('users:write')
  @Answers(HttpStatus.OK, 'UserView')
  @Post('users/:id/clear-bounce')
  @Roles('admin', 'agent')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ description: 'The user with `bouncingSince` null: mail is sent to their address again (audited as `user.bounce_cleared`; a user who was not bouncing is answered unchanged)' })
  @ApiNotFoundResponse({ description: "Unknown user, or another organization's" })
  clearBounce(@Caller() principal: Principal, @Id() userId: string): Promise<UserView> {
    return this.commands.request(subjects.users.clearBounce, { principal, userId });
  }

  @RequiredScope('users:write')
  @AnswersNoContent()
  @Delete('users/:id')
  @Roles('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  async deactivateUser(@Caller() principal: Principal, @Id() userId: string): Promise<void> {
    await this.commands.request(subjects.users.deactivate, { principal, userId });
  }

  @RequiredScope('users:read')
  @Answers(HttpStatus.OK, 'TeamPage', 'A page of the teams by name: `{ items, nextCursor }` (`?limit=`, `?cursor=`)')
  @Get('teams')
  @Roles('admin', 'agent')
  listTeams(@Caller() principal: Principal, @Query() query: ListTeamsQuery): Promise<Page<TeamView>> {
    return this.commands.request(subjects.teams.list, { principal, ...query });
  }

  @RequiredScope('admin')
  @Answers(HttpStatus.CREATED, 'TeamView')
  @Post('teams')
  @Roles('admin')
  @ApiCreatedResponse({ description: 'The team `{ id, name, assignment, memberIds, createdAt }`; `assignment` is `manual` (default), `round_robin` or `load_balanced` (docs/workflow.md "Assignment")' })
  @ApiBadRequestResponse({ description: 'An empty name or an unknown assignment, named' })
  createTeam(@Caller() principal: Principal, @Body() body: CreateTeamBody): Promise<TeamView> {
    return this.commands.request(subjects.teams.create, { principal, ...body });
  }

  @RequiredScope('admin')
  @Answers(HttpStatus.OK, 'TeamView')
  @Patch('teams/:id')
  @Roles('admin')
  @ApiOkResponse({ description: "The team. Changing `assignment` to a rule assigns the team's waiting tickets at once, among its online members under capacity" })
  @ApiBadRequestResponse({ description: 'An empty name or an unknown assignment, named' })
  @ApiNotFoundResponse({ description: "Unknown team, or another organization's" })
  updateTeam(@Caller() principal: Principal, @Id() teamId: string, @Body() body: UpdateTeamBody): Promise<TeamView> {
    return this.commands.request(subjects.teams.update, { principal, teamId, ...body });
  }

  @RequiredScope('admin')
  @AnswersNoContent()
  @Delete('teams/:id')
  @Roles('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  async deleteTeam(@Caller() principal: Principal, @Id() teamId: string): Promise<void> {
    await this.commands.request(subjects.teams.delete, { principal, teamId });
  }

  @RequiredScope('admin')
  @Answers(HttpStatus.OK, 'TeamView')
  @Put('teams/:id/members')
  @Roles('admin')
  setTeamMembers(@Caller() principal: Principal, @Id() teamId: string, @Body() body: SetTeamMembersBody): Promise<TeamView> {
    return this.commands.request(subjects.teams.setMembers, { principal, teamId, ...body });
  }

  @RequiredScope('admin')
  @Answers(HttpStatus.OK, 'OrganizationView')
  @Get('organization')
  @Roles('admin', 'agent')
  organization(@Caller() principal: Principal): Promise<OrganizationView> {
    return this.commands.request(subjects.organizations.get, { principal });
  }

  @RequiredScope('admin')
  @Answers(HttpStatus.OK, 'OrganizationView')
  @Put('organization')
  @Roles('admin')
  updateOrganization(@Caller() principal: Principal, @Body() changes: UpdateOrganizationBody): Promise<OrganizationView> {
    return this.commands.request(subjects.organizations.update, { principal, changes });
  }

  @RequiredScope('admin')
  @Answers(HttpStatus.OK, 'SlaPolicyPage', 'A page of the policies, the most urgent priority first, then newest: `{ items, nextCursor }` (`?limit=`, `?cursor=`); the retired ones too with `includeInactive=true`')
  @Get('sla-policies')
  @Roles('admin')
  listSlaPolicies(@Caller() principal: Principal, @Query() query: ListSlaPoliciesQuery): Promise<Page<SlaPolicyView>> {
    return this.commands.request(subjects.slaPolicies.list, { principal, ...query });
  }

  @RequiredScope('admin')
  @Answers(HttpStatus.CREATED, 'SlaPolicyView')
  @Post('sla-policies')
  @Roles('admin')
  createSlaPolicy(@Caller() principal: Principal, @Body() body: CreateSlaPolicyBody): Promise<SlaPolicyView> {
    return this.commands.request(subjects.slaPolicies.create, { principal, ...body });
  }

  @RequiredScope('admin')
  @Answers(HttpStatus.OK, 'SlaPolicyView')
  @Patch('sla-policies/:id')
  @Roles('admin')
  updateSlaPolicy(@Caller() principal: Principal, @Id() policyId: string, @Body() changes: UpdateSlaPolicyBody): Promise<SlaPolicyView> {
    return this.commands.request(subjects.slaPolicies.update, { principal, policyId, changes });
  }

  @RequiredScope('admin')
  @AnswersNoContent()
  @Delete('sla-policies/:id')
  @Roles('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  async deleteSlaPolicy(@Caller() principal: Principal, @Id() policyId: string): Promise<void> {
    await this.commands.request(subjects.slaPolicies.delete, { principal, policyId });
  }
}
