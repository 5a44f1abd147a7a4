import type { AiSuggestedReply, AiSummary } from '@helpdesk/contracts';
import { api } from '../../../lib/api';

export const summarizeTicket = (id: string) => api.call<AiSummary>(`/api/v1/tickets/${encodeURIComponent(id)}/ai/summary`, { method: 'POST' });
export const suggestReply = (id: string) => api.call<AiSuggestedReply>(`/api/v1/tickets/${encodeURIComponent(id)}/ai/suggest-reply`, { method: 'POST' });
