import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength, ValidateBy } from 'class-validator';
import { DIRECTORY_LIMITS } from '@helpdesk/contracts';
import { DatabaseServiceConfig, EnvBoolean, EnvInt, EnvList, Secret } from '@helpdesk/common';
import { allowListEntryProblem } from './webhooks/outbound/address-vetting.js';

/** 32 bytes in base64: 43 characters and one `=` (or the same without padding). */
const DATA_KEY_PATTERN = /^[A-Za-z0-9+/]{43}=?$/;

/** Every WEBHOOK_ALLOWED_HOSTS entry is a host name, an IP address or a CIDR; the message names the first that is not. */
const IsWebhookAllowList = () =>
  ValidateBy({
    name: 'isWebhookAllowList',
    validator: {
      validate: (entries: unknown) => Array.isArray(entries) && entries.every((entry) => typeof entry === 'string' && !allowListEntryProblem(entry)),
      defaultMessage: (args) => {
        const entries = Array.isArray(args?.value) ? (args.value as unknown[]) : [];
        const problem = entries.map((entry) => (typeof entry === 'string' ? allowListEntryProblem(entry) : `${String(entry)} is not text`)).find(Boolean);
        return `WEBHOOK_ALLOWED_HOSTS must be comma-separated host names, IP addresses or CIDRs: ${problem ?? 'not a list'}`;
      },
    },
  });

export class NotificationConfig extends DatabaseServiceConfig {
  @EnvInt()
  @Min(1)
  @Max(65_535)
  @IsInt()
  NOTIFICATION_PORT = 8082;

  /** SMTP server (names kept from the replaced platform). The local default is the sink `npm start` runs. */
  @MinLength(1)
  @IsString()
  EMAIL_HOST = '127.0.0.1';

  @EnvInt()
  @Min(1)
  @Max(65_535)
  @IsInt()
  EMAIL_PORT = 1025;

  @IsOptional()
  @IsString()
  EMAIL_HOST_USER?: string;

  @IsOptional()
  @Secret()
  @IsString()
  EMAIL_HOST_PASSWORD?: string;

  /** STARTTLS required (port 587), as the replaced platform's EMAIL_USE_TLS. */
  @EnvBoolean()
  @IsBoolean()
  EMAIL_USE_TLS = false;

  /** TLS from the first byte (port 465), as the replaced platform's EMAIL_USE_SSL. */
  @EnvBoolean()
  @IsBoolean()
  EMAIL_USE_SSL = false;

  /** `helpdesk@example.com` or `Example Support <helpdesk@example.com>`; its domain also names the Message-IDs. */
  @Matches(/^(?:[^<>]*<\s*)?[^\s@<>]+@[^\s@<>]+(?:\s*>)?$/, { message: 'DEFAULT_FROM_EMAIL must be an address, optionally as "Name <address>"' })
  DEFAULT_FROM_EMAIL = 'Helpdesk <helpdesk@localhost>';

  /** Where the web console lives: mails link to `APP_BASE_URL/tickets/<id>`. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  APP_BASE_URL = 'http://localhost:8080';

  /** First retry delay of a failed mail; each further retry doubles it, with jitter (tests shorten it). */
  @EnvInt()
  @Min(1)
  @Max(3_600_000)
  @IsInt()
  MAIL_RETRY_BASE_DELAY_MS = 30_000;

  /** Mails sent at the same time by one replica. */
  @EnvInt()
  @Min(1)
  @Max(100)
  @IsInt()
  MAIL_CONCURRENCY = 5;

  /**
   * How long a worker holds a mail job before another worker may take it over: after a crash, its
   * mails in hand are sent by another worker (or the restarted one) this much later. The lock is
   * renewed while the mail is being sent.
   */
  @EnvInt()
  @Min(1_000)
  @Max(600_000)
  @IsInt()
  MAIL_LOCK_DURATION_MS = 30_000;

  /**
   * Mails an organization may send per clock hour to addresses outside its staff (customers,
   * invitees); the rest wait for the next hour (DESIGN section 17).
   */
  @EnvInt()
  @Min(1)
  @IsInt()
  ORG_MAIL_PER_HOUR = 1_000;

