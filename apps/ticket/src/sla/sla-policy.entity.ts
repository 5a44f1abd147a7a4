import type { TicketPriority } from '@helpdesk/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'sla_policies' })
export class SlaPolicy {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Column('text')
  name!: string;

  @Column('text')
  priority!: TicketPriority;

  @Column('integer', { name: 'first_response_minutes' })
  firstResponseMinutes!: number;

  @Column('integer', { name: 'next_response_minutes', nullable: true })
  nextResponseMinutes!: number | null;

  @Column('integer', { name: 'resolution_minutes' })
  resolutionMinutes!: number;

  @Column('boolean', { name: 'business_hours_only' })
  businessHoursOnly!: boolean;

  @Column('boolean')
  active!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
