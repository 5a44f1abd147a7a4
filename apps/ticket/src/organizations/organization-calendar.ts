import type { BusinessCalendar } from '../sla/business-calendar.js';
import type { Organization } from './organization.entity.js';

export function calendarOf(organization: Pick<Organization, 'timezone' | 'businessHours' | 'holidays'>): BusinessCalendar {
  return { timezone: organization.timezone, businessHours: organization.businessHours, holidays: organization.holidays };
}
