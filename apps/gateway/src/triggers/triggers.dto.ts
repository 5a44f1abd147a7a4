import { OmitType } from '@nestjs/swagger';
import { CreateTriggerCommand, ListTriggersCommand, TriggerChanges } from '@helpdesk/contracts';

/** HTTP bodies and queries are the commands without what the gateway supplies (principal, path ids). */
export class ListTriggersQuery extends OmitType(ListTriggersCommand, ['principal'] as const) {}
export class CreateTriggerBody extends OmitType(CreateTriggerCommand, ['principal'] as const) {}
export class UpdateTriggerBody extends TriggerChanges {}
