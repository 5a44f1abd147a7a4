import { type CanActivate, type ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiTokenScope, Role } from '@helpdesk/contracts';
import { IS_PUBLIC } from '@helpdesk/common';
import { REQUIRED_SCOPE_KEY, SESSION_ONLY_KEY } from './api-token-scopes.js';
import { ROLES_KEY, type CallerRequest } from './caller.js';

/**
 * Every route needs a verified caller unless marked @Public(); @Roles narrows it further. An API
 * token also needs the route's @RequiredScope, and routes without one refuse tokens (fail closed).
 */
@Injectable()
export class AuthorizeGuard implements CanActivate {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<CallerRequest>();
    if (request.apiToken && this.reflector.getAllAndOverride<boolean>(SESSION_ONLY_KEY, targets)) {
      throw new ForbiddenException('API tokens cannot use session routes (/auth/*, /me): they need a person signed in with a password');
    }
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const { principal, apiToken } = request;
    if (!principal) throw new UnauthorizedException('An access token is required');
    if (apiToken) {
      const scope = this.reflector.getAllAndOverride<ApiTokenScope | undefined>(REQUIRED_SCOPE_KEY, targets);
      if (!scope) throw new ForbiddenException('API tokens cannot use this route');
      if (!apiToken.scopes.includes(scope)) throw new ForbiddenException(`This API token lacks the scope ${scope}, which this route needs`);
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(principal.role)) throw new ForbiddenException(`This needs the role ${roles.join(' or ')}`);
    return true;
  }
}
