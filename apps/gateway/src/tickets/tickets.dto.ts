import { OmitType } from '@nestjs/swagger';
import { AddParticipantCommand, AddTicketLinkCommand, BulkUpdateTicketsCommand, CreateCommentCommand, MergeTicketCommand, CreateTicketCommand, ListTicketsCommand, PageCommand, TicketChanges } from '@helpdesk/contracts';

/** HTTP bodies and queries are the commands without what the gateway supplies (principal, path ids). */
export class CreateTicketBody extends OmitType(CreateTicketCommand, ['principal'] as const) {}
export class ListTicketsQuery extends OmitType(ListTicketsCommand, ['principal'] as const) {}
export class UpdateTicketBody extends TicketChanges {}
export class CreateCommentBody extends OmitType(CreateCommentCommand, ['principal', 'ticketId'] as const) {}
export class PageQuery extends OmitType(PageCommand, ['principal', 'ticketId'] as const) {}
export class AddParticipantBody extends OmitType(AddParticipantCommand, ['principal', 'ticketId'] as const) {}
export class MergeTicketBody extends OmitType(MergeTicketCommand, ['principal', 'ticketId'] as const) {}
export class AddTicketLinkBody extends OmitType(AddTicketLinkCommand, ['principal', 'ticketId'] as const) {}
export class BulkUpdateTicketsBody extends OmitType(BulkUpdateTicketsCommand, ['principal'] as const) {}
