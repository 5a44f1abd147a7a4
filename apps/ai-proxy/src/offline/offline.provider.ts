import { Injectable, Logger } from '@nestjs/common';
import type { AiCategory, AiSuggestedReply, AiSummary, AiTriage, Scored, TicketPriority } from '@helpdesk/contracts';
import type { AiProvider, Conversation, ProviderContext, TicketText } from '../providers/ai-provider.js';
import { detectLanguage } from './language.js';
import { templateReply } from './reply-templates.js';
import { sentimentOf } from './sentiment.js';
import { extractiveSummary } from './summarizer.js';
import { TextClassifier } from './text-classifier.js';
import { corpusSplit } from './training-corpus.js';

export const OFFLINE_MODEL = 'offline-naive-bayes';
/** An organization's classifier is retrained from its resolved tickets at most this often. */
const ORGANIZATION_MODEL_TTL_MS = 10 * 60_000;
/** Organizations whose classifiers stay in memory; the least recently trained is dropped first. */
const ORGANIZATION_MODELS_MAX = 200;
const TAGS_MAX = 3;
const STOP_TAGS = new Set(['please', 'thank', 'thanks', 'hello', 'would', 'could', 'since', 'there', 'their', 'about', 'after', 'again', 'still', 'have', 'that', 'this', 'with', 'from', 'when', 'what', 'your', 'they', 'them', 'need', 'want', 'does', 'into']);

/**
 * Answers with no network: naive Bayes classifiers trained at start-up from the shipped corpus
 * (category and priority), extended per organization with its labelled resolved tickets; language
 * by n-grams, AFINN sentiment, extractive summaries and reply templates by category.
 */
@Injectable()
export class OfflineProvider implements AiProvider {
  readonly name = 'offline' as const;
  private readonly logger = new Logger(OfflineProvider.name);
  private readonly categories: TextClassifier<AiCategory>;
  private readonly priorities: TextClassifier<TicketPriority>;
  private readonly organizationCategories = new Map<string, { classifier: TextClassifier<AiCategory>; trainedAt: number }>();

  constructor() {
    const { train } = corpusSplit();
    this.categories = TextClassifier.train(train.map((ticket) => ({ text: ticket.text, label: ticket.category })));
    this.priorities = TextClassifier.train(train.map((ticket) => ({ text: ticket.text, label: ticket.priority })));
  }

  async triage(context: ProviderContext, ticket: TicketText): Promise<AiTriage> {
    const text = `${ticket.subject}\n${ticket.text}`;
    const category = (await this.categoryClassifier(context)).classify(text);
    const priority = this.priorities.classify(text);
    return {
      provider: this.name,
      model: OFFLINE_MODEL,
      category: { value: category.label ?? 'other', confidence: category.confidence },
      priority: { value: priority.label ?? 'normal', confidence: priority.confidence },
      sentiment: sentimentOf(text),
      language: detectLanguage(text),
      tags: salientWords(text),
    };
  }

  async summarize(_context: ProviderContext, conversation: Conversation): Promise<AiSummary> {
    const passages = conversation.messages.map((message) => ({
      speaker: message.internal ? 'Internal note' : message.author === 'requester' ? 'Customer' : 'Agent',
      text: message.text,
    }));
    return { provider: this.name, model: OFFLINE_MODEL, summary: extractiveSummary(passages) };
  }

  async suggestReply(context: ProviderContext, conversation: Conversation): Promise<AiSuggestedReply> {
    const fromRequester = conversation.messages.filter((message) => message.author === 'requester' && !message.internal);
    const latest = fromRequester.at(-1)?.text ?? conversation.subject;
    const everything = [conversation.subject, ...fromRequester.map((message) => message.text)].join('\n');
    const category = (await this.categoryClassifier(context)).classify(everything).label ?? 'other';
    // A short last message ("any news?") can be too short to tell: then the whole request decides.
    const latestLanguage = detectLanguage(latest);
    const language = latestLanguage.confidence >= 0.5 ? latestLanguage.value : detectLanguage(everything).value;
    const draft = templateReply(category, language, conversation.subject);
    return { provider: this.name, model: OFFLINE_MODEL, ...draft };
  }

  /** The shipped classifier extended with the organization's own labelled tickets, retrained every few minutes. */
  private async categoryClassifier(context: ProviderContext): Promise<TextClassifier<AiCategory>> {
    const cached = this.organizationCategories.get(context.orgId);
    if (cached && Date.now() - cached.trainedAt < ORGANIZATION_MODEL_TTL_MS) return cached.classifier;
    let examples;
    try {
      examples = await context.trainingExamples();
    } catch (error) {
      this.logger.warn({ message: `Could not read training examples, using the shipped classifier: ${error instanceof Error ? error.message : String(error)}`, orgId: context.orgId });
      return cached?.classifier ?? this.categories;
    }
    const classifier = examples.length === 0 ? this.categories : this.categories.extend(examples.map((example) => ({ text: example.text, label: example.category })));
    this.organizationCategories.delete(context.orgId);
    this.organizationCategories.set(context.orgId, { classifier, trainedAt: Date.now() });
    if (this.organizationCategories.size > ORGANIZATION_MODELS_MAX) {
      const oldest = this.organizationCategories.keys().next().value;
      if (oldest !== undefined) this.organizationCategories.delete(oldest);
    }
    return classifier;
  }

  /** The shipped category classifier, for the accuracy test. */
  get shippedCategoryClassifier(): TextClassifier<AiCategory> {
    return this.categories;
  }
}

/** The words that recur most in the text (longer than three letters, not filler), as tag suggestions. */
function salientWords(text: string): Scored<string>[] {
  const counts = new Map<string, number>();
  for (const word of text.toLowerCase().match(/\p{L}{4,}/gu) ?? []) {
    if (!STOP_TAGS.has(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TAGS_MAX)
    .map(([value, count]) => ({ value, confidence: Number(Math.min(0.9, 0.3 + 0.2 * count).toFixed(3)) }));
}
