import type { AutomationPreviewItem, AutomationView, Page, RuleAction, RuleCondition } from '@helpdesk/contracts';
import { api } from '../../../lib/api';
import { toQueryString } from '../../../lib/query-string';

const AUTOMATIONS = '/api/v1/automations';
const id = (value: string) => encodeURIComponent(value);

export interface AutomationInput {
  name: string;
  all: RuleCondition[];
  any: RuleCondition[];
  actions: RuleAction[];
  active: boolean;
}

/** An organization keeps at most 100; the console reads them in one page. */
export const listAutomations = (signal?: AbortSignal) => api.call<Page<AutomationView>>(`${AUTOMATIONS}${toQueryString({ limit: 100 })}`, { signal });
export const createAutomation = (body: AutomationInput) => api.call<AutomationView>(AUTOMATIONS, { method: 'POST', body });
export const updateAutomation = (automationId: string, changes: Partial<AutomationInput>) => api.call<AutomationView>(`${AUTOMATIONS}/${id(automationId)}`, { method: 'PATCH', body: changes });
export const deleteAutomation = (automationId: string) => api.call<unknown>(`${AUTOMATIONS}/${id(automationId)}`, { method: 'DELETE' });
/** The dry run: the tickets the automation would act on now (first 100 by number); nothing changes. */
export const previewAutomation = (automationId: string, signal?: AbortSignal) =>
  api.call<Page<AutomationPreviewItem>>(`${AUTOMATIONS}/${id(automationId)}/preview${toQueryString({ limit: 100 })}`, { signal });
