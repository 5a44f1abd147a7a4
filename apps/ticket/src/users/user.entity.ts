import type { Availability, Role } from '@helpdesk/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VirtualColumn } from 'typeorm';

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

  /** Most open tickets automatic assignment gives them; null is unlimited. */
  @Column('integer', { nullable: true })
  capacity!: number | null;

  /** Set by hand: `online` follows realtime presence (`present`), `away` and `offline` hold until changed. */
  @Column('text', { default: 'online' })
  availability!: Availability;

  /** Whether a realtime replica reports a socket of theirs (a report that was not refreshed lapses). Read only. */
  @VirtualColumn({
    type: 'boolean',
    query: (alias) => `SELECT EXISTS (SELECT 1 FROM helpdesk.staff_presence presence WHERE presence.user_id = ${alias}.id AND presence.expires_at > now())`,
  })
  present?: boolean;

  @Column('timestamptz', { name: 'last_login_at', nullable: true })
  lastLoginAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
