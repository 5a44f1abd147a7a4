import { Body, Controller, ForbiddenException, Get, HttpCode, HttpStatus, Inject, Logger, Patch, Post, Req, Res, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiForbiddenResponse, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import {
  subjects,
  type AuthenticatedUserReply,
  type InvitationAcceptedReply,
  type IssuedRefreshToken,
  type MeReply,
  type MessageReply,
  type SessionReply,
  type SessionTokens,
  type SignedInReply,
  type RefreshRateLimitedDetails,
  type Principal,
  type RotatedRefreshToken,
  type SignupReply,
  type UserView,
} from '@helpdesk/contracts';
import { AccessTokens, CommandClient, CommandError, normalizeEmail, Public } from '@helpdesk/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayConfig } from '../gateway.config.js';
import { ChangePasswordBody, LoginBody, PasswordResetBody, RefreshBody, SignupBody, TokenPasswordBody, UpdateMeBody, VerifyEmailBody } from './auth.dto.js';
import { AuthLimits } from './auth-limits.js';
import { PasswordResetHandover } from './password-reset-handover.js';
import { Caller, Roles, type CallerRequest } from './caller.js';
import { ANONYMOUS_THROTTLER, AUTHENTICATED_THROTTLER } from './rate-limit.guard.js';
import { clearRefreshCookie, refreshTokenOf, setRefreshCookie } from './refresh-cookie.js';
import { SessionOnly } from './api-token-scopes.js';
import { Answers, AnswersNoContent } from '../http/api-responses.js';

@ApiTags('auth')
@SessionOnly()
@Controller()
export class AuthController {
  private readonly logger = new Logger(AuthController.name);

  constructor(
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(AccessTokens) private readonly accessTokens: AccessTokens,
    @Inject(AuthLimits) private readonly limits: AuthLimits,
    @Inject(PasswordResetHandover) private readonly passwordResets: PasswordResetHandover,
    @Inject(GatewayConfig) private readonly config: GatewayConfig,
  ) {}

  /** The console is served from APP_BASE_URL, so its own origin always may use the refresh cookie. */
  private get trustedOrigins(): string[] {
    return [new URL(this.config.APP_BASE_URL).origin, ...this.config.CSRF_TRUSTED_ORIGINS];
  }

  @Public()
  @Answers(HttpStatus.CREATED, 'SignedInReply')
  @ApiForbiddenResponse({ description: 'Signup is disabled (SIGNUP_ENABLED is not true)' })
  @Post('auth/signup')
  async signup(@Body() body: SignupBody, @Res({ passthrough: true }) reply: FastifyReply) {
    if (!this.config.SIGNUP_ENABLED) throw new ForbiddenException('Signup is disabled on this helpdesk');
    const { user, organization } = await this.commands.request<SignupReply>(subjects.organizations.signup, body);
    return { ...(await this.startSession(user, reply)), user, organization };
  }

  /**
   * Failed logins are limited per (IP, email) and, more widely, per IP. Every attempt is counted
   * before the password is checked; a success clears the pair's count and gives back its IP point.
   */
  @Public()
  @Answers(HttpStatus.OK, 'SignedInReply')
  @ApiUnauthorizedResponse({ description: 'Invalid email or password, whatever failed' })
  @Post('auth/login')
  @HttpCode(HttpStatus.OK)
  async login(@Body() body: LoginBody, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const pairKey = `${request.ip}:${normalizeEmail(body.email)}`;
    await this.limits.consume(reply, 'login', pairKey);
    await this.limits.consume(reply, 'loginPerIp', request.ip);
    let verified: AuthenticatedUserReply;
    try {
      verified = await this.commands.request<AuthenticatedUserReply>(subjects.auth.verifyCredentials, body);
    } catch (error) {
      // Only a wrong password is a failed login; "choose an organization" or an outage is not.
      if (!(error instanceof CommandError && error.code === 'UNAUTHORIZED')) await this.giveBackLogin(pairKey, request.ip);
      throw error;
    }
    await Promise.all([this.limits.reset('login', pairKey), this.limits.refund('loginPerIp', request.ip)]);
    return { ...(await this.startSession(verified.user, reply)), user: verified.user, organization: verified.organization };
  }

  /**
   * Successful refreshes are not counted per IP (many sessions share an office's address): the
   * ticket service limits each session's refreshes (RATE_LIMIT_REFRESH_PER_SESSION_PER_HOUR) and
   * ends it after SESSION_MAX_DAYS. Failed ones (someone presenting guessed tokens, a new one each
   * time) are limited per IP: every attempt is counted first, and all but an invalid token get their point back.
   */
  @Public()
  @SkipThrottle({ [ANONYMOUS_THROTTLER]: true, [AUTHENTICATED_THROTTLER]: true })
  @Answers(HttpStatus.OK, 'SessionReply')
  @ApiUnauthorizedResponse({ description: 'No, an unknown, a reused or an expired refresh token, or the session reached SESSION_MAX_DAYS' })
  @ApiForbiddenResponse({ description: 'The refresh cookie was sent from an origin outside CSRF_TRUSTED_ORIGINS' })
  @ApiConflictResponse({ description: 'Another refresh with the same token won the race; the session goes on' })
  @Post('auth/refresh')
  @HttpCode(HttpStatus.OK)
  async refresh(@Body() body: RefreshBody, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const refreshToken = refreshTokenOf(request, body.refreshToken, this.trustedOrigins);
    if (!refreshToken) throw new UnauthorizedException('A refresh token is required');
    await this.limits.consume(reply, 'refreshFailuresPerIp', request.ip);
    const rotated = await this.commands.request<RotatedRefreshToken>(subjects.auth.rotateRefreshToken, { refreshToken }).catch(async (error: unknown) => {
      if (!(error instanceof CommandError && error.code === 'UNAUTHORIZED')) await this.limits.refund('refreshFailuresPerIp', request.ip);
      const details = error instanceof CommandError && error.code === 'RATE_LIMITED' ? (error.details as RefreshRateLimitedDetails | undefined) : undefined;
      if (details) void reply.header('Retry-After', String(details.retryAfterSeconds));
      throw error;
    });
    await this.limits.refund('refreshFailuresPerIp', request.ip);
    setRefreshCookie(reply, rotated.refreshToken, rotated.expiresAt);
    return { ...this.session(rotated.user, rotated), user: rotated.user };
  }

  @ApiBearerAuth()
  @AnswersNoContent()
  @Post('auth/logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  async logout(@Body() body: RefreshBody, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const refreshToken = refreshTokenOf(request, body.refreshToken, this.trustedOrigins);
    if (refreshToken) await this.commands.request(subjects.auth.revokeRefreshToken, { refreshToken });
    clearRefreshCookie(reply);
  }

  /**
   * Always 202, whether or not the account exists, and always after the same work: the limits are
   * counted and the request is queued (in Redis) for the ticket service, so neither the answer nor
   * its timing depends on the account lookup or the mail, and a ticket service that is down gets
   * the request when it is back.
   */
  @Public()
  @Answers(HttpStatus.ACCEPTED, 'MessageReply')
  @Post('auth/password-reset')
  @HttpCode(HttpStatus.ACCEPTED)
  async requestPasswordReset(@Body() body: PasswordResetBody, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.limits.consume(reply, 'passwordReset', request.ip);
    await this.limits.consume(reply, 'passwordResetPerEmail', normalizeEmail(body.email));
    await this.passwordResets.enqueue(body);
    return { message: 'If an account exists for this email, a reset link is on its way' };
  }

  @Public()
  @AnswersNoContent()
  @ApiUnauthorizedResponse({ description: 'The reset link is invalid, used or expired' })
  @Post('auth/password-reset/confirm')
  @HttpCode(HttpStatus.NO_CONTENT)
  async confirmPasswordReset(@Body() body: TokenPasswordBody): Promise<void> {
    await this.commands.request(subjects.auth.confirmPasswordReset, body);
  }

  @Public()
  @Answers(HttpStatus.OK, 'SessionReply')
  @ApiUnauthorizedResponse({ description: 'The invitation is invalid, used or expired' })
  @Post('auth/accept-invite')
  @HttpCode(HttpStatus.OK)
  async acceptInvitation(@Body() body: TokenPasswordBody, @Res({ passthrough: true }) reply: FastifyReply) {
    const { user } = await this.commands.request<InvitationAcceptedReply>(subjects.auth.acceptInvitation, body);
    return { ...(await this.startSession(user, reply)), user };
  }

  /** The token of the mailed verification link; the organization may then mail customers and invitees. */
  @Public()
  @AnswersNoContent()
  @ApiUnauthorizedResponse({ description: 'The verification link is invalid or has expired' })
  @Post('auth/verify-email')
  @HttpCode(HttpStatus.NO_CONTENT)
  async verifyEmail(@Body() body: VerifyEmailBody): Promise<void> {
    await this.commands.request(subjects.auth.confirmEmailVerification, body);
  }

  /** A new verification mail to the calling admin's address; 409 once verified. */
  @ApiBearerAuth()
  @Answers(HttpStatus.ACCEPTED, 'MessageReply')
  @ApiConflictResponse({ description: 'The address is already verified' })
  @Post('auth/verify-email/resend')
  @Roles('admin')
  @HttpCode(HttpStatus.ACCEPTED)
  async resendEmailVerification(@Caller() principal: Principal, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.limits.consume(reply, 'verificationResend', principal.userId);
    await this.commands.request(subjects.auth.resendEmailVerification, { principal });
    return { message: 'A new verification link is on its way' };
  }

  @ApiBearerAuth()
  @Answers(HttpStatus.OK, 'MeReply')
  @Get('me')
  me(@Caller() principal: Principal) {
    return this.commands.request<MeReply>(subjects.auth.me, { principal });
  }

  /** Any user, about themselves only: the principal is the target, so there is no id to forge. */
  @ApiBearerAuth()
  @ApiOkResponse({ description: '`{ user, organization }`. Staff may set their own `availability` (`online` follows realtime presence; `away`/`offline` keep automatic assignment away); customers get 403 for it' })
  @Answers(HttpStatus.OK, 'MeReply')
  @Patch('me')
  updateMe(@Caller() principal: Principal, @Body() changes: UpdateMeBody) {
    return this.commands.request<MeReply>(subjects.users.updateOwnAccount, { principal, changes });
  }

  /**
   * Any user, about themselves. Wrong current passwords count like failed logins (per user), so a
   * stolen access token cannot be used to guess the password; the session that asks is kept.
   */
  @ApiBearerAuth()
  @AnswersNoContent()
  @Post('me/password')
  @HttpCode(HttpStatus.NO_CONTENT)
  async changePassword(@Caller() principal: Principal, @Body() change: ChangePasswordBody, @Req() request: CallerRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const key = `password-change:${principal.userId}`;
    await this.limits.consume(reply, 'login', key);
    await this.commands.request(subjects.auth.changeOwnPassword, { principal, change, keepSessionId: request.sessionId });
    await this.limits.reset('login', key);
  }

  private async giveBackLogin(pairKey: string, ip: string): Promise<void> {
    await Promise.all([this.limits.refund('login', pairKey), this.limits.refund('loginPerIp', ip)]);
  }

  private async startSession(user: UserView, reply: FastifyReply): Promise<SessionTokens> {
    const issued = await this.commands.request<IssuedRefreshToken>(subjects.auth.issueRefreshToken, { principal: principalOf(user) });
    setRefreshCookie(reply, issued.refreshToken, issued.expiresAt);
    return this.session(user, issued);
  }

  private session(user: UserView, refresh: IssuedRefreshToken): SessionTokens {
    const principal = principalOf(user);
    return {
      accessToken: this.accessTokens.sign(principal, refresh.sessionId),
      tokenType: 'Bearer',
      expiresIn: this.accessTokens.ttlSeconds,
      refreshToken: refresh.refreshToken,
      refreshTokenExpiresAt: refresh.expiresAt,
    };
  }
}

function principalOf(user: UserView): Principal {
  return { orgId: user.organizationId, userId: user.id, role: user.role };
}
