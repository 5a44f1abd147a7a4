import type { NotificationPreference } from './notifications.js';
import type { OrganizationView, UserView } from './organizations.js';

/** verifyCredentials and me: who the caller is, and where. */
export interface AuthenticatedUserReply {
  user: UserView;
  organization: OrganizationView;
}

/** The caller's own account: their notification preferences, every key their role receives mail for, an unset key shown as on. */
export interface AccountView extends UserView {
  notificationPreferences: Partial<Record<NotificationPreference, boolean>>;
}

/** me and updateOwnAccount. */
export interface MeReply extends AuthenticatedUserReply {
  user: AccountView;
}

/**
 * `details` of the VALIDATION answer to verifyCredentials when the email has accounts in several
 * organizations: only those whose password matched, so the login form can offer a choice.
 */
export interface OrganizationChoiceDetails {
  organizations: Array<Pick<OrganizationView, 'slug' | 'name'>>;
}

/** The raw token exists only in this reply: the ticket service stores its SHA-256. */
export interface IssuedRefreshToken {
  refreshToken: string;
  /** The session (token family) the token belongs to; carried in access tokens as `sid`. */
  sessionId: string;
  /** ISO 8601. */
  expiresAt: string;
}

export interface RotatedRefreshToken extends IssuedRefreshToken {
  user: UserView;
}

/** `details` of the RATE_LIMITED answer to rotateRefreshToken: the session refreshed too often this hour. */
export interface RefreshRateLimitedDetails {
  retryAfterSeconds: number;
}

export interface RevokeRefreshTokenReply {
  /** false when the token was unknown or its session already ended. */
  revoked: boolean;
}

/** The same answer whether or not the email has an account. */
export interface PasswordResetRequestedReply {
  accepted: true;
}

/** A single-use link token for a mail; the caller builds `APP_BASE_URL/reset-password?token=…` or `/accept-invite?token=…`. */
export interface IssuedLinkToken {
  token: string;
  /** ISO 8601. */
  expiresAt: string;
}

export interface PasswordResetConfirmedReply {
  userId: string;
}

export interface InvitationAcceptedReply {
  user: UserView;
}

/** Data of the `auth.email_verification_requested` event: never a token; the mailer asks for one by command. */
export type EmailVerificationRequestedData = {
  /** The admin whose address is to be verified (the one who signed up, or who asked to resend). */
  userId: string;
  /** Unique per request, for correlation in logs. */
  requestId: string;
};

/**
 * Data of the `auth.password_reset_requested` event: never a token; the mailer asks for one by command.
 * A type alias, unlike the replies, so it fits the default `EventEnvelope` data type.
 */
export type PasswordResetRequestedData = {
  userId: string;
  email: string;
  name: string;
  /** Unique per request; passed back in issuePasswordResetLink. */
  requestId: string;
};

/** The tokens of a session the gateway opens or renews (the refresh token also goes in the `helpdesk_refresh` cookie). */
export interface SessionTokens {
  accessToken: string;
  tokenType: 'Bearer';
  /** Seconds the access token is valid. */
  expiresIn: number;
  refreshToken: string;
  /** ISO 8601. */
  refreshTokenExpiresAt: string;
}

/** POST /auth/signup and /auth/login: a session, the user and their organization. */
export interface SignedInReply extends SessionTokens {
  user: UserView;
  organization: OrganizationView;
}

/** POST /auth/refresh and /auth/accept-invite: a session and its user. */
export interface SessionReply extends SessionTokens {
  user: UserView;
}

/** An answer that only says what happened (password reset requested, verification mail resent). */
export interface MessageReply {
  message: string;
}
