import type { DeadLetterDetail, DeadLetterSummary, Page, ReplayDeadLettersReply } from '@helpdesk/contracts';
import { api } from '../../../lib/api';
import { toQueryString } from '../../../lib/query-string';

const BASE = '/api/v1/admin/notifications/dead-letters';

export const listDeadLetters = (cursor: string | undefined, signal?: AbortSignal) => api.call<Page<DeadLetterSummary>>(`${BASE}${toQueryString({ limit: 50, cursor })}`, { signal });

export const getDeadLetter = (id: string, signal?: AbortSignal) => api.call<DeadLetterDetail>(`${BASE}/${encodeURIComponent(id)}`, { signal });

/** The given deliveries, or every dead one of the organization when `deliveryIds` is absent. */
export const replayDeadLetters = (deliveryIds?: string[]) => api.call<ReplayDeadLettersReply>(`${BASE}/replay`, { method: 'POST', body: deliveryIds ? { deliveryIds } : {} });
