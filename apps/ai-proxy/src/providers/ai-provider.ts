import type { AiSuggestedReply, AiSummary, AiTriage, AiTrainingExample } from '@helpdesk/contracts';

export interface TicketText {
  subject: string;
  /** Plain text. */
  text: string;
}

export interface ConversationMessage {
  author: 'requester' | 'staff';
  internal: boolean;
  /** Plain text. */
  text: string;
}

/** A ticket as the model sees it: plain text, oldest message first, the description being the first. */
export interface Conversation {
  subject: string;
  messages: ConversationMessage[];
}

export interface ProviderContext {
  orgId: string;
  /** Lazily read: the organization's labelled, resolved tickets (only the offline classifier learns from them). */
  trainingExamples(): Promise<AiTrainingExample[]>;
}

/** One way of answering the three AI commands; the proxy picks one at start-up from the configuration. */
export interface AiProvider {
  readonly name: 'offline' | 'openai-compatible';
  triage(context: ProviderContext, ticket: TicketText): Promise<AiTriage>;
  /** The conversation may include internal notes (staff only). */
  summarize(context: ProviderContext, conversation: Conversation): Promise<AiSummary>;
  /** The conversation never includes internal notes. */
  suggestReply(context: ProviderContext, conversation: Conversation): Promise<AiSuggestedReply>;
}

export const AI_PROVIDER = Symbol('AI_PROVIDER');
