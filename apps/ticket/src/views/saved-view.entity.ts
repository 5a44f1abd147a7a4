import type { TicketFilterQuery } from '@helpdesk/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A view (DESIGN section 14): no owner means shared with the organization's staff. */
@Entity({ name: 'saved_views' })
export class SavedView {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  /** The agent whose personal view it is; null for a shared view. */
  @Column('uuid', { name: 'owner_id', nullable: true })
  ownerId!: string | null;

  @Column('text')
  name!: string;

  /** GET /tickets filters, checked by TicketFilters and the ticket list's own checks on every write. */
  @Column('jsonb')
  query!: TicketFilterQuery;

  @Column('text', { nullable: true })
  sort!: string | null;

  @Column('integer')
  position!: number;

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
