import { Type } from 'class-transformer';
import { IsDefined, IsEmail, IsOptional, IsString, IsUUID, Length, MaxLength, ValidateNested } from 'class-validator';
import { AuthenticatedCommand } from './principal.dto.js';

/** Length only: the hash is argon2id, and long passphrases are welcome. */
export const PASSWORD_LENGTH = { min: 10, max: 200 } as const;

const OPAQUE_TOKEN_MAX_LENGTH = 256;

export class VerifyCredentialsCommand {
  @MaxLength(254)
  @IsEmail()
  email!: string;

  /** Only compared with the stored hash, so no minimum: a short guess is simply a wrong password. */
  @Length(1, PASSWORD_LENGTH.max)
  @IsString()
  password!: string;

  /** The organization's slug; needed only when the email belongs to several organizations. */
  @IsOptional()
  @Length(1, 100)
  @IsString()
  organization?: string;
}

/**
 * Starts a session for the principal a successful login (or invitation acceptance) produced. Only the
 * gateway's NATS user may publish it (libs/contracts nats-permissions), and the ticket service checks
 * the principal against the active account, role included.
 */
export class IssueRefreshTokenCommand extends AuthenticatedCommand {}

/** Rotation (refresh) and revocation (logout) both carry only the opaque token. */
export class RefreshTokenCommand {
  @Length(1, OPAQUE_TOKEN_MAX_LENGTH)
  @IsString()
  refreshToken!: string;
}

export class RequestPasswordResetCommand {
  @MaxLength(254)
  @IsEmail()
  email!: string;

  /** The organization's slug, to reset only that account when the email belongs to several. */
  @IsOptional()
  @Length(1, 100)
  @IsString()
  organization?: string;
}

// Trusted internal command (no principal): NATS permissions in the chart restrict who may publish it.
export class IssuePasswordResetLinkCommand {
  @IsUUID()
  userId!: string;

  /** The `requestId` of the `auth.password_reset_requested` event being answered, for correlation in logs. */
  @IsUUID()
  requestId!: string;
}

// Trusted internal command (no principal): NATS permissions in the chart restrict who may publish it.
export class IssueInvitationLinkCommand {
  @IsUUID()
  userId!: string;
}

// Trusted internal command (no principal): the notification service asks for the link when it sends the mail.
export class IssueEmailVerificationLinkCommand {
  @IsUUID()
  userId!: string;
}

/** The single-use token of a mailed verification link; anyone holding it may spend it (the link is the proof). */
export class ConfirmEmailVerificationCommand {
  @Length(1, OPAQUE_TOKEN_MAX_LENGTH)
  @IsString()
  token!: string;
}

/** An admin of a not yet verified organization asks for a new verification mail, to their own address. */
export class ResendEmailVerificationCommand extends AuthenticatedCommand {}

/** A single-use token from a mailed link, and the new password it allows setting. */
export abstract class TokenPasswordCommand {
  @Length(1, OPAQUE_TOKEN_MAX_LENGTH)
  @IsString()
  token!: string;

  @Length(PASSWORD_LENGTH.min, PASSWORD_LENGTH.max)
  @IsString()
  password!: string;
}

export class ConfirmPasswordResetCommand extends TokenPasswordCommand {}

export class AcceptInvitationCommand extends TokenPasswordCommand {}

export class MeCommand extends AuthenticatedCommand {}

/** The caller's new password, allowed by their current one (the same rules as a reset). */
export class OwnPasswordChange {
  /** Only compared with the stored hash, like a login. */
  @Length(1, PASSWORD_LENGTH.max)
  @IsString()
  currentPassword!: string;

  @Length(PASSWORD_LENGTH.min, PASSWORD_LENGTH.max)
  @IsString()
  newPassword!: string;
}

export class ChangeOwnPasswordCommand extends AuthenticatedCommand {
  @IsDefined()
  @ValidateNested()
  @Type(() => OwnPasswordChange)
  change!: OwnPasswordChange;

  /** The session to keep (the caller's own, from the access token); every other one ends. */
  @IsOptional()
  @IsUUID()
  keepSessionId?: string;
}
