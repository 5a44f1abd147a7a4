import { Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerRequest } from '@nestjs/throttler';
import type { CallerRequest } from './caller.js';

export const ANONYMOUS_THROTTLER = 'anonymous';
export const AUTHENTICATED_THROTTLER = 'authenticated';

/**
 * Hourly limits shared by all gateway replicas through Redis: anonymous callers by IP,
 * authenticated callers by user. Probes and metrics are never limited.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const caller = request as unknown as CallerRequest;
    return caller.principal ? `user:${caller.principal.userId}` : `ip:${caller.ip}`;
  }

  protected override async handleRequest(requestProps: ThrottlerRequest): Promise<boolean> {
    const request = requestProps.context.switchToHttp().getRequest<CallerRequest>();
    const route = request.routeOptions.url ?? '';
    if (route.startsWith('/health') || route === '/metrics') return true;
    const authenticated = request.principal !== undefined;
    if ((requestProps.throttler.name === AUTHENTICATED_THROTTLER) !== authenticated) return true;
    return super.handleRequest(requestProps);
  }
}
