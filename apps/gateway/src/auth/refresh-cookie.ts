import type {} from '@fastify/cookie';
import { ForbiddenException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const REFRESH_COOKIE = 'helpdesk_refresh';
const COOKIE_PATH = '/api/v1/auth';

/** The refresh token for browsers: httpOnly (no script can read it), Secure, SameSite=Strict, sent only to /auth. */
export function setRefreshCookie(reply: FastifyReply, token: string, expiresAt: string): void {
  void reply.setCookie(REFRESH_COOKIE, token, { httpOnly: true, secure: true, sameSite: 'strict', path: COOKIE_PATH, expires: new Date(expiresAt) });
}

export function clearRefreshCookie(reply: FastifyReply): void {
  void reply.clearCookie(REFRESH_COOKIE, { path: COOKIE_PATH, httpOnly: true, secure: true, sameSite: 'strict' });
}

/**
 * The refresh token from the body, else from the cookie. A cookie travels with every browser
 * request, so one is accepted only from a trusted Origin (CSRF protection).
 */
export function refreshTokenOf(request: FastifyRequest, bodyToken: string | undefined, trustedOrigins: string[]): string | undefined {
  if (bodyToken) return bodyToken;
  const cookie = request.cookies[REFRESH_COOKIE];
  if (!cookie) return undefined;
  const origin = request.headers.origin;
  if (!origin || !trustedOrigins.includes(origin)) throw new ForbiddenException('Cookie-authenticated requests must come from a trusted origin');
  return cookie;
}
