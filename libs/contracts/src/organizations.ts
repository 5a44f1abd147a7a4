import type { Role } from './principal.js';

export interface OrganizationView {
  id: string;
  name: string;
  slug: string;
  timezone: string;
  businessHours: Record<string, Array<{ start: string; end: string }>>;
  holidays: string[];
  /**
   * Whether the signup address was verified. Until it is, mail goes only to the organization's
   * staff: invitations and mails to customers are dropped (docs/security.md).
   */
  emailVerified: boolean;
  /** Whether the solved mail asks the requester to rate the ticket (docs/satisfaction.md); on unless an admin turns it off. */
  satisfactionSurveys: boolean;
}

/** A user as admins and agents see them (GET /users, GET /users/:id). Never a password hash or token. */
export interface UserView {
  id: string;
  organizationId: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  /** ISO 8601 when the user was invited by mail and has not yet set a password (accepted); otherwise null. */
  invitationPendingSince: string | null;
  /** ISO 8601 since when mail to the user's address bounces (a delivery-status report named it failed): no mail is sent to it until cleared; otherwise null. */
  bouncingSince: string | null;
  /** Most open (not solved or closed) tickets automatic assignment gives them; null is unlimited. */
  capacity: number | null;
  /**
   * What assignment sees: `away` and `offline` when set by hand; otherwise `online` while they have
   * the console open (realtime presence) and `offline` when not. `availabilitySetting` is the hand-set value.
   */
  availability: Availability;
  availabilitySetting: Availability;
}

export const AVAILABILITIES = ['online', 'away', 'offline'] as const;
export type Availability = (typeof AVAILABILITIES)[number];

/**
 * A staff member as a customer sees them (GET /users/:id): enough to name the agent who replied,
 * nothing to reach them outside the desk (no email) or to learn about the organization's accounts.
 */
export interface PublicUserView {
  id: string;
  name: string;
  role: Role;
}

export interface SignupReply {
  organization: OrganizationView;
  user: UserView;
}
