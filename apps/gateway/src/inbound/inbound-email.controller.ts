import { Controller, Headers, HttpCode, HttpStatus, Inject, PayloadTooLargeException, Post, Req, Res, UnauthorizedException, UnsupportedMediaTypeException } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOkResponse, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { CommandClient, CommandError, Public } from '@helpdesk/common';
import { INBOUND_TOKEN_HEADER, subjects, type InboundReceipt } from '@helpdesk/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { GatewayConfig } from '../gateway.config.js';
import { UuidParam } from '../http/uuid-param.js';
import { AuthLimits } from '../auth/auth-limits.js';
import { ANONYMOUS_THROTTLER } from '../auth/rate-limit.guard.js';
import { InboundMailUploads, MessageTooLargeError } from './inbound-mail-uploads.js';
import { Answers } from '../http/api-responses.js';

export const RFC822 = 'message/rfc822';
/** Parsing a large message and the ticket change take longer than a usual command. */
const INGEST_TIMEOUT_MS = 60_000;

/**
 * The HTTP way in of the email channel (DESIGN section 13), for providers that post mail: no user,
 * the mailbox's own secret instead. The token is checked before a byte of the body is read; the raw
 * message goes to the `inbound-mail` bucket and only its key travels to the notification service.
 */
@ApiTags('email')
@Controller('inbound/email')
export class InboundEmailController {
  constructor(
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(InboundMailUploads) private readonly uploads: InboundMailUploads,
    @Inject(GatewayConfig) private readonly config: GatewayConfig,
    @Inject(AuthLimits) private readonly limits: AuthLimits,
  ) {}

  @Public()
  // The caller is a mail provider posting everyone's mail from a few addresses: the per-IP anonymous limit would drop mail.
  @SkipThrottle({ [ANONYMOUS_THROTTLER]: true })
  @Answers(HttpStatus.OK, 'InboundReceipt')
  @ApiUnauthorizedResponse({ description: "Missing or wrong X-Helpdesk-Inbound-Token for this mailbox" })
  @Post(':mailboxId')
  @HttpCode(HttpStatus.OK)
  @ApiConsumes(RFC822)
  @ApiHeader({ name: 'X-Helpdesk-Inbound-Token', required: true, description: "The mailbox's inbound token (from its creation or rotation)" })
  @ApiBody({ schema: { type: 'string', format: 'binary' }, description: 'The raw message, as received (RFC 5322)' })
  @ApiOkResponse({
    description:
      '`{ messageId, outcome, ticketId, commentId }`, outcome `ticket_created`, `comment_added`, `duplicate` (the same Message-ID was received before: nothing changed), `bounce_recorded` (a delivery-status report: its failed recipients are marked bouncing, `ticketId` null) or `rate_limited` (the sender reached INBOUND_MAX_TICKETS_PER_SENDER_PER_HOUR new tickets: nothing opened, `ticketId` null). 401 for an unknown mailbox or a wrong token; 413 beyond INBOUND_MAX_BYTES; 415 when the body is not message/rfc822',
  })
  @ApiTooManyRequestsResponse({
    description:
      'Too many wrong tokens from this client address: RATE_LIMIT_INBOUND_TOKEN_FAILURES_PER_MINUTE for this mailbox, or RATE_LIMIT_INBOUND_TOKEN_FAILURES_PER_IP_PER_MINUTE for any; Retry-After says when to try again. Accepted mail is never counted',
  })
  async receive(
    @UuidParam('mailboxId') mailboxId: string,
    @Headers(INBOUND_TOKEN_HEADER) token: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InboundReceipt> {
    // Per mailbox as well as per address: a provider posting many organizations' mail from one address
    // keeps delivering to the other mailboxes while one is misconfigured.
    const pairKey = `${request.ip}:${mailboxId}`;
    await this.limits.refuseIfExhausted(reply, 'inboundTokenFailuresPerIp', request.ip);
    await this.limits.refuseIfExhausted(reply, 'inboundTokenFailures', pairKey);
    if (!token) {
      await this.countWrongToken(reply, request.ip, pairKey);
      throw new UnauthorizedException(`The mailbox token is missing: send it in the X-Helpdesk-Inbound-Token header`);
    }
    if (!isRfc822(request.headers['content-type'])) throw new UnsupportedMediaTypeException(`Send the raw message with Content-Type: ${RFC822}`);
    try {
      await this.commands.request(subjects.inbound.authorize, { mailboxId, token });
    } catch (error) {
      if (error instanceof CommandError && error.code === 'UNAUTHORIZED') await this.countWrongToken(reply, request.ip, pairKey);
      throw error;
    }
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.config.INBOUND_MAX_BYTES) throw tooLarge(this.config.INBOUND_MAX_BYTES);
    const objectKey = `${mailboxId}/${randomUUID()}`;
    try {
      await this.uploads.put(objectKey, request.body as Readable, this.config.INBOUND_MAX_BYTES);
    } catch (error) {
      if (error instanceof MessageTooLargeError) throw tooLarge(this.config.INBOUND_MAX_BYTES);
      throw error;
    }
    return this.commands.request<InboundReceipt>(subjects.inbound.ingest, { mailboxId, token, objectKey }, { timeoutMs: INGEST_TIMEOUT_MS });
  }

  /** Counted only when the token is wrong or missing; the request that goes over a limit is answered 429 rather than 401. */
  private async countWrongToken(reply: FastifyReply, ip: string, pairKey: string): Promise<void> {
    await this.limits.consume(reply, 'inboundTokenFailuresPerIp', ip);
    await this.limits.consume(reply, 'inboundTokenFailures', pairKey);
  }
}

function isRfc822(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === RFC822;
}

function tooLarge(limit: number): PayloadTooLargeException {
  return new PayloadTooLargeException(`The message is larger than ${limit} bytes (INBOUND_MAX_BYTES)`);
}

