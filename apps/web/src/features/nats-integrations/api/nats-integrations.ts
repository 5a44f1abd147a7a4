import type { CreatedNatsIntegrationView, NatsIntegrationView } from '@helpdesk/contracts';
import { api } from '../../../lib/api';

const BASE = '/api/v1/integrations/nats';

export const listNatsIntegrations = (signal?: AbortSignal) => api.call<NatsIntegrationView[]>(BASE, { signal });
export const createNatsIntegration = (body: { name: string }) => api.call<CreatedNatsIntegrationView>(BASE, { method: 'POST', body });
export const revokeNatsIntegration = (id: string) => api.call<void>(`${BASE}/${encodeURIComponent(id)}`, { method: 'DELETE' });
