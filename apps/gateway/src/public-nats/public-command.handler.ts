import { Inject, Injectable, Logger, ValidationPipe, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectThrottlerStorage, type ThrottlerStorage } from '@nestjs/throttler';
import { AllExceptionsFilter, COMMAND_VALIDATION, CommandError, acceptedRequestId, isDependencyOutage, isIntegrationReplySubject, LifecycleService, MetricsService } from '@helpdesk/common';
import {
  PUBLIC_COMMAND_NAMES,
  PUBLIC_COMMAND_SCOPES,
  PUBLIC_SUBJECT_ROOT,
  REQUEST_ID_HEADER,
  publicSubjects,
  type PublicCommandName,
  type PublicCommandReply,
  type VerifiedNatsIntegration,
} from '@helpdesk/contracts';
import { headers as natsHeaders, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { ClsService, CLS_ID } from 'nestjs-cls';
import { randomUUID } from 'node:crypto';
import { AUTHENTICATED_THROTTLER } from '../auth/rate-limit.guard.js';
import { GatewayConfig } from '../gateway.config.js';
import { PUBLIC_COMMAND_BODIES } from './public-command-bodies.js';
import { PublicCommands } from './public-commands.js';
import { NatsIntegrationVerifier } from './nats-integration-verifier.js';
import { PublicNatsBridgeConnection } from './public-nats-bridge.connection.js';

export const PUBLIC_COMMANDS_QUEUE = 'gateway-public-commands';
const HOUR_MS = 60 * 60 * 1_000;
/** `helpdesk.v1.public.commands.<orgId>.<integrationId>.<name>`; names have dots of their own. */
const COMMAND_SUBJECT = new RegExp(`^${PUBLIC_SUBJECT_ROOT.replaceAll('.', '\\.')}\\.commands\\.([^.]+)\\.([^.]+)\\.(.+)$`);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Answers the public commands integrations send on the public NATS server (docs/integrations.md):
 * the subject names the organization and the integration; the integration is verified (active, of that
 * organization), the body validated by the REST API's rules, the call counted against the same hourly
 * limit as an API token's, and then sent on as the REST route would. Replies are PublicCommandReply.
 */
@Injectable()
export class PublicCommandHandler implements OnApplicationBootstrap {
  private readonly logger = new Logger('PublicCommands');
  private readonly validation = new ValidationPipe(COMMAND_VALIDATION);
  private readonly errors: AllExceptionsFilter;

  constructor(
    @Inject(PublicNatsBridgeConnection) private readonly publicNats: PublicNatsBridgeConnection,
    @Inject(NatsIntegrationVerifier) private readonly integrations: NatsIntegrationVerifier,
    @Inject(PublicCommands) private readonly commands: PublicCommands,
    @InjectThrottlerStorage() private readonly rateLimits: ThrottlerStorage,
    @Inject(GatewayConfig) private readonly config: GatewayConfig,
    @Inject(ClsService) private readonly cls: ClsService,
    @Inject(LifecycleService) private readonly lifecycle: LifecycleService,
    @Inject(MetricsService) private readonly metrics: MetricsService,
  ) {
    // The one mapping of failures to error envelopes, as every NATS command handler answers them.
    this.errors = new AllExceptionsFilter(cls);
  }

  onApplicationBootstrap(): void {
    // Not awaited: the gateway serves its API while the public server is still out of reach (the connection keeps trying).
    if (this.publicNats.enabled) void this.publicNats.nats().then((connection) => this.subscribe(connection), (error: unknown) => this.logger.error(`Public commands not answered: ${String(error)}`));
  }

  private subscribe(connection: NatsConnection): void {
    connection.subscribe(publicSubjects.allCommands, {
      queue: PUBLIC_COMMANDS_QUEUE,
      callback: (error, message) => {
        if (error) this.logger.warn(`Public command subscription: ${error.message}`);
        else void this.handle(message);
      },
    });
  }

  private async handle(message: Msg): Promise<void> {
    const [, organizationId = '', integrationId = '', name = ''] = COMMAND_SUBJECT.exec(message.subject) ?? [];
    // Answers go only to the integration's own inbox: NATS does not check reply subjects, and the gateway's
    // user could otherwise be made to publish into another integration's inbox or another organization's events.
    if (!isIntegrationReplySubject(integrationId, message.reply)) {
      if (message.reply) this.logger.warn(`Public command ${name} of integration ${integrationId} not answered: its reply subject is outside the integration's inbox`);
      return;
    }
    const requestId = acceptedRequestId(message.headers?.get(REQUEST_ID_HEADER)) ?? randomUUID();
    const done = this.lifecycle.track();
    // The subject is the client's: only known names become label values, so the metric's series stay few.
    const stopTimer = this.metrics.natsHandlerDuration.startTimer({ subject: `${PUBLIC_SUBJECT_ROOT}.commands.*.*.${isPublicCommand(name) ? name : 'unknown'}` });
    const started = performance.now();
    const reply = await this.cls.run(async (): Promise<PublicCommandReply<PublicCommandName>> => {
      this.cls.set(CLS_ID, requestId);
      try {
        return { result: (await this.execute(organizationId, integrationId, name, message)) as never };
      } catch (error) {
        return { error: this.errors.toEnvelope(error) };
      }
    });
    const outcome = 'error' in reply ? reply.error.code : 'ok';
    stopTimer({ outcome });
    this.logger.log({ message: `public command ${name} by integration ${integrationId} of organization ${organizationId}: ${outcome} in ${(performance.now() - started).toFixed(1)} ms`, requestId });
    const headers = natsHeaders();
    headers.set(REQUEST_ID_HEADER, requestId);
    try {
      message.respond(JSON.stringify(reply), { headers });
    } finally {
      done();
    }
  }

  private async execute(organizationId: string, integrationId: string, name: string, message: Msg): Promise<unknown> {
    if (!UUID.test(organizationId) || !UUID.test(integrationId)) throw new CommandError('UNAUTHORIZED', 'The subject must name an organization and an integration by id');
    const integration = await this.integrations.verify(organizationId, integrationId);
    if (!isPublicCommand(name)) throw new CommandError('NOT_FOUND', `Unknown command ${JSON.stringify(name)}: the public commands are ${PUBLIC_COMMAND_NAMES.join(', ')}`);
    const scope = PUBLIC_COMMAND_SCOPES[name];
    if (!(integration.scopes as string[]).includes(scope)) throw new CommandError('FORBIDDEN', `This integration lacks the scope ${scope}, which ${name} needs`);
    await this.countAgainstLimit(integration, name);
    const body = await this.validation.transform(parseBody(message), { type: 'body', metatype: PUBLIC_COMMAND_BODIES[name] });
    return this.commands.run(name, integration.principal, body as never);
  }

  /** The REST API's hourly limit for a caller, kept in the same Redis counters, apart per integration and command as per token and route. */
  private async countAgainstLimit(integration: VerifiedNatsIntegration, name: PublicCommandName): Promise<void> {
    const limit = this.config.RATE_LIMIT_AUTH_PER_HOUR;
    try {
      const { isBlocked, timeToBlockExpire } = await this.rateLimits.increment(`public-command:${integration.integrationId}:${name}`, HOUR_MS, limit, HOUR_MS, AUTHENTICATED_THROTTLER);
      if (isBlocked) throw new CommandError('RATE_LIMITED', `Too many commands: at most ${limit} ${name} an hour per integration`, { retryAfterSeconds: timeToBlockExpire });
    } catch (error) {
      // As for the REST API, the limit fails open while Redis is unreachable.
      if (!isDependencyOutage(error)) throw error;
      this.logger.warn(`Public command limits not enforced while Redis is unreachable: ${(error as Error).message}`);
    }
  }
}

function isPublicCommand(name: string): name is PublicCommandName {
  return (PUBLIC_COMMAND_NAMES as readonly string[]).includes(name);
}

function parseBody(message: Msg): object {
  let body: unknown;
  try {
    body = message.data.length === 0 ? {} : message.json();
  } catch {
    throw new CommandError('VALIDATION', 'The body must be a JSON object (it is not valid JSON)');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new CommandError('VALIDATION', 'The body must be a JSON object');
  return body;
}
