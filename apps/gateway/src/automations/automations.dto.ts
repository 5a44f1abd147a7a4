import { OmitType, PickType } from '@nestjs/swagger';
import { AutomationChanges, CreateAutomationCommand, ListAutomationsCommand, PreviewAutomationCommand } from '@helpdesk/contracts';

/** HTTP bodies and queries are the commands without what the gateway supplies (principal, path ids). */
export class ListAutomationsQuery extends OmitType(ListAutomationsCommand, ['principal'] as const) {}
export class CreateAutomationBody extends OmitType(CreateAutomationCommand, ['principal'] as const) {}
export class UpdateAutomationBody extends AutomationChanges {}
export class PreviewAutomationQuery extends PickType(PreviewAutomationCommand, ['limit', 'cursor'] as const) {}
