import type { HeaderValue, ParsedMail } from 'mailparser';

/** What kind of sender wrote an inbound mail, as far as its headers tell. */
export type InboundMailKind = 'personal' | 'auto-reply' | 'bulk' | 'list' | 'bounce' | 'system';

export interface MailClassification {
  kind: InboundMailKind;
  /** No mail is ever sent in answer (DESIGN section 13, loops and noise): true for every kind but personal. */
  suppressReplies: boolean;
  /** Which header decided, for the ticket's history and the logs. */
  reason: string | null;
  /** For a delivery-status report: the recipients whose delivery failed for good (not the delayed ones). */
  failedRecipients: string[];
}

/** Senders that are mail systems, not people (RFC 5321 and 3834 conventions). */
const SYSTEM_SENDERS = /^(mailer-daemon|postmaster)@/i;

/**
 * Classifies an inbound mail so the pipeline never answers a machine. The message must be parsed
 * with mailparser's `keepDeliveryStatus: true`, so a delivery-status report keeps its
 * `message/delivery-status` part (by default mailparser folds it into the text).
 */
export function classifyInboundMail(mail: ParsedMail): MailClassification {
  const header = (name: string) => headerText(mail.headers.get(name));
  const result = (kind: InboundMailKind, reason: string, failedRecipients: string[] = []): MailClassification => ({ kind, suppressReplies: true, reason, failedRecipients });

  const deliveryStatus = mail.attachments.find((attachment) => attachment.contentType === 'message/delivery-status');
  const contentType = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  if (deliveryStatus || (contentType?.value === 'multipart/report' && contentType.params?.['report-type'] === 'delivery-status')) {
    return result('bounce', 'Content-Type: multipart/report; report-type=delivery-status', deliveryStatus ? failedRecipientsOf(deliveryStatus.content.toString('utf8')) : []);
  }
  const from = mail.from?.value[0]?.address ?? '';
  if (SYSTEM_SENDERS.test(from)) return result('system', `From: ${from}`);
  const autoSubmitted = header('auto-submitted').toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return result('auto-reply', `Auto-Submitted: ${autoSubmitted}`);
  for (const name of ['x-autoreply', 'x-autorespond']) {
    if (mail.headers.has(name)) return result('auto-reply', `${canonical(name)}: ${header(name)}`);
  }
  const precedence = header('precedence').toLowerCase();
  if (precedence === 'list') return result('list', 'Precedence: list');
  if (precedence === 'bulk' || precedence === 'junk') return result('bulk', `Precedence: ${precedence}`);
  // Mailing-list software sets List-Id (RFC 2919) even where it leaves Precedence out.
  // The raw line: mailparser's parsed `list.id` puts a bare <id> under `name`.
  const listId = mail.headerLines.find((line) => line.key === 'list-id')?.line.replace(/^list-id:\s*/i, '').trim();
  if (listId) return result('list', `List-Id: ${listId}`);
  return { kind: 'personal', suppressReplies: false, reason: null, failedRecipients: [] };
}

/** The `Final-Recipient` of each per-recipient block whose `Action` is `failed` (RFC 3464). */
function failedRecipientsOf(report: string): string[] {
  const failed: string[] = [];
  for (const block of report.split(/\r?\n\s*\r?\n/)) {
    const fields = new Map<string, string>();
    for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
      const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (match) fields.set(match[1]!.toLowerCase(), match[2]!.trim());
    }
    if (fields.get('action')?.toLowerCase() !== 'failed') continue;
    const recipient = (fields.get('final-recipient') ?? fields.get('original-recipient') ?? '').replace(/^rfc822\s*;\s*/i, '').replace(/^<|>$/g, '').trim().toLowerCase();
    if (recipient.includes('@') && !failed.includes(recipient)) failed.push(recipient);
  }
  return failed;
}

function headerText(value: HeaderValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value.trim();
  if (Array.isArray(value)) return value.map((item) => headerText(item as HeaderValue)).join(', ');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && 'value' in value) return String((value as { value: unknown }).value ?? '').trim();
  if (typeof value === 'object' && 'text' in value) return String((value as { text: unknown }).text ?? '').trim();
  return String(value).trim();
}

function canonical(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
}
