import { Inject, Injectable } from '@nestjs/common';
import { CommandClient, CommandError } from '@helpdesk/common';
import { subjects, type IssuedLinkToken } from '@helpdesk/contracts';
import { NotificationConfig } from '../notification.config.js';
import { escapeHtml } from './mail-templates.js';
import type { AccountLinkRequest, OutgoingMail } from './mail-transport.js';

/** Where each kind of link lands in the web console (DESIGN section 6). */
const LINK_PATHS = { invitation: 'accept-invite', 'password-reset': 'reset-password', 'email-verification': 'verify-email' } as const;

/**
 * Fills an account mail's single-use link in at sending time, by asking the ticket service to issue
 * it (trusted internal commands). The token is never stored: not in events, not in the delivery log;
 * each attempt issues a new link, which also voids any earlier one.
 */
@Injectable()
export class AccountLinks {
  private readonly baseUrl: string;

  constructor(
    @Inject(NotificationConfig) config: NotificationConfig,
    @Inject(CommandClient) private readonly commands: CommandClient,
  ) {
    this.baseUrl = config.APP_BASE_URL.replace(/\/+$/, '');
  }

  /** The mail ready to send, or undefined when its link can no longer be issued (user deactivated, invitation already accepted). */
  async fill(mail: OutgoingMail): Promise<OutgoingMail | undefined> {
    const link = mail.accountLink;
    if (!link) return mail;
    let issued: IssuedLinkToken;
    try {
      issued = await this.commands.request<IssuedLinkToken>(...this.issueRequest(link));
    } catch (error) {
      if (error instanceof CommandError && (error.code === 'NOT_FOUND' || error.code === 'CONFLICT')) return undefined;
      throw error;
    }
    // CONFLICT: the invitation was accepted, or the organization verified, since the mail was planned.
    const url = `${this.baseUrl}/${LINK_PATHS[link.purpose]}?token=${encodeURIComponent(issued.token)}`;
    return { ...mail, text: mail.text.replaceAll(link.placeholder, url), html: mail.html.replaceAll(link.placeholder, escapeHtml(url)) };
  }

  private issueRequest(link: AccountLinkRequest): [string, object] {
    switch (link.purpose) {
      case 'invitation':
        return [subjects.auth.issueInvitationLink, { userId: link.userId }];
      case 'password-reset':
        return [subjects.auth.issuePasswordResetLink, { userId: link.userId, requestId: link.requestId }];
      case 'email-verification':
        return [subjects.auth.issueEmailVerificationLink, { userId: link.userId }];
    }
  }
}
