import { HttpException, HttpStatus, Inject, Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { isDependencyOutage, REDIS_CLIENT } from '@helpdesk/common';
import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { GatewayConfig } from '../gateway.config.js';

const MINUTE = 60;
const HOUR = 60 * MINUTE;

/** The limits the hourly throttler cannot express: per route, per (IP, email) pair or per email, with refunds. */
export type AuthLimit =
  | 'login'
  | 'loginPerIp'
  | 'passwordReset'
  | 'passwordResetPerEmail'
  | 'verificationResend'
  | 'invitationResend'
  | 'refreshFailuresPerIp'
  | 'inboundTokenFailures'
  | 'inboundTokenFailuresPerIp'
  | 'apiTokenFailuresPerIp';

/**
 * Limits that let requests through while Redis is unreachable: a refresh token cannot be guessed,
 * so the failed-refresh limit only sheds load, and failing closed would end every session.
 */
const FAIL_OPEN: ReadonlySet<AuthLimit> = new Set(['refreshFailuresPerIp', 'inboundTokenFailures', 'inboundTokenFailuresPerIp', 'apiTokenFailuresPerIp']);

/** Verification mails an admin may ask for again, per hour. */
const VERIFY_EMAIL_RESENDS_PER_HOUR = 3;

/** Invitation mails an organization's admins may send again to one invitee, per hour: resending is for a lost mail, not for mail-bombing an address. */
export const INVITATION_RESENDS_PER_HOUR = 3;

const REFUSED_WHAT: Record<AuthLimit, string> = {
  login: 'failed logins for this account',
  loginPerIp: 'failed logins from this address',
  passwordReset: 'password reset requests from this address',
  passwordResetPerEmail: 'password reset requests for this email',
  verificationResend: 'verification mails',
  invitationResend: 'invitation mails to this user',
  refreshFailuresPerIp: 'failed token refreshes from this address',
  inboundTokenFailures: 'wrong inbound tokens for this mailbox from this address',
  inboundTokenFailuresPerIp: 'wrong inbound tokens from this address',
  apiTokenFailuresPerIp: 'invalid API tokens from this address',
};

/**
 * Fixed windows in Redis, shared by all replicas. Each attempt is counted first (one atomic
 * increment) and then compared, so a burst in parallel is limited exactly like one in series.
 * While Redis is unreachable these limits fail closed (503): they guard passwords and mailboxes
 * (all but the FAIL_OPEN ones).
 */
@Injectable()
export class AuthLimits {
  private readonly logger = new Logger(AuthLimits.name);
  private readonly limiters: Record<AuthLimit, RateLimiterRedis>;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(GatewayConfig) config: GatewayConfig,
  ) {
    const limiter = (name: AuthLimit, points: number, duration: number) =>
      new RateLimiterRedis({ storeClient: redis, keyPrefix: `${config.QUEUE_PREFIX}:limits:${name}`, points, duration, rejectIfRedisNotReady: true });
    this.limiters = {
      login: limiter('login', config.RATE_LIMIT_LOGIN_PER_MINUTE, MINUTE),
      loginPerIp: limiter('loginPerIp', config.RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE, MINUTE),
      passwordReset: limiter('passwordReset', config.RATE_LIMIT_PASSWORD_RESET_PER_HOUR, HOUR),
      passwordResetPerEmail: limiter('passwordResetPerEmail', config.RATE_LIMIT_PASSWORD_RESET_PER_EMAIL_PER_HOUR, HOUR),
      verificationResend: limiter('verificationResend', VERIFY_EMAIL_RESENDS_PER_HOUR, HOUR),
      invitationResend: limiter('invitationResend', INVITATION_RESENDS_PER_HOUR, HOUR),
      refreshFailuresPerIp: limiter('refreshFailuresPerIp', config.RATE_LIMIT_REFRESH_FAILURES_PER_IP_PER_MINUTE, MINUTE),
      inboundTokenFailures: limiter('inboundTokenFailures', config.RATE_LIMIT_INBOUND_TOKEN_FAILURES_PER_MINUTE, MINUTE),
      inboundTokenFailuresPerIp: limiter('inboundTokenFailuresPerIp', config.RATE_LIMIT_INBOUND_TOKEN_FAILURES_PER_IP_PER_MINUTE, MINUTE),
      apiTokenFailuresPerIp: limiter('apiTokenFailuresPerIp', config.RATE_LIMIT_API_TOKEN_FAILURES_PER_IP_PER_MINUTE, MINUTE),
    };
  }

  /** Counts one attempt, then refuses it with 429 and Retry-After if that went over the limit. */
  async consume(reply: FastifyReply, limit: AuthLimit, key: string): Promise<void> {
    try {
      await this.limiters[limit].consume(key);
    } catch (refused) {
      if (!(refused instanceof RateLimiterRes)) {
        if (this.failsOpen(limit, refused)) return;
        throw this.outage(refused);
      }
      this.refuse(reply, limit, refused);
    }
  }

  private refuse(reply: FastifyReply, limit: AuthLimit, state: RateLimiterRes): never {
    const retryAfter = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
    void reply.header('Retry-After', String(retryAfter));
    throw new HttpException(`Too many ${REFUSED_WHAT[limit]}: try again in ${retryAfter} seconds`, HttpStatus.TOO_MANY_REQUESTS);
  }

  /**
   * Refuses with 429 and Retry-After when earlier failures already used up the limit, counting nothing:
   * for limits counted only on failure (consume after it), so good requests never count, even in a burst.
   */
  async refuseIfExhausted(reply: FastifyReply, limit: AuthLimit, key: string): Promise<void> {
    let state: RateLimiterRes | null;
    try {
      state = await this.limiters[limit].get(key);
    } catch (error) {
      if (this.failsOpen(limit, error)) return;
      throw this.outage(error);
    }
    if (state && state.consumedPoints >= this.limiters[limit].points) this.refuse(reply, limit, state);
  }

  /** Gives back an attempt that turned out not to be a failure (a successful login). */
  async refund(limit: AuthLimit, key: string): Promise<void> {
    await this.limiters[limit].reward(key, 1).catch((error: unknown) => (this.failsOpen(limit, error) ? undefined : Promise.reject(this.outage(error))));
  }

  async reset(limit: AuthLimit, key: string): Promise<void> {
    await this.limiters[limit].delete(key).catch((error: unknown) => Promise.reject(this.outage(error)));
  }

  private failsOpen(limit: AuthLimit, error: unknown): boolean {
    if (!FAIL_OPEN.has(limit) || !(this.redis.status !== 'ready' || isDependencyOutage(error))) return false;
    this.logger.warn({ message: `The ${limit} limit is not counted while Redis is unreachable`, limit });
    return true;
  }

  private outage(error: unknown): unknown {
    if (this.redis.status !== 'ready' || isDependencyOutage(error)) return new ServiceUnavailableException('Login, password-reset and account-mail limits cannot be checked right now; try again shortly');
    return error;
  }
}
