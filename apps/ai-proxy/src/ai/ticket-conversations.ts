import { Inject, Injectable } from '@nestjs/common';
import { CommandClient, stripToPlainText } from '@helpdesk/common';
import { subjects, type AiTrainingExample, type AiTrainingExamplesReply, type CommentView, type Page, type Principal, type TicketView } from '@helpdesk/contracts';
import type { Conversation, ConversationMessage } from '../providers/ai-provider.js';

/** Comments read for one answer: the latest ones count most, and a model's context is limited. */
const MAX_MESSAGES = 60;
const MAX_MESSAGE_CHARS = 4_000;
/** One page of the newest comments, however long the ticket: internal notes filtered out of it may leave fewer than MAX_MESSAGES. */
const COMMENT_PAGE_SIZE = 100;

/** HTML to text that keeps paragraph breaks (sentence splitting needs them). */
export function htmlToText(html: string): string {
  return stripToPlainText(html.replace(/<\/(p|div|li|h[1-6]|blockquote|pre)>|<br\s*\/?>/gi, '$&\n'), { multiline: true }).slice(0, MAX_MESSAGE_CHARS);
}

/**
 * Reads tickets from the ticket service with the caller's own principal, so the AI door shows no
 * more than the ticket API would: another organization's ticket is NOT_FOUND, and internal notes
 * come only to staff.
 */
@Injectable()
export class TicketConversations {
  constructor(@Inject(CommandClient) private readonly commands: CommandClient) {}

  async read(principal: Principal, ticketId: string, options: { includeInternal: boolean }): Promise<Conversation> {
    const ticket = await this.commands.request<TicketView>(subjects.tickets.get, { principal, ticketId });
    const newestFirst: Page<CommentView> = await this.commands.request(subjects.comments.list, { principal, ticketId, limit: COMMENT_PAGE_SIZE, order: 'newest' });
    const comments = newestFirst.items.filter((comment) => options.includeInternal || !comment.internal).slice(0, MAX_MESSAGES).reverse();
    const messages: ConversationMessage[] = comments.map((comment) => ({
      author: comment.authorId === ticket.requesterId ? 'requester' : 'staff',
      internal: comment.internal,
      text: htmlToText(comment.body),
    }));
    return { subject: ticket.subject, messages: [{ author: 'requester', internal: false, text: htmlToText(ticket.description) }, ...messages] };
  }

  async trainingExamples(orgId: string): Promise<AiTrainingExample[]> {
    const reply = await this.commands.request<AiTrainingExamplesReply>(subjects.ai.trainingExamples, { orgId });
    return reply.examples;
  }
}
