import type { Page, RuleAction, RuleCondition, TriggerEvent, TriggerView } from '@helpdesk/contracts';
import { api } from '../../../lib/api';
import { toQueryString } from '../../../lib/query-string';

const TRIGGERS = '/api/v1/triggers';
const id = (value: string) => encodeURIComponent(value);

export interface TriggerInput {
  name: string;
  event: TriggerEvent;
  all: RuleCondition[];
  any: RuleCondition[];
  actions: RuleAction[];
  active: boolean;
}

/** Every trigger of the organization (at most 200, so two pages of 100), in firing order: the screen reorders the whole list. */
export async function listTriggers(signal?: AbortSignal): Promise<TriggerView[]> {
  const triggers: TriggerView[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.call<Page<TriggerView>>(`${TRIGGERS}${toQueryString({ limit: 100, cursor })}`, { signal });
    triggers.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return triggers;
}
export const createTrigger = (body: TriggerInput) => api.call<TriggerView>(TRIGGERS, { method: 'POST', body });
export const updateTrigger = (triggerId: string, changes: Partial<TriggerInput> & { position?: number }) => api.call<TriggerView>(`${TRIGGERS}/${id(triggerId)}`, { method: 'PATCH', body: changes });
export const deleteTrigger = (triggerId: string) => api.call<unknown>(`${TRIGGERS}/${id(triggerId)}`, { method: 'DELETE' });
