export const ROLES = ['admin', 'agent', 'customer'] as const;
export type Role = (typeof ROLES)[number];
export const STAFF_ROLES: readonly Role[] = ['admin', 'agent'];

/** Who is calling, as asserted by the gateway from a verified token. Receivers re-check it against their data. */
export interface Principal {
  orgId: string;
  userId: string;
  role: Role;
}

export function isStaff(role: Role): boolean {
  return STAFF_ROLES.includes(role);
}
