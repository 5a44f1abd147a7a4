import { Inject, Injectable } from '@nestjs/common';
import { CommandClient, CommandError } from '@helpdesk/common';
import { DIRECTORY_LIMITS, subjects, type CommentView, type Page, type Principal, type PublicCommandName, type PublicCommandReplies, type PublicCommandRequests, type TicketView, type UserView } from '@helpdesk/contracts';

/** A page of users matching part of an address may hold others first (`ann@x` matches `joann@x`); this many pages are read at most. */
const FIND_BY_EMAIL_PAGES = 5;

/**
 * What each public command does: the same internal ticket-service command its REST route sends, with
 * the integration's principal. The ticket service re-checks that principal as for any REST call.
 */
@Injectable()
export class PublicCommands {
  constructor(@Inject(CommandClient) private readonly commands: CommandClient) {}

  run<Name extends PublicCommandName>(name: Name, principal: Principal, body: PublicCommandRequests[Name]): Promise<PublicCommandReplies[Name]> {
    const runners: { [N in PublicCommandName]: (request: PublicCommandRequests[N]) => Promise<PublicCommandReplies[N]> } = {
      'tickets.create': (request) => this.commands.request<TicketView>(subjects.tickets.create, { principal, ...request }),
      'tickets.get': (request) => this.commands.request<TicketView>(subjects.tickets.get, { principal, ticketId: request.ticketId }),
      'comments.create': (request) => this.commands.request<CommentView>(subjects.comments.create, { principal, ...request }),
      'users.find-by-email': (request) => this.findUserByEmail(principal, request.email),
    };
    return (runners[name] as (request: PublicCommandRequests[Name]) => Promise<PublicCommandReplies[Name]>)(body);
  }

  /** Through GET /users' own command (`q` matches part of the name or address), keeping only the exact address. */
  private async findUserByEmail(principal: Principal, email: string): Promise<UserView> {
    const wanted = email.toLowerCase();
    let cursor: string | undefined;
    for (let page = 0; page < FIND_BY_EMAIL_PAGES; page += 1) {
      const users = await this.commands.request<Page<UserView>>(subjects.users.list, { principal, q: email.slice(0, DIRECTORY_LIMITS.query), limit: 100, ...(cursor ? { cursor } : {}) });
      const found = users.items.find((user) => user.email.toLowerCase() === wanted);
      if (found) return found;
      if (!users.nextCursor) break;
      cursor = users.nextCursor;
    }
    throw new CommandError('NOT_FOUND', 'No user of this organization has that email address');
  }
}
