import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { ApiTokenScope, Principal, Role } from '@helpdesk/contracts';
import type { FastifyRequest } from 'fastify';

/** A request after IdentifyCallerGuard: the verified principal, if a valid access token came with it. */
export interface CallerRequest extends FastifyRequest {
  principal?: Principal;
  /** The session (refresh token family) the access token was issued for, when it says. */
  sessionId?: string;
  /** Set when the caller came with an API token: the principal is then the token's creator, limited to these scopes. */
  apiToken?: { id: string; name: string; scopes: ApiTokenScope[] };
}

/** The verified principal of the request (routes behind AuthorizeGuard always have one). */
export const Caller = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<CallerRequest>().principal;
  if (!principal) throw new Error('Caller used on a public route');
  return principal;
});

export const ROLES_KEY = 'helpdesk:roles';
/** Restricts a route (or controller) to these roles; others get 403. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
