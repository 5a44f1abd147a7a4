import type { ApiTokenActor, IntegrationActor } from '@helpdesk/contracts';
import type { EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { TicketEvent, type FieldChanges } from './ticket-event.entity.js';

export interface HistoryEntry {
  organizationId: string;
  ticketId: string;
  actorId: string | null;
  /** The caller's API token, when they acted through one. */
  apiToken?: ApiTokenActor;
  /** The caller's NATS integration, when they acted through one. */
  integration?: IntegrationActor;
  action: 'created' | 'updated' | 'commented' | 'sla.warning' | 'sla.breached' | 'attachment.added' | 'participant.added' | 'participant.removed' | 'merged' | 'link.added' | 'link.removed' | 'macro.applied' | 'follower.added' | 'follower.removed' | 'trigger.fired' | 'trigger.failed' | 'automation.fired' | 'automation.failed' | 'satisfaction.rated';
  changes?: FieldChanges;
}

/** Who acted, as the history records it: the user, and the API token or NATS integration they acted through. */
export function historyActor(caller: { userId: string; apiToken?: ApiTokenActor; integration?: IntegrationActor }): Pick<HistoryEntry, 'actorId' | 'apiToken' | 'integration'> {
  return { actorId: caller.userId, apiToken: caller.apiToken, integration: caller.integration };
}

/** Appends to a ticket's audit history inside the caller's transaction. */
export async function recordHistory(manager: EntityManager, entry: HistoryEntry): Promise<void> {
  // jsonb columns hold free-form objects, which TypeORM's deep-partial insert type cannot express.
  await manager.insert(TicketEvent, { ...entry, apiToken: entry.apiToken ?? null, integration: entry.integration ?? null, changes: entry.changes ?? {} } as QueryDeepPartialEntity<TicketEvent>);
}

/** The fields that differ between two snapshots, as `{ field: { from, to } }`. */
export function diff<T extends object>(before: T, after: T, fields: Array<keyof T & string>): FieldChanges {
  const changes: FieldChanges = {};
  for (const field of fields) {
    const from = normalize(before[field]);
    const to = normalize(after[field]);
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[field] = { from, to };
  }
  return changes;
}

function normalize(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : (value ?? null);
}
