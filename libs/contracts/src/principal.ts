export const ROLES = ['admin', 'agent', 'customer'] as const;
export type Role = (typeof ROLES)[number];
export const STAFF_ROLES: readonly Role[] = ['admin', 'agent'];

/** Who is calling, as asserted by the gateway from a verified token. Receivers re-check it against their data. */
export interface Principal {
  orgId: string;
  userId: string;
  role: Role;
  /** Set when the user acts through one of their API tokens: history and events name it beside them. */
  apiToken?: ApiTokenActor;
  /** Set when the user acts through one of their NATS integrations (public commands): history and events name it beside them. */
  integration?: IntegrationActor;
}

/** The API token a change was made with, as history and events record it. */
export interface ApiTokenActor {
  id: string;
  name: string;
}

/** The NATS integration a change was made with, as history and events record it. */
export interface IntegrationActor {
  id: string;
  name: string;
}

export function isStaff(role: Role): boolean {
  return STAFF_ROLES.includes(role);
}
