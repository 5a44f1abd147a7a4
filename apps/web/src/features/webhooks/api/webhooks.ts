import type { Page, WebhookDeliveryView, WebhookView } from '@helpdesk/contracts';
import { api } from '../../../lib/api';

const BASE = '/api/v1/webhooks';
const one = (id: string) => `${BASE}/${encodeURIComponent(id)}`;

export interface WebhookInput {
  url: string;
  events: string[];
  secret: string;
  description?: string;
  orderedPerTicket?: boolean;
}

/** What an edit sends: a secret left out keeps the stored one. */
export interface WebhookChangesInput {
  url?: string;
  events?: string[];
  secret?: string;
  description?: string | null;
  orderedPerTicket?: boolean;
  active?: boolean;
}

export const listWebhooks = (signal?: AbortSignal) => api.call<Page<WebhookView>>(`${BASE}?limit=100`, { signal });
export const createWebhook = (body: WebhookInput) => api.call<WebhookView>(BASE, { method: 'POST', body });
export const updateWebhook = ({ id, changes }: { id: string; changes: WebhookChangesInput }) => api.call<WebhookView>(one(id), { method: 'PATCH', body: changes });
export const deleteWebhook = (id: string) => api.call<void>(one(id), { method: 'DELETE' });
export const sendTestEvent = (id: string) => api.call<WebhookDeliveryView>(`${one(id)}/test`, { method: 'POST' });
export const listDeliveries = (id: string, signal?: AbortSignal) => api.call<Page<WebhookDeliveryView>>(`${one(id)}/deliveries?limit=50`, { signal });
export const redeliver = ({ webhookId, deliveryId }: { webhookId: string; deliveryId: string }) =>
  api.call<WebhookDeliveryView>(`${one(webhookId)}/deliveries/${encodeURIComponent(deliveryId)}/redeliver`, { method: 'POST' });
