import { OmitType } from '@nestjs/swagger';
import { CreateTicketFieldCommand, ListTicketFieldsCommand, TicketFieldChanges } from '@helpdesk/contracts';

export class ListTicketFieldsQuery extends OmitType(ListTicketFieldsCommand, ['principal'] as const) {}
export class CreateTicketFieldBody extends OmitType(CreateTicketFieldCommand, ['principal'] as const) {}
export class UpdateTicketFieldBody extends TicketFieldChanges {}
