import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandError } from '@helpdesk/common';
import { isStaff, type AiSuggestedReply, type AiSummary, type AiTicketCommand, type AiTriage, type Principal, type TriageCommand } from '@helpdesk/contracts';
import { OfflineProvider } from '../offline/offline.provider.js';
import { AI_PROVIDER, type AiProvider, type ProviderContext } from '../providers/ai-provider.js';
import { AiMetrics } from '../usage/ai-metrics.js';
import { htmlToText, TicketConversations } from './ticket-conversations.js';

@Injectable()
export class AiService {
  private readonly logger = new Logger(AiService.name);

  constructor(
    @Inject(AI_PROVIDER) private readonly provider: AiProvider,
    @Inject(OfflineProvider) private readonly offline: OfflineProvider,
    @Inject(TicketConversations) private readonly tickets: TicketConversations,
    @Inject(AiMetrics) private readonly metrics: AiMetrics,
  ) {}

  /**
   * Past triage's share of the daily budget (or too long for one request), a new ticket is
   * triaged by the offline model instead: it costs nothing, and agents keep their part.
   */
  triage(command: TriageCommand): Promise<AiTriage> {
    return this.measure('triage', async () => {
      const context = this.context(command.orgId);
      const ticket = { subject: command.subject, text: htmlToText(command.text) };
      try {
        return await this.provider.triage(context, ticket);
      } catch (error) {
        const offlineWillDo = error instanceof CommandError && (error.code === 'QUOTA_EXCEEDED' || error.code === 'PAYLOAD_TOO_LARGE');
        if (!offlineWillDo || this.provider === this.offline) throw error;
        this.logger.log({ message: `AI triage answered offline: ${error.message}`, orgId: command.orgId });
        return this.offline.triage(context, ticket);
      }
    });
  }

  /** The whole conversation, internal notes included: staff only. */
  summarize(command: AiTicketCommand): Promise<AiSummary> {
    assertStaff(command.principal);
    return this.measure('summarize', async () => {
      const conversation = await this.tickets.read(command.principal, command.ticketId, { includeInternal: true });
      return this.provider.summarize(this.context(command.principal.orgId), conversation);
    });
  }

  /** A draft for the requester, who must never read internal notes: they are dropped as soon as the comments are read. */
  suggestReply(command: AiTicketCommand): Promise<AiSuggestedReply> {
    assertStaff(command.principal);
    return this.measure('suggest_reply', async () => {
      const conversation = await this.tickets.read(command.principal, command.ticketId, { includeInternal: false });
      return this.provider.suggestReply(this.context(command.principal.orgId), conversation);
    });
  }

  private context(orgId: string): ProviderContext {
    return { orgId, trainingExamples: () => this.tickets.trainingExamples(orgId) };
  }

  private async measure<T>(operation: string, work: () => Promise<T>): Promise<T> {
    const stopTimer = this.metrics.duration.startTimer({ operation, provider: this.provider.name });
    try {
      const result = await work();
      this.metrics.requests.inc({ operation, provider: this.provider.name, outcome: 'ok' });
      return result;
    } catch (error) {
      this.metrics.requests.inc({ operation, provider: this.provider.name, outcome: error instanceof CommandError ? error.code : 'INTERNAL' });
      throw error;
    } finally {
      stopTimer();
    }
  }
}

function assertStaff(principal: Principal): void {
  if (!isStaff(principal.role)) throw new CommandError('FORBIDDEN', 'Only agents and admins may use AI assistance');
}
