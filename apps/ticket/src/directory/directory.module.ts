import { Module } from '@nestjs/common';
import { TicketCoreModule } from '../ticket-core.module.js';

/** Users, teams, organization settings, SLA policies and attachment metadata. */
@Module({ imports: [TicketCoreModule] })
export class DirectoryModule {}
