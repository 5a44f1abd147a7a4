import type { ApiTokenActor, IntegrationActor } from '@helpdesk/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type FieldChanges = Record<string, { from: unknown; to: unknown }>;

/** One row of a ticket's append-only audit history (the database refuses updates). */
@Entity({ name: 'ticket_events' })
export class TicketEvent {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Column('uuid', { name: 'ticket_id' })
  ticketId!: string;

  /** Null for changes made by the platform itself (SLA timers). */
  @Column('uuid', { name: 'actor_id', nullable: true })
  actorId!: string | null;

  /** The API token the actor made the change with, `{ id, name }`; null otherwise. */
  @Column('jsonb', { name: 'api_token', nullable: true })
  apiToken!: ApiTokenActor | null;

  /** The NATS integration the actor made the change with, `{ id, name }`; null otherwise. */
  @Column('jsonb', { nullable: true })
  integration!: IntegrationActor | null;

  @Column('text')
  action!: string;

  @Column('jsonb')
  changes!: FieldChanges;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
