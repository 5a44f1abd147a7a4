import type { Availability, MeReply, NotificationPreference, OrganizationView, UserView } from '@helpdesk/contracts';
import { api } from '../../../lib/api';
import type { SessionReply } from '../../../lib/api-client';

export interface SessionWithUser extends SessionReply {
  user: UserView;
  organization: OrganizationView;
}

export interface LoginInput {
  email: string;
  password: string;
  organization?: string;
}

export const login = (body: LoginInput) => api.call<SessionWithUser>('/api/v1/auth/login', { method: 'POST', body, authenticated: false });

export interface SignupInput {
  organizationName: string;
  name: string;
  email: string;
  password: string;
  timezone?: string;
}

export const signup = (body: SignupInput) => api.call<SessionWithUser>('/api/v1/auth/signup', { method: 'POST', body, authenticated: false });

export const logout = () => api.call<void>('/api/v1/auth/logout', { method: 'POST', body: {} });

export const requestPasswordReset = (body: { email: string }) => api.call<void>('/api/v1/auth/password-reset', { method: 'POST', body, authenticated: false });

export const confirmPasswordReset = (body: { token: string; password: string }) =>
  api.call<void>('/api/v1/auth/password-reset/confirm', { method: 'POST', body, authenticated: false });

export const acceptInvite = (body: { token: string; password: string }) =>
  api.call<SessionWithUser>('/api/v1/auth/accept-invite', { method: 'POST', body, authenticated: false });

export const getMe = () => api.call<MeReply>('/api/v1/me');

export interface UpdateMeInput {
  name?: string;
  /** Staff only. */
  availability?: Availability;
  notificationPreferences?: Partial<Record<NotificationPreference, boolean>>;
}

export const updateMe = (body: UpdateMeInput) => api.call<MeReply>('/api/v1/me', { method: 'PATCH', body });

export const changePassword = (body: { currentPassword: string; newPassword: string }) => api.call<void>('/api/v1/me/password', { method: 'POST', body });

export const verifyEmail = (body: { token: string }) => api.call<void>('/api/v1/auth/verify-email', { method: 'POST', body, authenticated: false });
