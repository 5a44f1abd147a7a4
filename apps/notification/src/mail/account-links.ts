import { Inject, Injectable } from '@nestjs/common';
import { CommandClient, CommandError } from '@helpdesk/common';
import { subjects, type IssuedLinkToken } from '@helpdesk/contracts';
import { NotificationConfig } from '../notification.config.js';
import { escapeHtml } from './mail-templates.js';
import type { AccountLinkRequest, OutgoingMail } from './mail-transport.js';

/** Where each kind of link lands in the web console (DESIGN sections 6 and 15). */
const linkPath = (purpose: AccountLinkRequest['purpose'], token: string) => {
  const encoded = encodeURIComponent(token);
  switch (purpose) {
    case 'invitation':
      return `accept-invite?token=${encoded}`;
    case 'password-reset':
      return `reset-password?token=${encoded}`;
    case 'email-verification':
      return `verify-email?token=${encoded}`;
    case 'satisfaction':
      // The mail appends `?rating=good|bad` to make each button a one-click rating.
      return `rate/${encoded}`;
  }
};

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
    // CONFLICT: the invitation was accepted, the organization verified, or the ticket merged, since the mail was planned.
    const url = `${this.baseUrl}/${linkPath(link.purpose, issued.token)}`;
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
      case 'satisfaction':
        return [subjects.satisfaction.issueLink, { ticketId: link.ticketId, userId: link.userId }];
    }
  }
}
