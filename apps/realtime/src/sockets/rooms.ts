/** Socket.IO room names. Ids are UUIDs, unique across organizations, so a room never mixes tenants. */
export const rooms = {
  /** Staff (admins and agents) of one organization. Never holds a customer. */
  org: (orgId: string) => `org:${orgId}`,
  /** Everyone who proved, through the ticket service, that they may see this ticket. */
  ticket: (ticketId: string) => `ticket:${ticketId}`,
  /** Every connection of one user. */
  user: (userId: string) => `user:${userId}`,
};
