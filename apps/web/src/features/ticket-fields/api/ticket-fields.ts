import type { TicketFieldType, TicketFieldView } from '@helpdesk/contracts';
import { api } from '../../../lib/api';
import { fetchAllPages } from '../../../lib/fetch-all-pages';

export interface TicketFieldInput {
  key: string;
  label: string;
  type: TicketFieldType;
  options?: string[];
  requiredToSolve?: boolean;
}

export type TicketFieldChanges = Partial<Pick<TicketFieldView, 'label' | 'options' | 'requiredToSolve' | 'active'>>;

const path = (id: string) => `/api/v1/ticket-fields/${encodeURIComponent(id)}`;

/** Every field in creation order (forms show them all), the archived ones too when asked. */
export const listTicketFields = (includeArchived: boolean) => fetchAllPages<TicketFieldView>(`/api/v1/ticket-fields${includeArchived ? '?includeArchived=true' : ''}`);
export const createTicketField = (body: TicketFieldInput) => api.call<TicketFieldView>('/api/v1/ticket-fields', { method: 'POST', body });
export const updateTicketField = (id: string, body: TicketFieldChanges) => api.call<TicketFieldView>(path(id), { method: 'PATCH', body });
export const archiveTicketField = (id: string) => api.call<TicketFieldView>(path(id), { method: 'DELETE' });
