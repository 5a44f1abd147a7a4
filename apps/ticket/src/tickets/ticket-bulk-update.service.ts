import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { BulkTicketChanges, BulkTicketResult, BulkUpdateTicketsCommand, TicketChanges } from '@helpdesk/contracts';
import { CommandError, httpStatusForErrorCode } from '@helpdesk/common';
import { DataSource } from 'typeorm';
import { PrincipalVerifier, type VerifiedPrincipal } from '../users/principal-verifier.js';
import type { Ticket } from './ticket.entity.js';
import { toTicketView } from './ticket-view.js';
import { normalizeTags, TicketsService } from './tickets.service.js';

/** Tickets updated in parallel by one bulk command (the database pool holds 10 connections by default). */
const BULK_CONCURRENCY = 4;

const BULK_FIELDS = ['status', 'priority', 'assigneeId', 'teamId', 'addTags', 'removeTags'] as const satisfies ReadonlyArray<keyof BulkTicketChanges>;

/** The single update's changes for one ticket: tags are added to and removed from what it has. */
function changesFor(ticket: Ticket, bulk: BulkTicketChanges): TicketChanges {
  const { addTags, removeTags, ...fields } = bulk;
  if (addTags === undefined && removeTags === undefined) return fields;
  const removed = new Set(normalizeTags(removeTags));
  return { ...fields, tags: normalizeTags([...ticket.tags, ...(addTags ?? [])]).filter((tag) => !removed.has(tag)) };
}

/**
 * `PATCH /tickets` (DESIGN section 14): one command changes up to 100 tickets, each in its own
 * transaction through the single update's code (validated, audited, evented), so one refusal
 * costs only its own ticket and is reported against its id.
 */
@Injectable()
export class TicketBulkUpdateService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
    @Inject(TicketsService) private readonly tickets: TicketsService,
  ) {}

  async update(command: BulkUpdateTicketsCommand): Promise<{ results: BulkTicketResult[] }> {
    if (!BULK_FIELDS.some((field) => command.changes?.[field] !== undefined)) {
      throw new CommandError('VALIDATION', `changes must name at least one of ${BULK_FIELDS.join(', ')}`);
    }
    const caller = await this.principals.verify(command.principal);
    if (!caller.staff) throw new CommandError('FORBIDDEN', 'Only agents and admins may change tickets');
    const results = new Map<string, BulkTicketResult & { waitsForChildren?: boolean }>();
    // A few tickets at a time: each transaction locks only its own ticket, so they cannot deadlock,
    // and the rest of the pool stays free for other commands.
    const pending = [...command.ids];
    const worker = async () => {
      for (let id = pending.shift(); id !== undefined; id = pending.shift()) results.set(id, await this.updateOne(caller, id, command.changes));
    };
    await Promise.all(Array.from({ length: Math.min(BULK_CONCURRENCY, pending.length) }, worker));
    // A parent refused for its open children goes again once the rest (perhaps those children) are done.
    for (const [id, result] of results) {
      if (result.status === 409 && result.waitsForChildren) results.set(id, await this.updateOne(caller, id, command.changes));
    }
    return { results: command.ids.map((id) => withoutRetryMark(results.get(id)!)) };
  }

  private async updateOne(caller: VerifiedPrincipal, ticketId: string, changes: BulkTicketChanges): Promise<BulkTicketResult & { waitsForChildren?: boolean }> {
    try {
      const { ticket, changed } = await this.dataSource.transaction(async (manager) => {
        const ticket = await this.tickets.findVisible(manager, caller, ticketId, true);
        return this.tickets.updateLocked(manager, caller, ticket, changesFor(ticket, changes));
      });
      if (changed) this.tickets.afterCommit(ticket);
      return { id: ticketId, status: 200, ticket: toTicketView(ticket, true) };
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      const waitsForChildren = typeof error.details === 'object' && error.details !== null && 'openChildren' in error.details;
      return { id: ticketId, status: httpStatusForErrorCode(error.code) as BulkTicketResult['status'], message: error.message, ...(waitsForChildren ? { waitsForChildren } : {}) };
    }
  }
}

function withoutRetryMark(result: BulkTicketResult & { waitsForChildren?: boolean }): BulkTicketResult {
  const { waitsForChildren: _retryMark, ...answer } = result;
  return answer;
}
