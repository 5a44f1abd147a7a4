import type { TeamAssignment } from '@helpdesk/contracts';
import { Column, CreateDateColumn, Entity, JoinTable, ManyToMany, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { User } from '../users/user.entity.js';

@Entity({ name: 'teams' })
export class Team {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Column('text')
  name!: string;

  @Column('text', { default: 'manual' })
  assignment!: TeamAssignment;

  /** The member round robin picked last; it continues after them. */
  @Column('uuid', { name: 'last_assigned_user_id', nullable: true })
  lastAssignedUserId!: string | null;

  @ManyToMany(() => User)
  @JoinTable({ name: 'team_members', joinColumn: { name: 'team_id' }, inverseJoinColumn: { name: 'user_id' } })
  members!: User[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
