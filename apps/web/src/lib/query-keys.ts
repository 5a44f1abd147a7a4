import type { TicketListQuery } from '../features/tickets/api/tickets';

/** Every TanStack Query key, built here so invalidation from socket events and mutations stays consistent. */
export const queryKeys = {
  me: ['me'] as const,
  tickets: {
    all: ['tickets'] as const,
    lists: ['tickets', 'list'] as const,
    list: (query: TicketListQuery) => ['tickets', 'list', query] as const,
    search: (text: string) => ['tickets', 'search', text] as const,
    /** The ticket with this number (the command palette's `#123`). */
    byNumber: (number: number) => ['tickets', 'number', number] as const,
    detail: (id: string) => ['tickets', 'detail', id] as const,
    comments: (id: string) => ['tickets', 'detail', id, 'comments'] as const,
    history: (id: string) => ['tickets', 'detail', id, 'history'] as const,
    attachments: (id: string) => ['tickets', 'detail', id, 'attachments'] as const,
    /** The people copied on the ticket. */
    participants: (id: string) => ['tickets', 'detail', id, 'participants'] as const,
    /** The ticket's links to others (related, parent/child, merges). */
    links: (id: string) => ['tickets', 'detail', id, 'links'] as const,
    /** The staff following the ticket. */
    followers: (id: string) => ['tickets', 'detail', id, 'followers'] as const,
    /** Who changed the ticket last, from the socket's events: names the other person in a conflict. */
    lastChangedBy: (id: string) => ['tickets', 'detail', id, 'last-changed-by'] as const,
  },
  users: {
    all: ['users'] as const,
    list: (params: Record<string, string | undefined>) => ['users', 'list', params] as const,
    /** Every active admin and agent (the assignee picker). */
    staff: ['users', 'staff'] as const,
    /** One user by id, to name them: a UserView for staff, a PublicUserView of staff for customers, null when unknown. */
    detail: (id: string) => ['users', 'detail', id] as const,
  },
  teams: ['teams'] as const,
  organization: ['organization'] as const,
  slaPolicies: ['sla-policies'] as const,
  /** Custom ticket fields (DESIGN section 14): the active ones, or every one for the admin screen. */
  ticketFieldsAll: ['ticket-fields'] as const,
  ticketFields: (includeArchived: boolean) => ['ticket-fields', includeArchived ? 'all' : 'active'] as const,
  /** The organization's API tokens (DESIGN section 16). */
  apiTokens: ['api-tokens'] as const,
  natsIntegrations: ['nats-integrations'] as const,
  webhooks: ['webhooks'] as const,
  webhookDeliveries: (webhookId: string) => ['webhooks', webhookId, 'deliveries'] as const,
  /** The organization's mailboxes with their status (DESIGN section 13). */
  mailboxes: ['mailboxes'] as const,
  macros: {
    all: ['macros'] as const,
    list: ['macros', 'list'] as const,
    preview: (ticketId: string, macroId: string) => ['macros', 'preview', ticketId, macroId] as const,
  },
  /** Triggers (DESIGN section 14): the organization's, in firing order. */
  triggers: ['triggers'] as const,
  automations: {
    all: ['automations'] as const,
    list: ['automations', 'list'] as const,
    preview: (automationId: string) => ['automations', 'preview', automationId] as const,
  },
  cannedResponses: {
    all: ['canned-responses'] as const,
    list: (q: string) => ['canned-responses', 'list', q] as const,
  },
  /** Saved ticket views with their counts (DESIGN section 14); refreshed with the ticket lists. */
  views: {
    all: ['views'] as const,
    list: ['views', 'list'] as const,
  },
  deadLetters: {
    all: ['dead-letters'] as const,
    list: ['dead-letters', 'list'] as const,
    detail: (id: string) => ['dead-letters', 'detail', id] as const,
  },
};
