import type { TicketFieldType } from '@helpdesk/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** One custom field of an organization; tickets hold its value under `key` in their `fields` column. */
@Entity({ name: 'ticket_fields' })
export class TicketField {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Column('text')
  key!: string;

  @Column('text')
  label!: string;

  @Column('text')
  type!: TicketFieldType;

  @Column('jsonb')
  options!: string[];

  @Column('boolean', { name: 'required_to_solve' })
  requiredToSolve!: boolean;

  @Column('boolean')
  active!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
