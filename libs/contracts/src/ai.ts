import { IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { AuthenticatedCommand } from './commands/principal.dto.js';
import { TICKET_LIMITS } from './commands/tickets.commands.js';
import type { TicketPriority } from './tickets.js';

export const AI_CATEGORIES = ['billing', 'technical', 'account', 'shipping', 'feature_request', 'bug', 'other'] as const;
export type AiCategory = (typeof AI_CATEGORIES)[number];

export const AI_SENTIMENTS = ['negative', 'neutral', 'positive'] as const;
export type AiSentiment = (typeof AI_SENTIMENTS)[number];

/**
 * How long callers wait for an AI command. A model can take tens of seconds, so AI commands do not
 * use the default NATS_REQUEST_TIMEOUT_MS; the ai-proxy gives up on the provider before this.
 */
export const AI_COMMAND_TIMEOUT_MS = 60_000;

/** One suggestion with the provider's confidence in it, from 0 to 1. */
export interface Scored<T> {
  value: T;
  confidence: number;
}

/** Who answered: `offline` (the built-in classifier and templates) or `openai-compatible`, and the model's name. */
export interface AiOrigin {
  provider: 'offline' | 'openai-compatible';
  model: string;
}

export interface AiTriage extends AiOrigin {
  category: Scored<AiCategory>;
  priority: Scored<TicketPriority>;
  sentiment: Scored<AiSentiment>;
  /** ISO 639-1 code of the ticket's language (`und` when it cannot be told). */
  language: Scored<string>;
  tags: Scored<string>[];
}

/** The triage stored on a ticket (TicketView.aiTriage, staff only). */
export interface StoredAiTriage extends AiTriage {
  triagedAt: string;
}

/**
 * Internal (no principal): sent by the ticket service's triage job, which read the text from its
 * own database. NATS permissions restrict who may publish it, as for the other internal commands.
 */
export class TriageCommand {
  @IsUUID()
  orgId!: string;

  @Length(1, TICKET_LIMITS.subject)
  @IsString()
  subject!: string;

  /** Plain text of the ticket's description. */
  @MaxLength(TICKET_LIMITS.body)
  @IsString()
  text!: string;
}

/** Summarize or suggest a reply for a ticket; staff only. The ai-proxy reads the ticket with this principal. */
export class AiTicketCommand extends AuthenticatedCommand {
  @IsUUID()
  ticketId!: string;
}

export interface AiSummary extends AiOrigin {
  summary: string;
}

export interface AiSuggestedReply extends AiOrigin {
  /** Plain text draft for the agent to edit; never quotes internal notes. */
  reply: string;
  /** ISO 639-1 code of the language the draft is written in (the requester's, when a template or the model has it). */
  language: string;
}

/** Internal (no principal), for the ai-proxy: an organization's resolved tickets that staff labelled with a category tag. */
export class AiTrainingExamplesCommand {
  @IsUUID()
  orgId!: string;
}

export const AI_TRAINING_EXAMPLES_MAX = 1_000;

export interface AiTrainingExample {
  text: string;
  category: AiCategory;
}

export interface AiTrainingExamplesReply {
  /** Newest first, at most AI_TRAINING_EXAMPLES_MAX. */
  examples: AiTrainingExample[];
}
