import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { ApiTokenScope } from '@helpdesk/contracts';

export const REQUIRED_SCOPE_KEY = 'helpdesk:required-scope';
export const SESSION_ONLY_KEY = 'helpdesk:session-only';
/** The OpenAPI extension naming the scope an API token needs for an operation (docs/api.md lists them). */
export const REQUIRED_SCOPE_EXTENSION = 'x-required-scope';

/**
 * The scope an API token needs on this route (or every route of this controller; a route's own wins).
 * Routes without one refuse API tokens: a new route is closed to tokens until someone decides its scope.
 * Callers with an access token (a signed-in person) are not affected.
 */
export const RequiredScope = (scope: ApiTokenScope) => applyDecorators(SetMetadata(REQUIRED_SCOPE_KEY, scope), ApiExtension(REQUIRED_SCOPE_EXTENSION, scope));

/** Routes of a signed-in session (refresh, logout, own password…): an API token is refused here even where the route is public. */
export const SessionOnly = () => SetMetadata(SESSION_ONLY_KEY, true);
