import { OmitType, PickType } from '@nestjs/swagger';
import { ApplyMacroCommand, CannedResponseChanges, CreateCannedResponseCommand, CreateMacroCommand, ListCannedResponsesCommand, ListMacrosCommand, MacroChanges } from '@helpdesk/contracts';

/** HTTP bodies and queries are the commands without what the gateway supplies (principal, path ids). */
export class ListMacrosQuery extends OmitType(ListMacrosCommand, ['principal'] as const) {}
export class CreateMacroBody extends OmitType(CreateMacroCommand, ['principal'] as const) {}
export class UpdateMacroBody extends MacroChanges {}
export class ApplyMacroQuery extends PickType(ApplyMacroCommand, ['preview'] as const) {}
export class ListCannedResponsesQuery extends OmitType(ListCannedResponsesCommand, ['principal'] as const) {}
export class CreateCannedResponseBody extends OmitType(CreateCannedResponseCommand, ['principal'] as const) {}
export class UpdateCannedResponseBody extends CannedResponseChanges {}
