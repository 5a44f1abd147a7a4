import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { NotificationConfig } from '../notification.config.js';

/** A rendered mail as the delivery log keeps it, ready to hand to SMTP again on a retry or a replay. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** The ticket's thread root, for In-Reply-To and References (ticket mails only). */
  threadId?: string;
  /** Ticket mails: the organization's mailbox with a reply token for this ticket and recipient (`support+<token>@acme.test`). */
  replyTo?: string;
  /** Account mails: the single-use link to issue when the mail is sent, in place of `placeholder` (never stored). */
  accountLink?: AccountLinkRequest;
  /** Mails to a non-staff address: the organization whose hourly quota (ORG_MAIL_PER_HOUR) they count against. */
  quotaOrgId?: string;
}

export interface AccountLinkRequest {
  /** `satisfaction`: the solved mail's survey link, for the ticket's requester (`userId`). */
  purpose: 'invitation' | 'password-reset' | 'email-verification' | 'satisfaction';
  userId: string;
  /** The ticket a satisfaction survey is about. */
  ticketId?: string;
  /** The password reset request being answered. */
  requestId?: string;
  /** A random marker in `text` and `html` that the issued link replaces. */
  placeholder: string;
}

/** SMTP out through nodemailer: the only class that talks to the mail server. */
@Injectable()
export class MailTransport implements OnApplicationShutdown {
  private readonly transporter: Transporter;

  constructor(@Inject(NotificationConfig) private readonly config: NotificationConfig) {
    this.transporter = nodemailer.createTransport({
      host: config.EMAIL_HOST,
      port: config.EMAIL_PORT,
      secure: config.EMAIL_USE_SSL,
      requireTLS: config.EMAIL_USE_TLS,
      auth: config.EMAIL_HOST_USER ? { user: config.EMAIL_HOST_USER, pass: config.EMAIL_HOST_PASSWORD ?? '' } : undefined,
      pool: true,
      maxConnections: config.MAIL_CONCURRENCY,
      // Retries belong to the mail queue alone (counted, backed off, dead-lettered), not hidden inside the pool.
      maxRequeues: 0,
      // A hung server must fail the attempt (and let it retry) instead of holding a worker slot.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transporter.sendMail({
      from: this.config.DEFAULT_FROM_EMAIL,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      ...(mail.threadId ? { inReplyTo: mail.threadId, references: [mail.threadId] } : {}),
      ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
    });
  }

  onApplicationShutdown(): void {
    this.transporter.close();
  }
}
