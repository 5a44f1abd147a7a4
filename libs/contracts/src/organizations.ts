import type { Role } from './principal.js';

export interface OrganizationView {
  id: string;
  name: string;
  slug: string;
  timezone: string;
  businessHours: Record<string, Array<{ start: string; end: string }>>;
  holidays: string[];
}

export interface UserView {
  id: string;
  organizationId: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
}

export interface SignupReply {
  organization: OrganizationView;
  user: UserView;
}
