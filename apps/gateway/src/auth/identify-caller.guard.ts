import { type CanActivate, type ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { AccessTokens } from '@helpdesk/common';
import type { CallerRequest } from './caller.js';

/**
 * Runs first on every route: a valid bearer token attaches its principal, so rate limits can key
 * authenticated callers by user. A token that is present but invalid is refused at once.
 */
@Injectable()
export class IdentifyCallerGuard implements CanActivate {
  constructor(@Inject(AccessTokens) private readonly accessTokens: AccessTokens) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<CallerRequest>();
    const header = request.headers.authorization;
    if (!header) return true;
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token) throw new UnauthorizedException('Authorization must be "Bearer <access token>"');
    try {
      const { orgId, userId, role, sessionId } = this.accessTokens.verify(token);
      request.principal = { orgId, userId, role };
      request.sessionId = sessionId;
    } catch {
      if (request.routeOptions.url?.startsWith('/health')) return true;
      throw new UnauthorizedException('The access token is invalid or has expired');
    }
    return true;
  }
}
