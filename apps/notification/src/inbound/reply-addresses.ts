import { Inject, Injectable } from '@nestjs/common';
import { Mailboxes } from '../mailboxes/mailboxes.service.js';
import { NotificationConfig } from '../notification.config.js';
import { replyAddress, ReplyTokens, splitReplyAddress, type ReplyTokenClaims } from './reply-token.js';

/** Recipient addresses looked at for a token, and genuine tokens tried: a mail to 200 people costs no more than this. */
const MAX_ADDRESSES_TRIED = 20;
const MAX_TOKENS_TRIED = 5;

/**
 * The reply address of outgoing ticket mails, and the token read back from inbound mail (DESIGN
 * section 13, threading rule 2). Without DATA_ENCRYPTION_KEY no token can be signed: ticket mails
 * then carry no Reply-To, and inbound mail threads by the other rules.
 */
@Injectable()
export class ReplyAddresses {
  private readonly tokens: ReplyTokens | null;

  constructor(
    @Inject(Mailboxes) private readonly mailboxes: Mailboxes,
    @Inject(NotificationConfig) config: NotificationConfig,
  ) {
    const keys = [config.DATA_ENCRYPTION_KEY, ...config.DATA_ENCRYPTION_OLD_KEYS].filter((key): key is string => Boolean(key)).map((key) => Buffer.from(key, 'base64'));
    // Only a current key signs: old keys alone would verify tokens nobody can be issued any more.
    this.tokens = config.DATA_ENCRYPTION_KEY ? new ReplyTokens(keys) : null;
  }

  /** `support+<token>@acme.test` for this ticket and recipient, or null (no key, no mailbox, or an address too long for a token). */
  async forRecipient(orgId: string, claims: ReplyTokenClaims): Promise<string | null> {
    if (!this.tokens) return null;
    const mailbox = await this.mailboxes.replyMailbox(orgId);
    return mailbox ? replyAddress(mailbox, this.tokens.issue(orgId, claims)) : null;
  }

  /**
   * The claims of the genuine tokens of this organization among the addresses a mail was delivered
   * to, in their order: a mail may copy several reply addresses, and only the sender's own may act.
   */
  fromRecipients(orgId: string, recipients: string[]): ReplyTokenClaims[] {
    const tokens = this.tokens;
    if (!tokens) return [];
    const found = new Map<string, ReplyTokenClaims>();
    for (const recipient of recipients.slice(0, MAX_ADDRESSES_TRIED)) {
      const token = splitReplyAddress(recipient).token?.toLowerCase();
      const claims = token && !found.has(token) ? tokens.verify(orgId, token) : null;
      if (claims) found.set(token!, claims);
      if (found.size === MAX_TOKENS_TRIED) break;
    }
    return [...found.values()];
  }
}
