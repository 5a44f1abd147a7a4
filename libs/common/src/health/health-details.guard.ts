import { type CanActivate, type ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ServiceConfig } from '../config/service-config.js';

export const HEALTH_TOKEN_HEADER = 'x-health-token';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * /health/details reveals topology and versions: only holders of HEALTH_DETAILS_TOKEN (the
 * platform's operators) may read it. A tenant's admin token is not enough: any organization has one.
 */
@Injectable()
export class HealthDetailsGuard implements CanActivate {
  constructor(@Inject(ServiceConfig) private readonly config: ServiceConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.HEALTH_DETAILS_TOKEN;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers[HEALTH_TOKEN_HEADER];
    const bearer = request.headers.authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
    const presented = (Array.isArray(header) ? header[0] : header) ?? bearer;
    // Hashing first makes the comparison constant-time whatever the lengths.
    if (expected && presented && timingSafeEqual(digest(presented), digest(expected))) return true;
    throw new UnauthorizedException('Health details need the internal health token');
  }
}
