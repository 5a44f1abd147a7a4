import type { TicketPriority } from '@helpdesk/contracts';

const HOUR = 60;
/** The defaults count in business hours, so "a day" is one business day of the default 09:00-17:00 schedule. */
const BUSINESS_DAY = 8 * HOUR;

/** The policies every new organization starts with: urgent 1h/4h, high 4h/1d, normal 8h/2d, low 1d/4d. */
export const DEFAULT_SLA_POLICIES: Array<{ priority: TicketPriority; name: string; firstResponseMinutes: number; resolutionMinutes: number }> = [
  { priority: 'urgent', name: 'Urgent', firstResponseMinutes: 1 * HOUR, resolutionMinutes: 4 * HOUR },
  { priority: 'high', name: 'High', firstResponseMinutes: 4 * HOUR, resolutionMinutes: 1 * BUSINESS_DAY },
  { priority: 'normal', name: 'Normal', firstResponseMinutes: 8 * HOUR, resolutionMinutes: 2 * BUSINESS_DAY },
  { priority: 'low', name: 'Low', firstResponseMinutes: 1 * BUSINESS_DAY, resolutionMinutes: 4 * BUSINESS_DAY },
];
