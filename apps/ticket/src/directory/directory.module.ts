import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module.js';
import { TicketCoreModule } from '../ticket-core.module.js';
import { OwnAccountController } from '../users/own-account.controller.js';
import { OwnAccountService } from '../users/own-account.service.js';
import { Attachment } from './attachment.entity.js';
import { AttachmentsController } from './attachments.controller.js';
import { AttachmentsService } from './attachments.service.js';
import { SlaPoliciesController } from './sla-policies.controller.js';
import { SlaPoliciesService } from './sla-policies.service.js';
import { TeamsController } from './teams.controller.js';
import { TeamsService } from './teams.service.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

/**
 * Users (their own accounts too), teams, SLA policies and attachment metadata (organization settings live with signup in
 * OrganizationsService). AuthModule lends its password hashing and session revocation, so invited
 * users are hashed like everyone else and deactivation ends sessions the way a password reset does.
 */
@Module({
  imports: [TicketCoreModule, AuthModule, TypeOrmModule.forFeature([Attachment])],
  controllers: [UsersController, OwnAccountController, TeamsController, SlaPoliciesController, AttachmentsController],
  providers: [UsersService, OwnAccountService, TeamsService, SlaPoliciesService, AttachmentsService],
})
export class DirectoryModule {}
