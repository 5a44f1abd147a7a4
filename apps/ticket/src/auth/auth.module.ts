import { Module } from '@nestjs/common';
import { TicketCoreModule } from '../ticket-core.module.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { OwnPasswordService } from './own-password.service.js';
import { Passwords } from './passwords.js';
import { RefreshTokensService } from './refresh-tokens.service.js';
import { UserTokensService } from './user-tokens.service.js';

/** Credentials, refresh tokens, password resets and changes, and invitations. */
@Module({
  imports: [TicketCoreModule],
  controllers: [AuthController],
  providers: [AuthService, RefreshTokensService, UserTokensService, OwnPasswordService, Passwords],
  exports: [Passwords, RefreshTokensService],
})
export class AuthModule {}
