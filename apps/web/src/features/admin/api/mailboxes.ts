import type { MailboxView, MailboxWithTokenView, Page } from '@helpdesk/contracts';
import { api } from '../../../lib/api';
import { toQueryString } from '../../../lib/query-string';

const BASE = '/api/v1/mailboxes';

/** IMAP settings as the form sends them; without `password` on an update the stored one is kept. */
export interface ImapSettingsInput {
  host: string;
  port: number;
  tls: boolean;
  user: string;
  password?: string;
  folder: string;
}

export interface MailboxInput {
  address: string;
  /** null: no IMAP (mail arrives by SMTP or HTTP only). */
  imap: ImapSettingsInput | null;
}

/** An organization has a handful of mailboxes: the first 100 are the whole list. */
export const listMailboxes = (signal?: AbortSignal) => api.call<Page<MailboxView>>(`${BASE}${toQueryString({ limit: 100 })}`, { signal });

export const createMailbox = ({ address, imap }: MailboxInput) => api.call<MailboxWithTokenView>(BASE, { method: 'POST', body: imap ? { address, imap } : { address } });

export const updateMailbox = (id: string, changes: MailboxInput) => api.call<MailboxView>(`${BASE}/${encodeURIComponent(id)}`, { method: 'PATCH', body: changes });

export const deleteMailbox = (id: string) => api.call<void>(`${BASE}/${encodeURIComponent(id)}`, { method: 'DELETE' });

export const rotateMailboxToken = (id: string) => api.call<MailboxWithTokenView>(`${BASE}/${encodeURIComponent(id)}/rotate-token`, { method: 'POST' });
