import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { WeeklySchedule } from '../sla/business-calendar.js';

@Entity({ name: 'organizations' })
export class Organization {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text')
  slug!: string;

  @Column('text')
  timezone!: string;

  @Column('jsonb', { name: 'business_hours' })
  businessHours!: WeeklySchedule;

  @Column('jsonb')
  holidays!: string[];

  @Column('jsonb')
  settings!: Record<string, unknown>;

  /** Null until the signup address is verified; until then only staff are mailed. */
  @Column('timestamptz', { name: 'email_verified_at', nullable: true })
  emailVerifiedAt!: Date | null;

  @Column('integer', { name: 'next_ticket_number', select: false })
  nextTicketNumber!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
