import type { OrganizationView, Page, Role, SlaPolicyView, TeamView, TicketPriority, UserView } from '@helpdesk/contracts';
import { api } from '../../../lib/api';
import { toQueryString } from '../../../lib/query-string';

export const listUsers = (params: { q?: string; role?: Role; active?: boolean; cursor?: string; limit?: number }) =>
  api.call<Page<UserView>>(`/api/v1/users${toQueryString({ limit: 100, ...params })}`);

export const inviteUser = (body: { name: string; email: string; role: Role; password?: string }) => api.call<UserView>('/api/v1/users', { method: 'POST', body });

export const updateUser = (id: string, changes: { name?: string; role?: Role; active?: boolean }) =>
  api.call<UserView>(`/api/v1/users/${encodeURIComponent(id)}`, { method: 'PATCH', body: changes });

/** A fresh invitation mail to a user who has not accepted theirs (429 when resent too often). */
export const resendInvitation = (id: string) => api.call<UserView>(`/api/v1/users/${encodeURIComponent(id)}/resend-invitation`, { method: 'POST' });

export const deactivateUser = (id: string) => api.call<void>(`/api/v1/users/${encodeURIComponent(id)}`, { method: 'DELETE' });

export const listTeams = () => api.call<TeamView[]>('/api/v1/teams');
export const createTeam = (body: { name: string }) => api.call<TeamView>('/api/v1/teams', { method: 'POST', body });
export const renameTeam = (id: string, body: { name: string }) => api.call<TeamView>(`/api/v1/teams/${encodeURIComponent(id)}`, { method: 'PATCH', body });
export const deleteTeam = (id: string) => api.call<unknown>(`/api/v1/teams/${encodeURIComponent(id)}`, { method: 'DELETE' });
export const setTeamMembers = (id: string, userIds: string[]) =>
  api.call<TeamView>(`/api/v1/teams/${encodeURIComponent(id)}/members`, { method: 'PUT', body: { memberIds: userIds } });

export const getOrganization = () => api.call<OrganizationView>('/api/v1/organization');
export const updateOrganization = (body: Partial<Pick<OrganizationView, 'name' | 'timezone' | 'businessHours' | 'holidays'>>) =>
  api.call<OrganizationView>('/api/v1/organization', { method: 'PUT', body });

export interface SlaPolicyInput {
  name: string;
  priority: TicketPriority;
  firstResponseMinutes: number;
  nextResponseMinutes: number | null;
  resolutionMinutes: number;
  businessHoursOnly: boolean;
}

export const listSlaPolicies = () => api.call<SlaPolicyView[]>('/api/v1/sla-policies');
export const createSlaPolicy = (body: SlaPolicyInput) => api.call<SlaPolicyView>('/api/v1/sla-policies', { method: 'POST', body });
export const updateSlaPolicy = (id: string, body: Partial<SlaPolicyInput>) =>
  api.call<SlaPolicyView>(`/api/v1/sla-policies/${encodeURIComponent(id)}`, { method: 'PATCH', body });
export const deleteSlaPolicy = (id: string) => api.call<unknown>(`/api/v1/sla-policies/${encodeURIComponent(id)}`, { method: 'DELETE' });
