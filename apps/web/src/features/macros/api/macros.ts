import type { CannedResponseView, MacroAction, MacroPreview, MacroView, Page, RenderedCannedResponse, TicketView } from '@helpdesk/contracts';
import { api } from '../../../lib/api';
import { toQueryString } from '../../../lib/query-string';

const MACROS = '/api/v1/macros';
const CANNED = '/api/v1/canned-responses';
const id = (value: string) => encodeURIComponent(value);

export interface MacroInput {
  name: string;
  actions: MacroAction[];
  teamId: string | null;
}

export interface CannedResponseInput {
  name: string;
  body: string;
  teamId: string | null;
}

/** An organization keeps at most 500 of each; the console reads them 100 at a time. */
export const listMacros = (cursor?: string, signal?: AbortSignal) => api.call<Page<MacroView>>(`${MACROS}${toQueryString({ limit: 100, cursor })}`, { signal });
export const createMacro = (body: MacroInput) => api.call<MacroView>(MACROS, { method: 'POST', body });
export const updateMacro = (macroId: string, changes: MacroInput) => api.call<MacroView>(`${MACROS}/${id(macroId)}`, { method: 'PATCH', body: changes });
export const deleteMacro = (macroId: string) => api.call<unknown>(`${MACROS}/${id(macroId)}`, { method: 'DELETE' });

/** Applies against the version the agent saw (`If-Match`): 409 when the ticket changed since. */
export const applyMacro = (ticketId: string, macroId: string, version: number) =>
  api.call<TicketView>(`/api/v1/tickets/${id(ticketId)}/macros/${id(macroId)}`, { method: 'POST', headers: { 'if-match': `"${version}"` } });
export const previewMacro = (ticketId: string, macroId: string, signal?: AbortSignal) =>
  api.call<MacroPreview>(`/api/v1/tickets/${id(ticketId)}/macros/${id(macroId)}?preview=true`, { method: 'POST', signal });

export const listCannedResponses = (q: string | undefined, cursor?: string, signal?: AbortSignal) =>
  api.call<Page<CannedResponseView>>(`${CANNED}${toQueryString({ limit: 100, q: q || undefined, cursor })}`, { signal });
export const createCannedResponse = (body: CannedResponseInput) => api.call<CannedResponseView>(CANNED, { method: 'POST', body });
export const updateCannedResponse = (cannedId: string, changes: CannedResponseInput) => api.call<CannedResponseView>(`${CANNED}/${id(cannedId)}`, { method: 'PATCH', body: changes });
export const deleteCannedResponse = (cannedId: string) => api.call<unknown>(`${CANNED}/${id(cannedId)}`, { method: 'DELETE' });
/** Rendered by the ticket service, which escapes the placeholders' values exactly as a macro's comment. */
export const renderCannedResponse = (ticketId: string, cannedId: string) => api.call<RenderedCannedResponse>(`/api/v1/tickets/${id(ticketId)}/canned-responses/${id(cannedId)}`);
