import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AcceptInvitationCommand,
  ChangeOwnPasswordCommand,
  ConfirmEmailVerificationCommand,
  ConfirmPasswordResetCommand,
  IssueEmailVerificationLinkCommand,
  IssueInvitationLinkCommand,
  IssuePasswordResetLinkCommand,
  IssueRefreshTokenCommand,
  MeCommand,
  RefreshTokenCommand,
  RequestPasswordResetCommand,
  ResendEmailVerificationCommand,
  subjects,
  VerifyCredentialsCommand,
} from '@helpdesk/contracts';
import { AuthService } from './auth.service.js';
import { OwnPasswordService } from './own-password.service.js';
import { RefreshTokensService } from './refresh-tokens.service.js';
import { UserTokensService } from './user-tokens.service.js';

@Controller()
export class AuthController {
  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(RefreshTokensService) private readonly refreshTokens: RefreshTokensService,
    @Inject(UserTokensService) private readonly userTokens: UserTokensService,
    @Inject(OwnPasswordService) private readonly ownPassword: OwnPasswordService,
  ) {}

  @MessagePattern(subjects.auth.verifyCredentials)
  verifyCredentials(@Payload() command: VerifyCredentialsCommand) {
    return this.auth.verifyCredentials(command);
  }

  @MessagePattern(subjects.auth.me)
  me(@Payload() command: MeCommand) {
    return this.auth.me(command);
  }

  @MessagePattern(subjects.auth.changeOwnPassword)
  changeOwnPassword(@Payload() command: ChangeOwnPasswordCommand) {
    return this.ownPassword.change(command);
  }

  @MessagePattern(subjects.auth.issueRefreshToken)
  issueRefreshToken(@Payload() command: IssueRefreshTokenCommand) {
    return this.refreshTokens.issue(command);
  }

  @MessagePattern(subjects.auth.rotateRefreshToken)
  rotateRefreshToken(@Payload() command: RefreshTokenCommand) {
    return this.refreshTokens.rotate(command);
  }

  @MessagePattern(subjects.auth.revokeRefreshToken)
  revokeRefreshToken(@Payload() command: RefreshTokenCommand) {
    return this.refreshTokens.revoke(command);
  }

  @MessagePattern(subjects.auth.requestPasswordReset)
  requestPasswordReset(@Payload() command: RequestPasswordResetCommand) {
    return this.userTokens.requestPasswordReset(command);
  }

  @MessagePattern(subjects.auth.issuePasswordResetLink)
  issuePasswordResetLink(@Payload() command: IssuePasswordResetLinkCommand) {
    return this.userTokens.issuePasswordResetLink(command);
  }

  @MessagePattern(subjects.auth.confirmPasswordReset)
  confirmPasswordReset(@Payload() command: ConfirmPasswordResetCommand) {
    return this.userTokens.confirmPasswordReset(command);
  }

  @MessagePattern(subjects.auth.issueInvitationLink)
  issueInvitationLink(@Payload() command: IssueInvitationLinkCommand) {
    return this.userTokens.issueInvitationLink(command);
  }

  @MessagePattern(subjects.auth.acceptInvitation)
  acceptInvitation(@Payload() command: AcceptInvitationCommand) {
    return this.userTokens.acceptInvitation(command);
  }

  @MessagePattern(subjects.auth.issueEmailVerificationLink)
  issueEmailVerificationLink(@Payload() command: IssueEmailVerificationLinkCommand) {
    return this.userTokens.issueEmailVerificationLink(command);
  }

  @MessagePattern(subjects.auth.confirmEmailVerification)
  confirmEmailVerification(@Payload() command: ConfirmEmailVerificationCommand) {
    return this.userTokens.confirmEmailVerification(command);
  }

  @MessagePattern(subjects.auth.resendEmailVerification)
  resendEmailVerification(@Payload() command: ResendEmailVerificationCommand) {
    return this.userTokens.resendEmailVerification(command);
  }
}