  /** Who receives critical errors of every service (comma-separated); empty turns admin alerts off. */
  @EnvList()
  @ArrayMaxSize(50)
  @IsEmail({}, { each: true, message: 'ADMIN_EMAILS must be comma-separated email addresses' })
  @IsArray()
  ADMIN_EMAILS: string[] = [];

  /** The same critical error (same service, context and message, numbers and ids aside) is mailed at most once in this many minutes. */
  @EnvInt()
  @Min(1)
  @Max(10_080)
  @IsInt()
  ADMIN_ALERT_DEDUP_MINUTES = 15;

  /** At most this many admin alerts are mailed in an hour (counted from the first one), whatever their content. */
  @EnvInt()
  @Min(1)
  @Max(1_000)
  @IsInt()
  ADMIN_ALERTS_PER_HOUR = 20;

  /** How often to look again for the events stream while the ticket service has not created it yet. */
  @EnvInt()
  @Min(10)
  @Max(60_000)
  @IsInt()
  EVENTS_STREAM_RETRY_MS = 1_000;

  /**
   * The key IMAP passwords are encrypted with (AES-256-GCM): 32 random bytes, base64 (`openssl rand -base64 32`).
   * Each ciphertext names the key it was made with (its id: the first 8 hex digits of the key's SHA-256), so
   * keys can be rotated: make the new key current and move the old one to DATA_ENCRYPTION_OLD_KEYS.
   * Unset, mailboxes cannot store an IMAP password.
   */
  @IsOptional()
  @Secret()
  @Matches(DATA_KEY_PATTERN, { message: 'DATA_ENCRYPTION_KEY must be 32 bytes in base64 (openssl rand -base64 32)' })
  @IsString()
  DATA_ENCRYPTION_KEY?: string;

  /** Former DATA_ENCRYPTION_KEYs (comma-separated), still used to decrypt what they encrypted; new ciphertexts always use the current key. */
  @EnvList()
  @Secret()
  @ArrayMaxSize(20)
  @Matches(DATA_KEY_PATTERN, { each: true, message: 'DATA_ENCRYPTION_OLD_KEYS must be comma-separated 32-byte keys in base64' })
  @IsArray()
  DATA_ENCRYPTION_OLD_KEYS: string[] = [];

  /** The inbound SMTP listener (DESIGN section 13): mail for the mailbox addresses, handed over by an MX or relay. 0 turns it off. */
  @EnvInt()
  @Min(0)
  @Max(65_535)
  @IsInt()
  INBOUND_SMTP_PORT = 2525;

  /** The address the inbound SMTP listener binds: every interface in a container, 127.0.0.1 to keep it local. */
  @MinLength(1)
  @IsString()
  INBOUND_SMTP_HOST = '0.0.0.0';

  /** Largest inbound message the SMTP listener accepts (announced in EHLO; 552 beyond), as the HTTP way in. */
  @EnvInt()
  @Min(1_024)
  @Max(104_857_600)
  @IsInt()
  INBOUND_MAX_BYTES = 26_214_400;

  /** New tickets one sender may open by mail per organization within an hour (DESIGN section 13, loops and noise); replies are not counted. */
  @EnvInt()
  @Min(1)
  @Max(100_000)
  @IsInt()
  INBOUND_MAX_TICKETS_PER_SENDER_PER_HOUR = 20;

  /** Largest attachment of an inbound mail that is kept, as for uploads (the gateway's limit of the same name); a larger one is named on the ticket as refused. */
  @EnvInt()
  @Min(1)
  @Max(DIRECTORY_LIMITS.attachmentBytes)
  @IsInt()
  MAX_UPLOAD_BYTES = 10_485_760;

