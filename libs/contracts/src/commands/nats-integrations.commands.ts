import { ArrayMaxSize, ArrayMinSize, IsOptional, IsUUID, Length, IsString, Matches } from 'class-validator';
import { NATS_INTEGRATION_LIMITS } from '../nats-integrations.js';
import { PageCursor, PageLimit } from './pagination.js';
import { AuthenticatedCommand } from './principal.dto.js';

/** The gateway mints the NATS user first (it holds the account's signing key), then records it here. */
export class CreateNatsIntegrationCommand extends AuthenticatedCommand {
  /** Chosen by the gateway: the credentials' subjects carry it before the row exists. */
  @IsUUID()
  integrationId!: string;

  @Length(1, NATS_INTEGRATION_LIMITS.name)
  @IsString()
  name!: string;

  /** The nkey public key of the NATS user minted for it. */
  @Matches(/^U[A-Z2-7]{55}$/, { message: 'natsUser must be a NATS user public key (U and 55 base32 characters)' })
  natsUser!: string;
}

/** nats-integrations.list: a page of the integrations not revoked, newest first (`Page<NatsIntegrationView>`). */
export class ListNatsIntegrationsCommand extends AuthenticatedCommand {
  @PageLimit()
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class NatsIntegrationRefCommand extends AuthenticatedCommand {
  @IsUUID()
  integrationId!: string;
}

/** Internal, from the gateway's public command handler: the subject names the integration and its organization. */
export class VerifyNatsIntegrationCommand {
  @IsUUID()
  organizationId!: string;

  @IsUUID()
  integrationId!: string;
}

/** Internal, from the gateway: revoked integrations whose NATS user is not known to be revoked on the public server yet. */
export class PendingNatsUserRevocationsCommand {
  /** One organization's (after one of its users lost access), or every organization's when absent. */
  @IsOptional()
  @IsUUID()
  organizationId?: string;
}

/** Internal, from the gateway: these integrations' NATS users are revoked on the public server. */
export class NatsUsersRevokedCommand {
  @ArrayMinSize(1)
  @ArrayMaxSize(1_000)
  @IsUUID('all', { each: true })
  integrationIds!: string[];
}
