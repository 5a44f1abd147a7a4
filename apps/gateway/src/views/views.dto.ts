import { OmitType } from '@nestjs/swagger';
import { CreateViewCommand, ListViewsCommand, ViewChanges } from '@helpdesk/contracts';

/** HTTP bodies and queries are the commands without what the gateway supplies (principal, path ids). */
export class ListViewsQuery extends OmitType(ListViewsCommand, ['principal'] as const) {}
export class CreateViewBody extends OmitType(CreateViewCommand, ['principal'] as const) {}
export class UpdateViewBody extends ViewChanges {}
