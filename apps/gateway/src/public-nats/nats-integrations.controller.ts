import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Logger, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiForbiddenResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { CommandClient, CommandError, integrationInboxPrefix, PublicNatsAuthority } from '@helpdesk/common';
import {
  PUBLIC_COMMAND_NAMES,
  publicEventsStream,
  publicSubjects,
  subjects,
  type CreatedNatsIntegrationView,
  type NatsIntegrationAccess,
  type NatsIntegrationView,
  type Page,
  type Principal,
  type RevokedNatsIntegration,
} from '@helpdesk/contracts';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RequiredScope } from '../auth/api-token-scopes.js';
import { Caller, Roles } from '../auth/caller.js';
import { GatewayConfig } from '../gateway.config.js';
import { Answers } from '../http/api-responses.js';
import { UuidParam } from '../http/uuid-param.js';
import { NatsIntegrationVerifier } from './nats-integration-verifier.js';
import { CreatedNatsIntegrationResponse, CreateNatsIntegrationBody, ListNatsIntegrationsQuery } from './nats-integrations.dto.js';

/** The public server's part of a request: beyond it the admin gets 503 rather than a hanging request. */
const PUBLIC_SERVER_TIMEOUT_MS = 10_000;
const INTERFACE_OFF = 'The public NATS interface is off on this platform: INTEGRATIONS_NATS_URL (with its keys and credentials, docs/integrations.md) is not set';
const NO_SIGNING_KEYS = 'This platform answers public NATS commands but cannot issue credentials: INTEGRATIONS_NATS_ACCOUNT_SIGNING_SEED, INTEGRATIONS_NATS_OPERATOR_SIGNING_SEED and INTEGRATIONS_NATS_SYSTEM_CREDS_FILE are not set (docs/integrations.md)';

/**
 * NATS integrations (issue 21, docs/integrations.md): admins give another service credentials for the
 * public NATS server, scoped to their organization. The ticket service keeps the records; the public
 * server's authority mints and revokes the NATS users.
 */
@ApiTags('administration')
@ApiBearerAuth()
@Roles('admin')
@RequiredScope('admin')
@Controller('integrations/nats')
export class NatsIntegrationsController {
  private readonly logger = new Logger(NatsIntegrationsController.name);

  constructor(
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(GatewayConfig) private readonly config: GatewayConfig,
    @Inject(NatsIntegrationVerifier) private readonly verifier: NatsIntegrationVerifier,
    @Inject(PublicNatsAuthority) private readonly credentials: PublicNatsAuthority | null,
  ) {}

  @Answers(HttpStatus.CREATED, 'CreatedNatsIntegrationView')
  @Post()
  @ApiCreatedResponse({ type: CreatedNatsIntegrationResponse, description: 'The integration, its credentials (a .creds file, shown this once) and the subjects it may use' })
  @ApiForbiddenResponse({ description: 'Only admins (or a token with the admin scope) manage integrations' })
  @ApiServiceUnavailableResponse({ description: 'The public NATS interface is off (INTEGRATIONS_NATS_URL unset), or its server is unreachable' })
  async create(@Caller() principal: Principal, @Body() body: CreateNatsIntegrationBody): Promise<CreatedNatsIntegrationView> {
    const serverUrl = this.config.INTEGRATIONS_NATS_ADVERTISED_URL ?? this.config.INTEGRATIONS_NATS_URL;
    if (!serverUrl) throw new CommandError('UNAVAILABLE', INTERFACE_OFF);
    if (!this.credentials) throw new CommandError('UNAVAILABLE', NO_SIGNING_KEYS);
    const integrationId = randomUUID();
    await onPublicServer('making the organization\'s events stream', this.credentials.ensureOrganizationStream(principal.orgId));
    const { userPublicKey, creds } = await this.credentials.issueIntegrationCredentials({ organizationId: principal.orgId, integrationId, name: body.name });
    let integration: NatsIntegrationView;
    try {
      integration = await this.commands.request<NatsIntegrationView>(subjects.natsIntegrations.create, { principal, integrationId, name: body.name, natsUser: userPublicKey });
    } catch (error) {
      // Refused or not recorded: the NATS user just minted must not outlive the answer.
      await this.credentials.revokeIntegrationCredentials(userPublicKey, principal.orgId).catch((failure: unknown) => this.logger.error(`Could not revoke the unrecorded NATS user ${userPublicKey}: ${String(failure)}`));
      throw error;
    }
    return { integration, credentials: creds, access: accessFor(serverUrl, principal.orgId, integrationId) };
  }

  @Answers(HttpStatus.OK, 'NatsIntegrationPage', 'A page of the integrations not revoked, newest first: `{ items, nextCursor }`; never their credentials')
  @Get()
  list(@Caller() principal: Principal, @Query() query: ListNatsIntegrationsQuery): Promise<Page<NatsIntegrationView>> {
    return this.commands.request(subjects.natsIntegrations.list, { principal, ...query });
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Revoked: its public commands are refused within seconds and its NATS user is revoked on the public server' })
  @ApiNotFoundResponse({ description: "Unknown integration, or another organization's" })
  @ApiServiceUnavailableResponse({ description: 'Revoked here, but the public server could not be told: send DELETE again' })
  async revoke(@Caller() principal: Principal, @UuidParam('id') integrationId: string): Promise<void> {
    const { natsUser } = await this.commands.request<RevokedNatsIntegration>(subjects.natsIntegrations.revoke, { principal, integrationId });
    this.verifier.forget(principal.orgId, integrationId);
    if (!this.credentials) return; // The interface is off: no public server holds the user.
    await onPublicServer('revoking its NATS user', this.credentials.revokeIntegrationCredentials(natsUser, principal.orgId)).catch((error: unknown) => {
      throw new CommandError('UNAVAILABLE', `The integration is revoked, but its NATS user could not be revoked on the public server (${(error as Error).message}): send DELETE again`);
    });
    // Otherwise the next start of a gateway revokes it again, harmlessly.
    await this.commands.request(subjects.natsIntegrations.natsUsersRevoked, { integrationIds: [integrationId] });
  }
}

function accessFor(serverUrl: string, organizationId: string, integrationId: string): NatsIntegrationAccess {
  return {
    serverUrl,
    inboxPrefix: integrationInboxPrefix(integrationId),
    events: publicSubjects.organizationEvents(organizationId),
    stream: publicEventsStream(organizationId),
    commands: Object.fromEntries(PUBLIC_COMMAND_NAMES.map((name) => [name, publicSubjects.command(organizationId, integrationId, name)])) as NatsIntegrationAccess['commands'],
  };
}

/** The public server's failures and silences are outages (503), not bugs. */
async function onPublicServer<T>(what: string, work: Promise<T>): Promise<T> {
  const timeout = sleep(PUBLIC_SERVER_TIMEOUT_MS, undefined, { ref: false }).then(() => {
    throw new Error(`no answer within ${PUBLIC_SERVER_TIMEOUT_MS / 1_000} s`);
  });
  try {
    return await Promise.race([work, timeout]);
  } catch (error) {
    throw new CommandError('UNAVAILABLE', `The public NATS server failed while ${what}: ${(error as Error).message}; retry shortly`);
  }
}
