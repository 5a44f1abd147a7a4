import type { RuleAction, RuleConditions } from '@helpdesk/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'automations' })
export class Automation {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Column('text')
  name!: string;

  /** `{ all, any? }`, checked by parseRuleConditions on every write. */
  @Column('jsonb')
  conditions!: RuleConditions;

  /** Checked by checkedRuleActions on every write. */
  @Column('jsonb')
  actions!: RuleAction[];

  @Column('boolean')
  active!: boolean;

  /** Signs the automation's comments while an active staff member (RuleActionRunner falls back to an admin). */
  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  /**
   * The `now` of this automation's last pass that found fewer tickets than a batch (so none left
   * over): the next pass looks only at tickets changed or past a threshold since. Null: look at all.
   */
  @Column('timestamptz', { name: 'evaluated_at', nullable: true })
  evaluatedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
