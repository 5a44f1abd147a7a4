import { type CanActivate, type ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { AccessTokens, CommandClient, CommandError } from '@helpdesk/common';
import { API_TOKEN_PATTERN, API_TOKEN_PREFIX, subjects, type VerifiedApiToken } from '@helpdesk/contracts';
import type { FastifyReply } from 'fastify';
import { AuthLimits } from './auth-limits.js';
import type { CallerRequest } from './caller.js';

const INVALID_API_TOKEN = 'The API token is invalid, revoked or expired';

/**
 * Runs first on every route: a valid bearer token attaches its principal, so rate limits can key
 * authenticated callers by user (or API token). A token that is present but invalid is refused at once.
 */
@Injectable()
export class IdentifyCallerGuard implements CanActivate {
  constructor(
    @Inject(AccessTokens) private readonly accessTokens: AccessTokens,
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(AuthLimits) private readonly limits: AuthLimits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<CallerRequest>();
    const header = request.headers.authorization;
    if (!header) return true;
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token) throw new UnauthorizedException('Authorization must be "Bearer <access token>" or "Bearer hdp_<API token>"');
    const probe = request.routeOptions.url?.startsWith('/health') ?? false;
    if (token.startsWith(API_TOKEN_PREFIX)) {
      // Probes never depend on the ticket service answering for a token.
      if (probe) return true;
      await this.identifyApiToken(request, context.switchToHttp().getResponse<FastifyReply>(), token);
      return true;
    }
    try {
      const { orgId, userId, role, sessionId } = this.accessTokens.verify(token);
      request.principal = { orgId, userId, role };
      request.sessionId = sessionId;
    } catch {
      if (probe) return true;
      throw new UnauthorizedException('The access token is invalid or has expired');
    }
    return true;
  }

  /**
   * Asked of the ticket service on every request, uncached: a revoked token is refused by every
   * replica at once, for one indexed lookup next to the command the request sends anyway. Invalid
   * tokens are counted per address, and an address over the limit is refused before any lookup.
   */
  private async identifyApiToken(request: CallerRequest, reply: FastifyReply, token: string): Promise<void> {
    await this.limits.refuseIfExhausted(reply, 'apiTokenFailuresPerIp', request.ip);
    let verified: VerifiedApiToken;
    try {
      // Malformed ones cost no round trip (the ticket service would refuse them alike).
      if (!API_TOKEN_PATTERN.test(token)) throw new CommandError('UNAUTHORIZED', INVALID_API_TOKEN);
      verified = await this.commands.request<VerifiedApiToken>(subjects.apiTokens.verify, { token });
    } catch (error) {
      if (!(error instanceof CommandError && error.code === 'UNAUTHORIZED')) throw error;
      await this.limits.consume(reply, 'apiTokenFailuresPerIp', request.ip);
      throw new UnauthorizedException(INVALID_API_TOKEN);
    }
    request.principal = { ...verified.principal, apiToken: { id: verified.tokenId, name: verified.name } };
    request.apiToken = { id: verified.tokenId, name: verified.name, scopes: verified.scopes };
  }
}
