import type { ApiTokenScope, ApiTokenView, CreatedApiTokenView } from '@helpdesk/contracts';
import { api } from '../../../lib/api';

const BASE = '/api/v1/api-tokens';

export interface ApiTokenInput {
  name: string;
  scopes: ApiTokenScope[];
  /** ISO 8601; left out, the token lasts until revoked. */
  expiresAt?: string;
}

export const listApiTokens = (signal?: AbortSignal) => api.call<ApiTokenView[]>(BASE, { signal });
export const createApiToken = (body: ApiTokenInput) => api.call<CreatedApiTokenView>(BASE, { method: 'POST', body });
export const revokeApiToken = (id: string) => api.call<void>(`${BASE}/${encodeURIComponent(id)}`, { method: 'DELETE' });
