import { type CanActivate, type ExecutionContext, Inject, Injectable, Optional, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AccessTokens } from '../auth/access-tokens.js';
import { ServiceConfig } from '../config/service-config.js';

export const HEALTH_TOKEN_HEADER = 'x-health-token';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * /health/details reveals topology and versions: only holders of HEALTH_DETAILS_TOKEN may read it,
 * or, where the service verifies access tokens (the gateway), an admin.
 */
@Injectable()
export class HealthDetailsGuard implements CanActivate {
  constructor(
    @Inject(ServiceConfig) private readonly config: ServiceConfig,
    @Optional() @Inject(AccessTokens) private readonly accessTokens?: AccessTokens,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.HEALTH_DETAILS_TOKEN;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers[HEALTH_TOKEN_HEADER];
    const bearer = request.headers.authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
    const presented = (Array.isArray(header) ? header[0] : header) ?? bearer;
    // Hashing first makes the comparison constant-time whatever the lengths.
    if (expected && presented && timingSafeEqual(digest(presented), digest(expected))) return true;
    if (bearer && this.accessTokens && this.isAdmin(bearer)) return true;
    throw new UnauthorizedException('Health details need the internal health token');
  }

  private isAdmin(token: string): boolean {
    try {
      return this.accessTokens!.verify(token).role === 'admin';
    } catch {
      return false;
    }
  }
}
