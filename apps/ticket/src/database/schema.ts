/** The PostgreSQL schema the ticket service owns (DESIGN section 5). */
export const TICKET_SCHEMA = 'helpdesk';
