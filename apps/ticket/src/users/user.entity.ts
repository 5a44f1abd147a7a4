import type { Role } from '@helpdesk/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'users' })
export class User {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Column('text')
  email!: string;

  @Column('text')
  name!: string;

  @Column('text')
  role!: Role;

  /** argon2id; null until the user sets a password (invited staff, customers created from an email). */
  @Column('text', { name: 'password_hash', nullable: true, select: false })
  passwordHash!: string | null;

  @Column('boolean')
  active!: boolean;

  @Column('jsonb', { name: 'notification_preferences' })
  notificationPreferences!: Record<string, boolean>;

  /** Set when the user is invited by mail without a password; cleared once they set one (accept, or reset). */
  @Column('timestamptz', { name: 'invitation_pending_since', nullable: true })
  invitationPendingSince!: Date | null;

  /** Set when a delivery-status report names the address as failed; cleared by staff or when the user writes in again. */
  @Column('timestamptz', { name: 'bouncing_since', nullable: true })
  bouncingSince!: Date | null;

  @Column('timestamptz', { name: 'last_login_at', nullable: true })
  lastLoginAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
