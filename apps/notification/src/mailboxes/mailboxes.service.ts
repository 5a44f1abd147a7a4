import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CommandClient, CommandError, decodeCursor, encodeCursor, normalizeEmail } from '@helpdesk/common';
import {
  MAILBOX_LIMITS,
  PAGE_SIZE,
  subjects,
  type CreateMailboxCommand,
  type ImapSettingsChangesDto,
  type ListMailboxesCommand,
  type MailboxView,
  type MailboxWithTokenView,
  type MeReply,
  type Page,
  type Principal,
  type OwnsAddressCommand,
  type UpdateMailboxCommand,
  type InboundReceipt,
} from '@helpdesk/contracts';
import { LRUCache } from 'lru-cache';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { QueryFailedError, type DataSource } from 'typeorm';
import { NOTIFICATION_SCHEMA } from '../database/schema.js';
import { NotificationConfig } from '../notification.config.js';
import { checkImapConnection, type ImapSettings } from '../inbound/imap-mailbox-reader.js';
import { splitReplyAddress } from '../inbound/reply-token.js';
import { DataEncryption, DataEncryptionError } from './data-encryption.js';

const TABLE = `${NOTIFICATION_SCHEMA}.mailboxes`;
const DEFAULT_FOLDER = 'INBOX';

/** The SET list of the mailbox's counters for one message's outcome (also run inside the pipeline's record transaction). */
export function outcomeCounts(outcome: InboundReceipt['outcome'] | 'failed'): string {
  // Bounces and capped mail count as received only: they make no ticket, comment or failure.
  const column = { ticket_created: 'tickets_created', comment_added: 'comments_added', duplicate: 'duplicates', failed: 'failures', bounce_recorded: undefined, rate_limited: undefined }[outcome];
  return `messages_received = messages_received + 1${column ? `, ${column} = ${column} + 1` : ''}`;
}

export interface MailboxRow {
  id: string;
  organization_id: string;
  address: string;
  imap_host: string | null;
  imap_port: number | null;
  imap_tls: boolean | null;
  imap_user: string | null;
  imap_password_encrypted: string | null;
  imap_folder: string | null;
  inbound_token_hash: string;
  created_at: Date;
  updated_at: Date;
  last_poll_at: Date | null;
  last_error: string | null;
  consecutive_failures: number;
  failure_announced_at: Date | null;
  /** bigint columns: node-postgres answers them as strings. */
  messages_received: string;
  tickets_created: string;
  comments_added: string;
  duplicates: string;
  failures: string;
}

/** What the pipeline needs of a mailbox whose token was accepted. */
export interface InboundMailbox {
  id: string;
  organizationId: string;
  address: string;
}

function toInboundMailbox(row: Pick<MailboxRow, 'id' | 'organization_id' | 'address'>): InboundMailbox {
  return { id: row.id, organizationId: row.organization_id, address: row.address };
}

/** Octets before the @ of an address. */
const localPartBytes = (address: string) => Buffer.byteLength(address.slice(0, Math.max(0, address.lastIndexOf('@'))));

