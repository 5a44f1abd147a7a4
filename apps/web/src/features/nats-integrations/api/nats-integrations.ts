import type { CreatedNatsIntegrationView, NatsIntegrationView, Page } from '@helpdesk/contracts';
import { api } from '../../../lib/api';
import { toQueryString } from '../../../lib/query-string';

const BASE = '/api/v1/integrations/nats';

/** One page, newest first; `cursor` is the previous page's `nextCursor`. */
export const listNatsIntegrations = (cursor: string | undefined, signal?: AbortSignal) =>
  api.call<Page<NatsIntegrationView>>(`${BASE}${toQueryString({ limit: 50, cursor })}`, { signal });
export const createNatsIntegration = (body: { name: string }) => api.call<CreatedNatsIntegrationView>(BASE, { method: 'POST', body });
export const revokeNatsIntegration = (id: string) => api.call<void>(`${BASE}/${encodeURIComponent(id)}`, { method: 'DELETE' });
