import { Module } from '@nestjs/common';
import { TicketCoreModule } from '../ticket-core.module.js';

/** Credentials, refresh tokens, password resets and invitations. */
@Module({ imports: [TicketCoreModule] })
export class AuthModule {}
