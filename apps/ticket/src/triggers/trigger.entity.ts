import type { RuleAction, RuleCondition, TriggerEvent } from '@helpdesk/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'triggers' })
export class Trigger {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Column('text')
  name!: string;

  @Column('text')
  event!: TriggerEvent;

  /** Checked by the rule-conditions parser on every write. */
  @Column('jsonb', { name: 'conditions_all' })
  all!: RuleCondition[];

  @Column('jsonb', { name: 'conditions_any' })
  any!: RuleCondition[];

  /** Checked by checkedRuleActions on every write; bodies sanitized. */
  @Column('jsonb')
  actions!: RuleAction[];

  @Column('integer')
  position!: number;

  @Column('boolean')
  active!: boolean;

  /** Signs the comments the trigger writes (rules/rule-actions.ts). */
  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
