import { type CanActivate, type ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '@helpdesk/contracts';
import { IS_PUBLIC } from '@helpdesk/common';
import { ROLES_KEY, type CallerRequest } from './caller.js';

/** Every route needs a verified caller unless marked @Public(); @Roles narrows it further. */
@Injectable()
export class AuthorizeGuard implements CanActivate {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const { principal } = context.switchToHttp().getRequest<CallerRequest>();
    if (!principal) throw new UnauthorizedException('An access token is required');
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(principal.role)) throw new ForbiddenException(`This needs the role ${roles.join(' or ')}`);
    return true;
  }
}
