import { IsOptional, IsString, Length } from 'class-validator';
import { ConfirmEmailVerificationCommand, OwnAccountChanges, OwnPasswordChange, RequestPasswordResetCommand, SignupCommand, TokenPasswordCommand, VerifyCredentialsCommand } from '@helpdesk/contracts';

/** HTTP bodies are the command DTOs where they match, so validation rules live in one place. */
export class SignupBody extends SignupCommand {}
export class LoginBody extends VerifyCredentialsCommand {}
export class TokenPasswordBody extends TokenPasswordCommand {}
export class PasswordResetBody extends RequestPasswordResetCommand {}
export class UpdateMeBody extends OwnAccountChanges {}
export class ChangePasswordBody extends OwnPasswordChange {}
export class VerifyEmailBody extends ConfirmEmailVerificationCommand {}

/** Browsers may leave the refresh token out and send the httpOnly cookie instead. */
export class RefreshBody {
  @IsOptional()
  @Length(1, 256)
  @IsString()
  refreshToken?: string;
}
