import type { NatsIntegrationRevokedReason } from '@helpdesk/contracts';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A NATS integration (issue 21): the public NATS server's user it holds; its credentials are never stored. */
@Entity({ name: 'nats_integrations' })
export class NatsIntegration {
  /** Chosen by the gateway before the row exists: the integration's NATS permissions carry it. */
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Column('text')
  name!: string;

  @Column('text', { name: 'nats_user_public_key' })
  natsUserPublicKey!: string;

  /** The integration acts as this user; null once the user row is gone (the integration is then refused). */
  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  /** The admin who revoked it, or whose change to its creator did. */
  @Column('uuid', { name: 'revoked_by', nullable: true })
  revokedBy!: string | null;

  @Column('text', { name: 'revoked_reason', nullable: true })
  revokedReason!: NatsIntegrationRevokedReason | null;

  /** When the gateway revoked its NATS user on the public server; until then a revoked integration may still read events. */
  @Column('timestamptz', { name: 'nats_user_revoked_at', nullable: true })
  natsUserRevokedAt!: Date | null;

  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt!: Date | null;
}
