import { createSecretKey } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { ROLES, type Principal, type Role } from '@helpdesk/contracts';
import { CommandError } from '../errors/command-error.js';

const ISSUER = 'helpdesk';
const AUDIENCE = 'helpdesk-api';

interface AccessTokenClaims {
  sub: string;
  org: string;
  role: Role;
  /** The session (refresh token family) the token was issued for. */
  sid?: string;
}

/**
 * Short-lived access tokens: HS256 with SECRET_KEY, a fixed issuer and audience. Verification
 * accepts HS256 only, so `alg: none` and tokens signed with another algorithm or key are refused.
 * The gateway signs; the gateway and the realtime service verify.
 */
export class AccessTokens {
  private readonly jwt: JwtService;

  constructor(
    secret: string,
    readonly ttlSeconds = 900,
  ) {
    this.jwt = new JwtService({
      // A KeyObject, not the string: given a string, jsonwebtoken first tries (and fails) to parse it as
      // a PEM public key on every call, which cost the gateway about 9% of its CPU.
      secret: createSecretKey(Buffer.from(secret, 'utf8')),
      signOptions: { algorithm: 'HS256', expiresIn: ttlSeconds, issuer: ISSUER, audience: AUDIENCE },
      verifyOptions: { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE },
    });
  }

  sign(principal: Principal, sessionId?: string): string {
    const claims: AccessTokenClaims = { sub: principal.userId, org: principal.orgId, role: principal.role, ...(sessionId ? { sid: sessionId } : {}) };
    return this.jwt.sign(claims);
  }

  /** The principal of a valid token; UNAUTHORIZED for anything else (expired, forged, malformed). */
  verify(token: string): Principal & { expiresAt: Date; sessionId?: string } {
    try {
      const claims = this.jwt.verify<AccessTokenClaims & { exp: number }>(token);
      if (typeof claims.sub !== 'string' || typeof claims.org !== 'string' || !ROLES.includes(claims.role)) throw new Error('claims');
      const sessionId = typeof claims.sid === 'string' ? claims.sid : undefined;
      return { userId: claims.sub, orgId: claims.org, role: claims.role, expiresAt: new Date(claims.exp * 1000), ...(sessionId ? { sessionId } : {}) };
    } catch {
      throw new CommandError('UNAUTHORIZED', 'The access token is invalid or has expired');
    }
  }
}
