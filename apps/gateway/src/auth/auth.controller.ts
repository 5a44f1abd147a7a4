import { Body, Controller, ForbiddenException, Get, HttpCode, HttpStatus, Inject, Patch, Post, Req, Res, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  subjects,
  type AuthenticatedUserReply,
  type InvitationAcceptedReply,
  type IssuedRefreshToken,
  type MeReply,
  type Principal,
  type RotatedRefreshToken,
  type SignupReply,
  type UserView,
} from '@helpdesk/contracts';
import { AccessTokens, CommandClient, CommandError, normalizeEmail, Public } from '@helpdesk/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayConfig } from '../gateway.config.js';
import { LoginBody, PasswordResetBody, RefreshBody, SignupBody, TokenPasswordBody, UpdateMeBody, VerifyEmailBody } from './auth.dto.js';
import { Caller, Roles } from './caller.js';
import { FixedWindowLimiter } from './fixed-window-limiter.js';
import { clearRefreshCookie, refreshTokenOf, setRefreshCookie } from './refresh-cookie.js';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
/** Verification mails an admin may ask for again, per hour. */
const VERIFY_EMAIL_RESENDS_PER_HOUR = 3;

interface Session {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(AccessTokens) private readonly accessTokens: AccessTokens,
    @Inject(FixedWindowLimiter) private readonly limiter: FixedWindowLimiter,
    @Inject(GatewayConfig) private readonly config: GatewayConfig,
  ) {}

  @Public()
  @Post('auth/signup')
  async signup(@Body() body: SignupBody, @Res({ passthrough: true }) reply: FastifyReply) {
    if (!this.config.SIGNUP_ENABLED) throw new ForbiddenException('Signup is disabled on this helpdesk');
    const { user, organization } = await this.commands.request<SignupReply>(subjects.organizations.signup, body);
    return { ...(await this.startSession(user, reply)), user, organization };
  }

  /** Failed logins are limited per (IP, email) and, more widely, per IP; success clears the pair's count. */
  @Public()
  @Post('auth/login')
  @HttpCode(HttpStatus.OK)
  async login(@Body() body: LoginBody, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const pairKey = `login:${request.ip}:${normalizeEmail(body.email)}`;
    const ipKey = `login-ip:${request.ip}`;
    await this.limiter.assertBelow(reply, pairKey, this.config.RATE_LIMIT_LOGIN_PER_MINUTE, 'failed logins for this account');
    await this.limiter.assertBelow(reply, ipKey, this.config.RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE, 'failed logins from this address');
    let verified: AuthenticatedUserReply;
    try {
      verified = await this.commands.request<AuthenticatedUserReply>(subjects.auth.verifyCredentials, body);
    } catch (error) {
      if (error instanceof CommandError && error.code === 'UNAUTHORIZED') {
        await Promise.all([this.limiter.count(pairKey, MINUTE), this.limiter.count(ipKey, MINUTE)]);
      }
      throw error;
    }
    await this.limiter.reset(pairKey);
    return { ...(await this.startSession(verified.user, reply)), user: verified.user, organization: verified.organization };
  }

  @Public()
  @Post('auth/refresh')
  @HttpCode(HttpStatus.OK)
  async refresh(@Body() body: RefreshBody, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const refreshToken = refreshTokenOf(request, body.refreshToken, this.config.CSRF_TRUSTED_ORIGINS);
    if (!refreshToken) throw new UnauthorizedException('A refresh token is required');
    const rotated = await this.commands.request<RotatedRefreshToken>(subjects.auth.rotateRefreshToken, { refreshToken });
    setRefreshCookie(reply, rotated.refreshToken, rotated.expiresAt);
    return { ...this.session(rotated.user, rotated), user: rotated.user };
  }

  @ApiBearerAuth()
  @Post('auth/logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  async logout(@Body() body: RefreshBody, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const refreshToken = refreshTokenOf(request, body.refreshToken, this.config.CSRF_TRUSTED_ORIGINS);
    if (refreshToken) await this.commands.request(subjects.auth.revokeRefreshToken, { refreshToken });
    clearRefreshCookie(reply);
  }

  /** Always 202, whether or not the account exists. */
  @Public()
  @Post('auth/password-reset')
  @HttpCode(HttpStatus.ACCEPTED)
  async requestPasswordReset(@Body() body: PasswordResetBody, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const key = `password-reset:${request.ip}`;
    await this.limiter.assertBelow(reply, key, this.config.RATE_LIMIT_PASSWORD_RESET_PER_HOUR, 'password reset requests');
    await this.limiter.count(key, HOUR);
    await this.commands.request(subjects.auth.requestPasswordReset, body);
    return { message: 'If an account exists for this email, a reset link is on its way' };
  }

  @Public()
  @Post('auth/password-reset/confirm')
  @HttpCode(HttpStatus.NO_CONTENT)
  async confirmPasswordReset(@Body() body: TokenPasswordBody): Promise<void> {
    await this.commands.request(subjects.auth.confirmPasswordReset, body);
  }

  @Public()
  @Post('auth/accept-invite')
  @HttpCode(HttpStatus.OK)
  async acceptInvitation(@Body() body: TokenPasswordBody, @Res({ passthrough: true }) reply: FastifyReply) {
    const { user } = await this.commands.request<InvitationAcceptedReply>(subjects.auth.acceptInvitation, body);
    return { ...(await this.startSession(user, reply)), user };
  }

  /** The token of the mailed verification link; the organization may then mail customers and invitees. */
  @Public()
  @Post('auth/verify-email')
  @HttpCode(HttpStatus.NO_CONTENT)
  async verifyEmail(@Body() body: VerifyEmailBody): Promise<void> {
    await this.commands.request(subjects.auth.confirmEmailVerification, body);
  }

  /** A new verification mail to the calling admin's address; 409 once verified. */
  @ApiBearerAuth()
  @Post('auth/verify-email/resend')
  @Roles('admin')
  @HttpCode(HttpStatus.ACCEPTED)
  async resendEmailVerification(@Caller() principal: Principal, @Res({ passthrough: true }) reply: FastifyReply) {
    const key = `verify-email-resend:${principal.userId}`;
    await this.limiter.assertBelow(reply, key, VERIFY_EMAIL_RESENDS_PER_HOUR, 'verification mails');
    await this.limiter.count(key, HOUR);
    await this.commands.request(subjects.auth.resendEmailVerification, { principal });
    return { message: 'A new verification link is on its way' };
  }

  @ApiBearerAuth()
  @Get('me')
  me(@Caller() principal: Principal) {
    return this.commands.request<MeReply>(subjects.auth.me, { principal });
  }

  /** Any user, about themselves only: the principal is the target, so there is no id to forge. */
  @ApiBearerAuth()
  @Patch('me')
  updateMe(@Caller() principal: Principal, @Body() changes: UpdateMeBody) {
    return this.commands.request<MeReply>(subjects.users.updateOwnAccount, { principal, changes });
  }

  private async startSession(user: UserView, reply: FastifyReply): Promise<Session> {
    const issued = await this.commands.request<IssuedRefreshToken>(subjects.auth.issueRefreshToken, { userId: user.id, organizationId: user.organizationId });
    setRefreshCookie(reply, issued.refreshToken, issued.expiresAt);
    return this.session(user, issued);
  }

  private session(user: UserView, refresh: IssuedRefreshToken): Session {
    const principal: Principal = { orgId: user.organizationId, userId: user.id, role: user.role };
    return {
      accessToken: this.accessTokens.sign(principal),
      tokenType: 'Bearer',
      expiresIn: this.accessTokens.ttlSeconds,
      refreshToken: refresh.refreshToken,
      refreshTokenExpiresAt: refresh.expiresAt,
    };
  }
}
