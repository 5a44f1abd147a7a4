import { Injectable, Logger } from '@nestjs/common';
import { isDependencyOutage } from '@helpdesk/common';
import { ThrottlerGuard, type ThrottlerRequest } from '@nestjs/throttler';
import type { CallerRequest } from './caller.js';

export const ANONYMOUS_THROTTLER = 'anonymous';
export const AUTHENTICATED_THROTTLER = 'authenticated';

const OUTAGE_LOG_INTERVAL_MS = 10_000;

/**
 * Hourly limits shared by all gateway replicas through Redis: anonymous callers by IP,
 * authenticated callers by user or API token. Probes are never limited. While Redis is unreachable
 * these limits fail open (the API stays up, a warning is logged); the failed-login and
 * password-reset limits do not, and answer 503 instead.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly outageLogger = new Logger(RateLimitGuard.name);
  private lastOutageLog = 0;

  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const caller = request as unknown as CallerRequest;
    // A token counts apart from its creator, so a busy script cannot exhaust its creator's own limit.
    if (caller.apiToken) return `api-token:${caller.apiToken.id}`;
    return caller.principal ? `user:${caller.principal.userId}` : `ip:${caller.ip}`;
  }

  protected override async handleRequest(requestProps: ThrottlerRequest): Promise<boolean> {
    const request = requestProps.context.switchToHttp().getRequest<CallerRequest>();
    const route = request.routeOptions.url ?? '';
    if (route.startsWith('/health')) return true;
    const authenticated = request.principal !== undefined;
    if ((requestProps.throttler.name === AUTHENTICATED_THROTTLER) !== authenticated) return true;
    try {
      return await super.handleRequest(requestProps);
    } catch (error) {
      if (!isDependencyOutage(error)) throw error;
      if (Date.now() - this.lastOutageLog > OUTAGE_LOG_INTERVAL_MS) {
        this.lastOutageLog = Date.now();
        this.outageLogger.warn(`Rate limits not enforced while Redis is unreachable: ${(error as Error).message}`);
      }
      return true;
    }
  }
}