  /** The attachment bucket, shared with the gateway (same name and settings there): inbound mail's attachments are stored where uploads are. */
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'ATTACHMENTS_BUCKET must be 1-64 letters, digits, "_" or "-"' })
  @IsString()
  ATTACHMENTS_BUCKET = 'helpdesk-attachments';

  /** Copies of the object store buckets (attachments, inbound mail) kept by the NATS cluster: 1 for a single server, 3 on a cluster. Same value in the gateway and notification services. */
  @EnvInt()
  @Min(1)
  @Max(5)
  @IsInt()
  OBJECT_STORE_REPLICAS = 1;

  /** The attachment bucket's max_bytes, as the gateway sets it, whichever of the two creates the bucket first. */
  @EnvInt()
  @Min(1_048_576)
  @IsInt()
  ATTACHMENT_STORE_MAX_BYTES = 10_737_418_240;

  /** PEM certificate and key files (both or neither): with them the inbound SMTP listener offers STARTTLS. */
  @IsOptional()
  @IsString()
  INBOUND_SMTP_TLS_CERT_FILE?: string;

  @IsOptional()
  @IsString()
  INBOUND_SMTP_TLS_KEY_FILE?: string;

  /** How often an IMAP folder is read even when the server's IDLE announced nothing (and the interval without IDLE). */
  @EnvInt()
  @Min(5)
  @Max(3_600)
  @IsInt()
  IMAP_POLL_SECONDS = 60;

  /**
   * How often each replica looks for mailboxes whose IMAP reader runs nowhere (new, changed, or left by
   * a replica that died) and takes them over: one reader per mailbox across replicas (a lease row renewed every sync, lasting 3 syncs: a killed replica's mailboxes move within 4).
   */
  @EnvInt()
  @Min(1)
  @Max(600)
  @IsInt()
  MAILBOX_SYNC_SECONDS = 15;

  /** The connection check on saving IMAP settings (log in, open the folder) gives up after this long. */
  @EnvInt()
  @Min(500)
  @Max(60_000)
  @IsInt()
  MAILBOX_CHECK_TIMEOUT_MS = 10_000;

  /** A mailbox "keeps failing" (mailbox.failed, admins mailed once) after this many IMAP failures in a row... */
  @EnvInt()
  @Min(1)
  @Max(1_000)
  @IsInt()
  MAILBOX_FAILED_AFTER_FAILURES = 5;

  /** ...spread over at least this many minutes since the first of them (0: the count alone decides). */
  @EnvInt()
  @Min(0)
  @Max(10_080)
  @IsInt()
  MAILBOX_FAILED_AFTER_MINUTES = 10;

  /** Days a raw inbound message stays in the `inbound-mail` bucket (its record stays); 0 keeps them for ever. */
  @EnvInt()
  @Min(0)
  @Max(36_500)
  @IsInt()
  INBOUND_MAIL_RETENTION_DAYS = 90;

  /** Webhooks may also use plain http (DESIGN section 16); off, only https URLs are accepted. */
  @EnvBoolean()
  @IsBoolean()
  WEBHOOK_ALLOW_HTTP = false;

  /**
   * Host names, IP addresses and CIDRs (comma-separated) webhooks may reach although they are loopback,
   * private, link-local or otherwise refused: receivers on premises, tests. A listed name is trusted whatever it resolves to.
   */
  @EnvList()
  @ArrayMaxSize(100)
  @IsWebhookAllowList()
  @IsArray()
  WEBHOOK_ALLOWED_HOSTS: string[] = [];

  /** First retry delay of a failed webhook delivery; each further retry doubles it (capped by WEBHOOK_RETRY_MAX_DELAY_MS), with full jitter. */
  @EnvInt()
  @Min(1)
  @Max(3_600_000)
  @IsInt()
  WEBHOOK_RETRY_BASE_MS = 10_000;

  /** The longest wait between two attempts of one delivery. */
  @EnvInt()
  @Min(1)
  @Max(86_400_000)
  @IsInt()
  WEBHOOK_RETRY_MAX_DELAY_MS = 3_600_000;

  /** A delivery is retried this long after it was made, then given up (`dead`). */
  @EnvInt()
  @Min(1)
  @Max(604_800_000)
  @IsInt()
  WEBHOOK_RETRY_WINDOW_MS = 86_400_000;

  /** A webhook whose deliveries have all failed for this long is disabled and its organization's admins mailed. */
  @EnvInt()
  @Min(1)
  @Max(604_800_000)
  @IsInt()
  WEBHOOK_DISABLE_AFTER_MS = 86_400_000;

  /** Webhook deliveries one replica has in flight at once. */
  @EnvInt()
  @Min(1)
  @Max(1_000)
  @IsInt()
  WEBHOOK_CONCURRENCY = 100;

  /** How often an idle replica looks for due webhook deliveries (retries, other replicas' events). */
  @EnvInt()
  @Min(10)
  @Max(60_000)
  @IsInt()
  WEBHOOK_POLL_MS = 250;
}
