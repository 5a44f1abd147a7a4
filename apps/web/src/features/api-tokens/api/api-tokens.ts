import type { ApiTokenScope, ApiTokenView, CreatedApiTokenView, Page } from '@helpdesk/contracts';
import { api } from '../../../lib/api';
import { toQueryString } from '../../../lib/query-string';

const BASE = '/api/v1/api-tokens';

export interface ApiTokenInput {
  name: string;
  scopes: ApiTokenScope[];
  /** ISO 8601; left out, the token lasts until revoked. */
  expiresAt?: string;
}

/** One page, newest first; `cursor` is the previous page's `nextCursor`. */
export const listApiTokens = (cursor: string | undefined, signal?: AbortSignal) => api.call<Page<ApiTokenView>>(`${BASE}${toQueryString({ limit: 50, cursor })}`, { signal });
export const createApiToken = (body: ApiTokenInput) => api.call<CreatedApiTokenView>(BASE, { method: 'POST', body });
export const revokeApiToken = (id: string) => api.call<void>(`${BASE}/${encodeURIComponent(id)}`, { method: 'DELETE' });
