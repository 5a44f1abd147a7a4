import { PickType } from '@nestjs/swagger';
import { CreateCommentCommand, DIRECTORY_LIMITS, TicketRefCommand, type PublicCommandName } from '@helpdesk/contracts';
import { IsEmail, IsString, MaxLength } from 'class-validator';
import { CreateTicketBody } from '../tickets/tickets.dto.js';

/**
 * The public commands' bodies (PublicCommandRequests in the contracts), each picked from the class the
 * REST API validates the same action with, so both are held to the same rules and messages.
 */
export class PublicCreateTicketBody extends PickType(CreateTicketBody, ['subject', 'description', 'priority', 'tags', 'requesterEmail', 'requesterName'] as const) {}

export class PublicGetTicketBody extends PickType(TicketRefCommand, ['ticketId'] as const) {}

export class PublicCreateCommentBody extends PickType(CreateCommentCommand, ['ticketId', 'body', 'internal'] as const) {}

/** No REST body has an exact email (GET /users takes a partial `q`): the address's rules are the invitation's. */
export class PublicFindUserByEmailBody {
  @MaxLength(DIRECTORY_LIMITS.email)
  @IsEmail({}, { message: 'email must be a valid email address' })
  @IsString()
  email!: string;
}

export const PUBLIC_COMMAND_BODIES: Record<PublicCommandName, new () => object> = {
  'tickets.create': PublicCreateTicketBody,
  'tickets.get': PublicGetTicketBody,
  'comments.create': PublicCreateCommentBody,
  'users.find-by-email': PublicFindUserByEmailBody,
};
