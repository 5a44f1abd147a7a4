import type { Availability, OrganizationView, Page, PublicUserView, Role, SlaPolicyView, TeamAssignment, TeamView, UserView } from '@helpdesk/contracts';
import { api } from '../../../lib/api';
import { fetchAllPages } from '../../../lib/fetch-all-pages';
import { toQueryString } from '../../../lib/query-string';

export interface UserListParams {
  q?: string;
  /** One role or several (the API takes `role=admin,agent`). */
  role?: Role[];
  active?: boolean;
  /** At most USER_IDS_PER_REQUEST. */
  ids?: string[];
  cursor?: string;
  limit?: number;
}

/** GET /users answers admins and agents; customers get 403 and use getUser for staff names. */
export const listUsers = ({ role, ids, ...params }: UserListParams) =>
  api.call<Page<UserView>>(`/api/v1/users${toQueryString({ limit: 100, ...params, role: role?.join(','), ids: ids?.join(',') })}`);

/** The API's bound on `ids=`. */
export const USER_IDS_PER_REQUEST = 100;
/** A desk with more staff than this would need a search box in the picker, not a longer list. */
const MAX_STAFF_PAGES = 20;

/** Every active admin and agent, page by page: who may be assigned a ticket. */
export async function listActiveStaff(): Promise<UserView[]> {
  const staff: UserView[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_STAFF_PAGES; page += 1) {
    const result = await listUsers({ role: ['admin', 'agent'], active: true, cursor });
    staff.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return staff;
}

/** Staff get a UserView of anyone in their organization; customers a PublicUserView of staff only (404 otherwise). */
export const getUser = (id: string) => api.call<UserView | PublicUserView>(`/api/v1/users/${encodeURIComponent(id)}`);

export const inviteUser = (body: { name: string; email: string; role: Role; password?: string }) => api.call<UserView>('/api/v1/users', { method: 'POST', body });

export interface UserChangesInput {
  name?: string;
  role?: Role;
  active?: boolean;
  /** null: unlimited. */
  capacity?: number | null;
  availability?: Availability;
}

export const updateUser = (id: string, changes: UserChangesInput) =>
  api.call<UserView>(`/api/v1/users/${encodeURIComponent(id)}`, { method: 'PATCH', body: changes });

/** A fresh invitation mail to a user who has not accepted theirs (429 when resent too often). */
export const resendInvitation = (id: string) => api.call<UserView>(`/api/v1/users/${encodeURIComponent(id)}/resend-invitation`, { method: 'POST' });

/** Staff: the user's address works again (their mail is sent again). */
export const clearBounce = (id: string) => api.call<UserView>(`/api/v1/users/${encodeURIComponent(id)}/clear-bounce`, { method: 'POST' });

export const deactivateUser = (id: string) => api.call<void>(`/api/v1/users/${encodeURIComponent(id)}`, { method: 'DELETE' });

/** Every team, by name (the pickers need them all). */
export const listTeams = () => fetchAllPages<TeamView>('/api/v1/teams');
export const createTeam = (body: { name: string; assignment?: TeamAssignment }) => api.call<TeamView>('/api/v1/teams', { method: 'POST', body });
export const updateTeam = (id: string, body: { name?: string; assignment?: TeamAssignment }) => api.call<TeamView>(`/api/v1/teams/${encodeURIComponent(id)}`, { method: 'PATCH', body });
export const deleteTeam = (id: string) => api.call<unknown>(`/api/v1/teams/${encodeURIComponent(id)}`, { method: 'DELETE' });
export const setTeamMembers = (id: string, userIds: string[]) =>
  api.call<TeamView>(`/api/v1/teams/${encodeURIComponent(id)}/members`, { method: 'PUT', body: { memberIds: userIds } });

export const getOrganization = () => api.call<OrganizationView>('/api/v1/organization');
export const updateOrganization = (body: Partial<Pick<OrganizationView, 'name' | 'timezone' | 'businessHours' | 'holidays' | 'satisfactionSurveys'>>) =>
  api.call<OrganizationView>('/api/v1/organization', { method: 'PUT', body });

export type SlaPolicyInput = Pick<SlaPolicyView, 'name' | 'priority' | 'firstResponseMinutes' | 'nextResponseMinutes' | 'resolutionMinutes' | 'businessHoursOnly'>;

/** Every active policy, most urgent first (one per priority, so a single page in practice). */
export const listSlaPolicies = () => fetchAllPages<SlaPolicyView>('/api/v1/sla-policies');
export const createSlaPolicy = (body: SlaPolicyInput) => api.call<SlaPolicyView>('/api/v1/sla-policies', { method: 'POST', body });
export const updateSlaPolicy = (id: string, body: Partial<SlaPolicyInput>) =>
  api.call<SlaPolicyView>(`/api/v1/sla-policies/${encodeURIComponent(id)}`, { method: 'PATCH', body });
export const deleteSlaPolicy = (id: string) => api.call<unknown>(`/api/v1/sla-policies/${encodeURIComponent(id)}`, { method: 'DELETE' });
