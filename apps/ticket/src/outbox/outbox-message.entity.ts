import type { EventEnvelope } from '@helpdesk/contracts';
import type { TraceCarrier } from '@helpdesk/common';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A domain event written in the same transaction as the change it describes, awaiting publication. */
@Entity({ name: 'outbox' })
export class OutboxMessage {
  /** The event id (UUIDv7), also the JetStream Nats-Msg-Id. */
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Column('uuid', { name: 'aggregate_id' })
  aggregateId!: string;

  @Column('text')
  type!: string;

  @Column('jsonb')
  envelope!: EventEnvelope;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'published_at', nullable: true })
  publishedAt!: Date | null;

  @Column('integer')
  attempts!: number;

  @Column('text', { name: 'last_error', nullable: true })
  lastError!: string | null;

  /** The W3C trace context of the transaction that wrote the row (null when untraced): the relay publishes the event in that trace. */
  @Column('jsonb', { name: 'trace_context', nullable: true })
  traceContext!: TraceCarrier | null;
}