/** `replyAddress`: the organization's reply mailbox now (replyMailbox), to mark the one in use. */
function toView(row: MailboxRow, replyAddress: string | null): MailboxView {
  return {
    id: row.id,
    address: row.address,
    replyTo: { tokenFits: localPartBytes(row.address) <= MAILBOX_LIMITS.replyAddressLocalPart, used: row.address === replyAddress },
    imap: row.imap_host ? { host: row.imap_host, port: row.imap_port!, tls: row.imap_tls!, user: row.imap_user!, folder: row.imap_folder! } : null,
    status: {
      lastPollAt: row.last_poll_at?.toISOString() ?? null,
      lastError: row.last_error,
      consecutiveFailures: row.consecutive_failures,
      failing: row.failure_announced_at !== null,
      counts: {
        received: Number(row.messages_received),
        ticketsCreated: Number(row.tickets_created),
        commentsAdded: Number(row.comments_added),
        duplicates: Number(row.duplicates),
        failures: Number(row.failures),
      },
    },
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** 32 random bytes: guessing is hopeless, so a plain SHA-256 is enough to store it (no slow hash needed). */
function newInboundToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const ADDRESS_TAKEN = 'This address already belongs to a mailbox';

function isAddressTaken(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === '23505' && driverError.constraint === 'mailboxes_address_key';
}

/**
 * The organization's mailboxes (DESIGN section 13), for its admins only; another organization's
 * mailbox is "not found". The IMAP password is stored encrypted with DATA_ENCRYPTION_KEY and the
 * inbound token as a hash: neither is ever answered (the token once, when made).
 */
@Injectable()
export class Mailboxes {
  readonly encryption: DataEncryption;
  /**
   * Each organization's reply mailbox, asked for by every outgoing ticket mail: held a minute, so a
   * burst of mails costs no query each (this replica forgets an organization at once when its mailboxes change).
   */
  private readonly replyMailboxes = new LRUCache<string, { address: string | null }>({ max: 10_000, ttl: 60_000 });
  /**
   * The mailbox of each address mail arrived for, asked for at every SMTP recipient: held ten seconds,
   * so a burst of mail to one desk costs no query each. Only found mailboxes are held (mail to an
   * address made a moment ago is not refused); one deleted on another replica may still take mail
   * for those seconds, which then fails with its records (a 4xx: the sender tries again later).
   */
  private readonly mailboxesByAddress = new LRUCache<string, InboundMailbox>({ max: 10_000, ttl: 10_000 });
  /** Told when a mailbox was made, changed or deleted on this replica (the IMAP readers react at once; other replicas at their next sync). */
  private readonly changeListeners = new Set<() => void>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(NotificationConfig) private readonly config: NotificationConfig,
  ) {
    this.encryption = new DataEncryption(config.DATA_ENCRYPTION_KEY, config.DATA_ENCRYPTION_OLD_KEYS);
  }

  async create(command: CreateMailboxCommand): Promise<MailboxWithTokenView> {
    const principal = await this.verifyAdmin(command.principal);
    const { token, hash } = newInboundToken();
    const imap = command.imap;
    if (imap) await this.verifyConnection({ ...imap, folder: imap.folder ?? DEFAULT_FOLDER });
    const password = imap ? this.encryptPassword(imap.password) : null;
    const rows = await this.writeAddress(
      () =>
        this.dataSource.query(
          `INSERT INTO ${TABLE} (organization_id, address, imap_host, imap_port, imap_tls, imap_user, imap_password_encrypted, imap_folder, inbound_token_hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
          [principal.orgId, normalizeEmail(command.address), imap?.host ?? null, imap?.port ?? null, imap?.tls ?? null, imap?.user ?? null, password, imap ? (imap.folder ?? DEFAULT_FOLDER) : null, hash],
        ) as Promise<MailboxRow[]>,
    );
    this.changed(principal.orgId);
    return { ...toView(rows[0]!, await this.replyMailbox(principal.orgId)), inboundToken: token };
  }

  async list(command: ListMailboxesCommand): Promise<Page<MailboxView>> {
    const principal = await this.verifyAdmin(command.principal);
    const limit = command.limit ?? PAGE_SIZE.default;
    const after = command.cursor ? decodeCursor(command.cursor, 'timestamp') : null;
    const rows = (await this.dataSource.query(
      `SELECT *, created_at::text AS sort_value FROM ${TABLE} WHERE organization_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) > ($2::timestamptz, $3::uuid))
       ORDER BY created_at, id LIMIT $4`,
      [principal.orgId, after?.value ?? null, after?.id ?? null, limit + 1],
    )) as Array<MailboxRow & { sort_value: string }>;
    const page = rows.slice(0, limit);
    const replyAddress = await this.replyMailbox(principal.orgId);
    return { items: page.map((row) => toView(row, replyAddress)), nextCursor: rows.length > limit ? encodeCursor({ value: page.at(-1)!.sort_value, id: page.at(-1)!.id }) : null };
  }

  async get(principal: Principal, mailboxId: string): Promise<MailboxView> {
    const verified = await this.verifyAdmin(principal);
    return toView(await this.find(verified.orgId, mailboxId), await this.replyMailbox(verified.orgId));
  }

  async update(command: UpdateMailboxCommand): Promise<MailboxView> {
    const principal = await this.verifyAdmin(command.principal);
    const current = await this.find(principal.orgId, command.mailboxId);
    const { address, imap } = command.changes;
    const settings = imap === undefined ? undefined : imap === null ? null : this.imapColumns(imap, current);
    if (imap && settings) await this.verifyConnection({ ...imap, folder: settings.folder, password: imap.password ?? this.storedPassword(settings.passwordEncrypted) });
    const rows = await this.writeAddress(
      () =>
        this.dataSource.query(
          `UPDATE ${TABLE} SET address = COALESCE($3, address),
             imap_host = CASE WHEN $4 THEN $5 ELSE imap_host END, imap_port = CASE WHEN $4 THEN $6::integer ELSE imap_port END,
             imap_tls = CASE WHEN $4 THEN $7::boolean ELSE imap_tls END, imap_user = CASE WHEN $4 THEN $8 ELSE imap_user END,
             imap_password_encrypted = CASE WHEN $4 THEN $9 ELSE imap_password_encrypted END, imap_folder = CASE WHEN $4 THEN $10 ELSE imap_folder END,
             updated_at = now()
           WHERE id = $1 AND organization_id = $2 RETURNING *`,
          [
            current.id,
            principal.orgId,
            address === undefined ? null : normalizeEmail(address),
            settings !== undefined,
            settings?.host ?? null,
            settings?.port ?? null,
            settings?.tls ?? null,
            settings?.user ?? null,
            settings?.passwordEncrypted ?? null,
            settings?.folder ?? null,
          ],
        ) as Promise<[MailboxRow[], number]>,
    );
    const [updated] = rows[0];
    if (!updated) throw new CommandError('NOT_FOUND', 'Mailbox not found');
    this.changed(principal.orgId);
    return toView(updated, await this.replyMailbox(principal.orgId));
  }

  async delete(principal: Principal, mailboxId: string): Promise<{ deleted: true }> {
    const verified = await this.verifyAdmin(principal);
    const [, count] = (await this.dataSource.query(`DELETE FROM ${TABLE} WHERE id = $1 AND organization_id = $2`, [mailboxId, verified.orgId])) as [unknown, number];
    if (count === 0) throw new CommandError('NOT_FOUND', 'Mailbox not found');
    this.changed(verified.orgId);
    return { deleted: true };
  }

  /** A new inbound token; the previous one stops working at once. */
  async rotateToken(principal: Principal, mailboxId: string): Promise<MailboxWithTokenView> {
    const verified = await this.verifyAdmin(principal);
    const { token, hash } = newInboundToken();
    const [rows] = (await this.dataSource.query(`UPDATE ${TABLE} SET inbound_token_hash = $3, updated_at = now() WHERE id = $1 AND organization_id = $2 RETURNING *`, [
      mailboxId,
      verified.orgId,
      hash,
    ])) as [MailboxRow[], number];
    if (!rows[0]) throw new CommandError('NOT_FOUND', 'Mailbox not found');
    return { ...toView(rows[0], await this.replyMailbox(verified.orgId)), inboundToken: token };
  }

  /**
   * The mailbox, when `token` is its inbound token (compared in constant time, on the hashes);
   * UNAUTHORIZED for an unknown mailbox or a wrong token alike, so neither can be probed.
   */
  async authorizeInbound(mailboxId: string, token: string): Promise<InboundMailbox> {
    const [row] = (await this.dataSource.query(`SELECT id, organization_id, address, inbound_token_hash FROM ${TABLE} WHERE id = $1`, [mailboxId])) as MailboxRow[];
    const expected = Buffer.from(row?.inbound_token_hash ?? hashToken(randomBytes(32).toString('base64url')), 'hex');
    const given = Buffer.from(hashToken(token), 'hex');
    if (!timingSafeEqual(expected, given) || !row) throw new CommandError('UNAUTHORIZED', 'Unknown mailbox or wrong inbound token');
    return toInboundMailbox(row);
  }

  /** The mailbox that receives mail for an address (the plus part of a reply address ignored), for the SMTP way in. */
  async findByAddress(address: string): Promise<InboundMailbox | null> {
    const { mailboxAddress } = splitReplyAddress(address);
    const cached = this.mailboxesByAddress.get(mailboxAddress);
    if (cached) return cached;
    const [row] = (await this.dataSource.query(`SELECT id, organization_id, address FROM ${TABLE} WHERE lower(address) = $1`, [mailboxAddress])) as MailboxRow[];
    if (!row) return null;
    const mailbox = toInboundMailbox(row);
    this.mailboxesByAddress.set(mailboxAddress, mailbox);
    return mailbox;
  }

  /**
   * The address replies to the organization's ticket mails go to (plus a reply token): its oldest
   * mailbox whose local part leaves room for the token (MAILBOX_LIMITS.replyAddressLocalPart), so the
   * choice stays put while mailboxes come and go; null when it has none that fits.
   */
  async replyMailbox(orgId: string): Promise<string | null> {
    const cached = this.replyMailboxes.get(orgId);
    if (cached) return cached.address;
    const [row] = (await this.dataSource.query(
      `SELECT address FROM ${TABLE} WHERE organization_id = $1 AND octet_length(regexp_replace(address, '@[^@]*$', '')) <= $2 ORDER BY created_at, id LIMIT 1`,
      [orgId, MAILBOX_LIMITS.replyAddressLocalPart],
    )) as MailboxRow[];
    const address = row?.address ?? null;
    this.replyMailboxes.set(orgId, { address });
    return address;
  }

  /** Every mailbox address of the organization (lower case): mail Cc'd to them is the desk's own, never a participant's. */
  async addressesOf(orgId: string): Promise<string[]> {
    const rows = (await this.dataSource.query(`SELECT lower(address) AS address FROM ${TABLE} WHERE organization_id = $1`, [orgId])) as Array<{ address: string }>;
    return rows.map((row) => row.address);
  }

  /**
   * Whether an address is the desk's own: one of the organization's mailboxes (with or without a
   * plus part) or the service's sender address. Staff may not copy those on a ticket, as inbound
   * Cc never does: the desk would mail its own replies to itself (a loop). The principal comes from
   * the gateway's staff-only route; only its organization is read.
   */
  async ownsAddress(command: OwnsAddressCommand): Promise<{ own: boolean }> {
    const address = normalizeEmail(command.email);
    const sender = normalizeEmail(/<([^<>]+)>\s*$/.exec(this.config.DEFAULT_FROM_EMAIL)?.[1] ?? this.config.DEFAULT_FROM_EMAIL);
    if (address === sender) return { own: true };
    const ours = new Set(await this.addressesOf(command.principal.orgId));
    return { own: ours.has(address) || ours.has(splitReplyAddress(address).mailboxAddress) };
  }

  /** The stored IMAP password in clear, for the IMAP poller (never answered to anyone). */
  async imapPassword(mailboxId: string): Promise<string | null> {
    const [row] = (await this.dataSource.query(`SELECT imap_password_encrypted FROM ${TABLE} WHERE id = $1`, [mailboxId])) as MailboxRow[];
    return row?.imap_password_encrypted ? this.encryption.decrypt(row.imap_password_encrypted) : null;
  }

  onChange(listener: () => void): void {
    this.changeListeners.add(listener);
  }

  /** Counts what one message became, whichever way it came in. */
  async countOutcome(mailboxId: string, outcome: InboundReceipt['outcome'] | 'failed'): Promise<void> {
    await this.dataSource.query(`UPDATE ${TABLE} SET ${outcomeCounts(outcome)} WHERE id = $1`, [mailboxId]);
  }

  private changed(orgId: string): void {
    this.replyMailboxes.delete(orgId);
    // Addresses are held by address, not organization: a change on this replica drops them all (rare, and refilled at once).
    this.mailboxesByAddress.clear();
    for (const listener of this.changeListeners) listener();
  }

  /** The stored password, to check changed settings that keep it; one no configured key opens must be given again. */
  private storedPassword(ciphertext: string): string {
    try {
      return this.encryption.decrypt(ciphertext);
    } catch (error) {
      if (!(error instanceof DataEncryptionError)) throw error;
      throw new CommandError('VALIDATION', `imap.password is required: the stored one cannot be decrypted (${error.message})`, [`imap.password is required: the stored one cannot be decrypted (${error.message})`]);
    }
  }

  /** Nothing is saved when the settings cannot read the mailbox: the admin hears why at once, not from a failing reader later. */
  private async verifyConnection(settings: ImapSettings): Promise<void> {
    const problem = await checkImapConnection(settings, this.config.MAILBOX_CHECK_TIMEOUT_MS);
    if (problem) throw new CommandError('VALIDATION', `imap: ${problem}`, [`imap: ${problem}`]);
  }

  private imapColumns(imap: ImapSettingsChangesDto, current: MailboxRow) {
    let passwordEncrypted: string;
    if (imap.password !== undefined) passwordEncrypted = this.encryptPassword(imap.password);
    else if (current.imap_password_encrypted) passwordEncrypted = current.imap_password_encrypted;
    else throw new CommandError('VALIDATION', 'imap.password is required when the mailbox has no IMAP settings yet');
    return { host: imap.host, port: imap.port, tls: imap.tls, user: imap.user, folder: imap.folder ?? current.imap_folder ?? DEFAULT_FOLDER, passwordEncrypted };
  }

  private encryptPassword(password: string): string {
    if (!this.encryption.canEncrypt) throw new CommandError('VALIDATION', 'IMAP passwords cannot be stored: the notification service has no DATA_ENCRYPTION_KEY');
    return this.encryption.encrypt(password);
  }

  private async writeAddress<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isAddressTaken(error)) throw new CommandError('CONFLICT', ADDRESS_TAKEN);
      throw error;
    }
  }

  private async find(orgId: string, mailboxId: string): Promise<MailboxRow> {
    const [row] = (await this.dataSource.query(`SELECT * FROM ${TABLE} WHERE id = $1 AND organization_id = $2`, [mailboxId, orgId])) as MailboxRow[];
    if (!row) throw new CommandError('NOT_FOUND', 'Mailbox not found');
    return row;
  }

  /** The token's role may be up to 15 minutes old: the account must still be an active admin now (auth.me refuses a deactivated one). */
  private async verifyAdmin(principal: Principal): Promise<Principal> {
    if (principal.role !== 'admin') throw new CommandError('FORBIDDEN', 'Only admins may manage mailboxes');
    const me = await this.commands.request<MeReply>(subjects.auth.me, { principal });
    if (me.user.role !== 'admin') throw new CommandError('FORBIDDEN', 'Only admins may manage mailboxes');
    return principal;
  }
}
