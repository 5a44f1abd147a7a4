import { Injectable } from '@nestjs/common';
import { activeTraceCarrier } from '@helpdesk/common';
import type { EventActor, EventEnvelope, EventType, Principal } from '@helpdesk/contracts';
import type { EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { OutboxMessage } from './outbox-message.entity.js';

export interface DomainEvent<TData> {
  type: EventType;
  orgId: string;
  aggregateId: string;
  actor: EventActor;
  data: TData;
}

export const EVENT_SCHEMA_VERSION = 1;

/** The active trace context as the outbox's trace_context parameter of a hand-written insert (null when untraced). */
export function traceCarrierJson(): string | null {
  const carrier = activeTraceCarrier();
  return carrier ? JSON.stringify(carrier) : null;
}

export function actorOf(principal: Principal & { system?: string }): EventActor {
  if (principal.system) return { system: principal.system };
  return { userId: principal.userId, role: principal.role, ...(principal.apiToken ? { apiToken: principal.apiToken } : {}), ...(principal.integration ? { integration: principal.integration } : {}) };
}

/**
 * Records domain events in the outbox inside the caller's transaction: committed with the change,
 * or not at all. The relay publishes them afterwards.
 */
@Injectable()
export class DomainEvents {
  private readonly listeners = new Set<() => void>();

  /** The envelope of a new event; `record` stores it, or a caller writes it to the outbox in its own statement. */
  envelope<TData extends object>(event: DomainEvent<TData>): EventEnvelope<TData> {
    return {
      id: uuidv7(),
      type: event.type,
      version: EVENT_SCHEMA_VERSION,
      occurredAt: new Date().toISOString(),
      orgId: event.orgId,
      aggregateId: event.aggregateId,
      actor: event.actor,
      data: event.data,
    };
  }

  async record<TData extends object>(manager: EntityManager, event: DomainEvent<TData>): Promise<EventEnvelope<TData>> {
    const envelope = this.envelope(event);
    // The envelope is a jsonb document, which TypeORM's deep-partial insert type cannot express.
    await manager.insert(OutboxMessage, {
      id: envelope.id,
      organizationId: event.orgId,
      aggregateId: event.aggregateId,
      type: event.type,
      envelope,
      attempts: 0,
      traceContext: activeTraceCarrier() ?? null,
    } as QueryDeepPartialEntity<OutboxMessage>);
    return envelope;
  }

  /** Called after a commit that recorded events, so the relay publishes them without waiting for its next poll. */
  committed(): void {
    for (const listener of this.listeners) listener();
  }

  onCommitted(listener: () => void): void {
    this.listeners.add(listener);
  }
}
