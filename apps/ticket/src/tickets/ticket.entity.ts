import type { SatisfactionRating, StoredAiTriage, TicketChannel, TicketFieldValue, TicketPriority, TicketStatus } from '@helpdesk/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

@Entity({ name: 'tickets' })
export class Ticket {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Column('integer')
  number!: number;

  @Column('text')
  subject!: string;

  /** Sanitized HTML. */
  @Column('text')
  description!: string;

  @Column('text')
  status!: TicketStatus;

  @Column('text')
  priority!: TicketPriority;

  /** What the customer asked for when opening the ticket; the priority itself is staff's. */
  @Column('text', { name: 'requested_priority', nullable: true })
  requestedPriority!: TicketPriority | null;

  @Column('text')
  channel!: TicketChannel;

  @Column('text', { array: true })
  tags!: string[];

  @Column('uuid', { name: 'requester_id' })
  requesterId!: string;

  @Column('uuid', { name: 'assignee_id', nullable: true })
  assigneeId!: string | null;

  @Column('uuid', { name: 'team_id', nullable: true })
  teamId!: string | null;

  @Column('uuid', { name: 'sla_policy_id', nullable: true })
  slaPolicyId!: string | null;

  @Column('timestamptz', { name: 'first_response_due_at', nullable: true })
  firstResponseDueAt!: Date | null;

  @Column('timestamptz', { name: 'first_response_warning_at', nullable: true })
  firstResponseWarningAt!: Date | null;

  @Column('timestamptz', { name: 'first_responded_at', nullable: true })
  firstRespondedAt!: Date | null;

  @Column('timestamptz', { name: 'next_response_due_at', nullable: true })
  nextResponseDueAt!: Date | null;

  @Column('timestamptz', { name: 'next_response_warning_at', nullable: true })
  nextResponseWarningAt!: Date | null;

  @Column('timestamptz', { name: 'resolution_due_at', nullable: true })
  resolutionDueAt!: Date | null;

  @Column('timestamptz', { name: 'resolution_warning_at', nullable: true })
  resolutionWarningAt!: Date | null;

  @Column('timestamptz', { name: 'resolved_at', nullable: true })
  resolvedAt!: Date | null;

  /** When the resolution clock stopped for `pending`; null while it runs. */
  @Column('timestamptz', { name: 'sla_paused_at', nullable: true })
  slaPausedAt!: Date | null;

  /** Business (or plain) minutes spent in `pending` so far, added to the resolution target. */
  @Column('double precision', { name: 'sla_paused_minutes' })
  slaPausedMinutes!: number;

  @Column('timestamptz', { name: 'first_response_warned_at', nullable: true })
  firstResponseWarnedAt!: Date | null;

  @Column('timestamptz', { name: 'next_response_warned_at', nullable: true })
  nextResponseWarnedAt!: Date | null;

  @Column('timestamptz', { name: 'resolution_warned_at', nullable: true })
  resolutionWarnedAt!: Date | null;

  @Column('timestamptz', { name: 'first_response_breached_at', nullable: true })
  firstResponseBreachedAt!: Date | null;

  @Column('timestamptz', { name: 'next_response_breached_at', nullable: true })
  nextResponseBreachedAt!: Date | null;

  @Column('timestamptz', { name: 'resolution_breached_at', nullable: true })
  resolutionBreachedAt!: Date | null;

  /** Written by the AI triage job, never by a user's change. */
  @Column('jsonb', { name: 'ai_triage', nullable: true })
  aiTriage!: StoredAiTriage | null;

  /** The requester's satisfaction rating (docs/satisfaction.md), written only through a survey link. */
  @Column('text', { name: 'satisfaction_rating', nullable: true })
  satisfactionRating!: SatisfactionRating | null;

  @Column('text', { name: 'satisfaction_comment', nullable: true })
  satisfactionComment!: string | null;

  @Column('timestamptz', { name: 'satisfaction_rated_at', nullable: true })
  satisfactionRatedAt!: Date | null;

  @Column('timestamptz', { name: 'satisfaction_updated_at', nullable: true })
  satisfactionUpdatedAt!: Date | null;

  /** Custom field values by key, validated against the organization's ticket fields on every write. */
  @Column('jsonb')
  fields!: Record<string, TicketFieldValue>;

  /** Plain text of public comments, feeding the search vector. */
  @Column('text', { name: 'public_comments_text', select: false })
  publicCommentsText!: string;

  /** The last public reply by staff; rule conditions measure hoursSince.lastAgentReply from it (pending_since, kept by a database trigger, is not mapped). */
  @Column('timestamptz', { name: 'last_agent_reply_at', nullable: true })
  lastAgentReplyAt!: Date | null;

  @VersionColumn()
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
