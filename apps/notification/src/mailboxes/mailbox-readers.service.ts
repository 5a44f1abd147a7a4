import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { JetStreamConnection, MetricsService } from '@helpdesk/common';
import { eventSubject, type EventEnvelope } from '@helpdesk/contracts';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Counter, Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { NOTIFICATION_SCHEMA } from '../database/schema.js';
import { ImapMailboxReader, type ImapReaderStatus } from '../inbound/imap-mailbox-reader.js';
import { InboundIntake } from '../inbound/inbound-intake.js';
import { NotificationConfig } from '../notification.config.js';
import { Mailboxes, type MailboxRow } from './mailboxes.service.js';

const TABLE = `${NOTIFICATION_SCHEMA}.mailboxes`;
const LEASES = `${NOTIFICATION_SCHEMA}.mailbox_reader_leases`;
/** A lease lasts this many syncs: a replica that missed two renewals in a row stops reading one sync before anyone may take over. */
export const LEASE_SYNCS = 3;

/** What a `mailbox.failed` event carries: enough for an admin to act, never a password. */
export interface MailboxFailedData {
  mailboxId: string;
  address: string;
  lastError: string | null;
  consecutiveFailures: number;
  failingSince: string;
}

interface RunningReader {
  reader: ImapMailboxReader;
  /** The settings it was started with: a change restarts it. */
  version: string;
  /** Status writes of one mailbox in order. */
  writes: Promise<void>;
}

const settingsVersion = (row: MailboxRow) => JSON.stringify([row.address, row.imap_host, row.imap_port, row.imap_tls, row.imap_user, row.imap_password_encrypted, row.imap_folder]);

/**
 * Runs exactly one IMAP reader per mailbox across every replica (DESIGN section 13). A replica reads
 * a mailbox while it holds the mailbox's lease, a row in mailbox_reader_leases that every sync
 * (every MAILBOX_SYNC_SECONDS, and at once after a change made on this replica) renews for
 * LEASE_SYNCS syncs. A row rather than a session advisory lock, so that it works through a pooler
 * in transaction mode (PgBouncer), where no session outlives a transaction. A replica that stops
 * hands its leases back; one that dies leaves them to expire, and another replica takes its
 * mailboxes over at its first sync after that. A replica that cannot renew for two syncs in a row
 * (the database unreachable) stops its readers, a sync before its leases can be taken.
 *
 * A mailbox that keeps failing (MAILBOX_FAILED_AFTER_FAILURES in a row over at least
 * MAILBOX_FAILED_AFTER_MINUTES) publishes `mailbox.failed` once per incident; a successful read
 * closes the incident. Readiness never depends on a mailbox: its failures are the customer's
 * mail server's, not this service's.
 */
@Injectable()
export class MailboxReaders implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MailboxReaders.name);
  private readonly readers = new Map<string, RunningReader>();
  /** This replica's name in the leases: host and process, for an operator reading the table. */
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  /** Stops every reader when no renewal succeeded for too long. */
  private leaseGuard?: NodeJS.Timeout;
  private syncing?: Promise<void>;
  private syncAgain = false;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly pollFailures: Counter;

  constructor(
    @Inject(NotificationConfig) private readonly config: NotificationConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(Mailboxes) private readonly mailboxes: Mailboxes,
    @Inject(InboundIntake) private readonly intake: InboundIntake,
    @Inject(JetStreamConnection) private readonly jetStream: JetStreamConnection,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    this.pollFailures = new Counter({ name: 'helpdesk_mailbox_poll_failures_total', help: 'IMAP polls that failed on this replica', registers: [metrics.registry] });
    // Read from the table at scrape time: whichever replica reads a mailbox, every replica reports the same count.
    const failing: Gauge = new Gauge({
      name: 'helpdesk_mailboxes_failing',
      help: 'Mailboxes announced as failing (mailbox.failed) and not read successfully since',
      registers: [metrics.registry],
      collect: async () => {
        const [row] = (await this.dataSource.query(`SELECT count(*)::int AS failing FROM ${TABLE} WHERE failure_announced_at IS NOT NULL`)) as Array<{ failing: number }>;
        failing.set(row?.failing ?? 0);
      },
    });
  }

  onApplicationBootstrap(): void {
    this.mailboxes.onChange(() => void this.sync());
    this.timer = setInterval(() => void this.sync(), this.config.MAILBOX_SYNC_SECONDS * 1_000);
    void this.sync();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.leaseGuard);
    await this.syncing;
    await this.stopAll();
    // Handed back rather than left to expire: another replica takes them over at its next sync.
    await this.dataSource.query(`DELETE FROM ${LEASES} WHERE holder = $1`, [this.holder]).catch(() => undefined);
  }

  /** The mailboxes this replica reads now. */
  get reading(): string[] {
    return [...this.readers.keys()];
  }

  /** Starts, restarts and stops readers to match the stored mailboxes; calls while one runs are folded into one more run. */
  sync(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      do {
        this.syncAgain = false;
        if (this.stopped) return;
        await this.syncOnce().catch((error: unknown) => this.logger.warn(`Mailbox readers not synchronized: ${error instanceof Error ? error.message : String(error)}`));
      } while (this.syncAgain);
    })().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private get leaseSeconds(): number {
    return LEASE_SYNCS * this.config.MAILBOX_SYNC_SECONDS;
  }

  private async syncOnce(): Promise<void> {
    await this.renewLeases();
    const rows = (await this.dataSource.query(`SELECT * FROM ${TABLE} WHERE imap_host IS NOT NULL`)) as MailboxRow[];
    const wanted = new Map(rows.map((row) => [row.id, row]));
    for (const [id, running] of this.readers) {
      const row = wanted.get(id);
      if (row && settingsVersion(row) === running.version) continue;
      await this.stopReader(id, running);
      await this.releaseLease(id);
    }
    const free = rows.filter((row) => !this.readers.has(row.id)).map((row) => row.id);
    if (free.length === 0 || this.stopped) return;
    // Taken only where no lease is current (or it is already this replica's): one statement, so two replicas never both win.
    const taken = (await this.dataSource.query(
      `INSERT INTO ${LEASES} (mailbox_id, holder, expires_at)
       SELECT id, $2, now() + make_interval(secs => $3) FROM ${TABLE} WHERE id = ANY($1::uuid[])
       ON CONFLICT (mailbox_id) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
       WHERE ${LEASES}.expires_at < now() OR ${LEASES}.holder = EXCLUDED.holder
       RETURNING mailbox_id`,
      [free, this.holder, this.leaseSeconds],
    )) as Array<{ mailbox_id: string }>;
    for (const { mailbox_id: id } of taken) {
      const row = wanted.get(id)!;
      if (this.stopped) break;
      try {
        this.startReader(row);
      } catch (error) {
        // A password no configured key opens (DATA_ENCRYPTION_KEY rotated away): this mailbox waits for a new password, the others run.
        await this.releaseLease(id);
        await this.dataSource.query(`UPDATE ${TABLE} SET last_error = $2 WHERE id = $1`, [row.id, `The IMAP reader cannot start: ${error instanceof Error ? error.message : String(error)}`]);
      }
    }
  }

  /** Extends this replica's leases; a reader whose lease is gone (expired and taken by another replica) stops here. */
  private async renewLeases(): Promise<void> {
    const sentAt = Date.now();
    const renewed = (await this.dataSource.query(`UPDATE ${LEASES} SET expires_at = now() + make_interval(secs => $2) WHERE holder = $1 RETURNING mailbox_id`, [
      this.holder,
      this.leaseSeconds,
    ])) as [Array<{ mailbox_id: string }>, number];
    const held = new Set(renewed[0].map((row) => row.mailbox_id));
    clearTimeout(this.leaseGuard);
    // Counted from before the renewal was sent, so it ends before the lease the database extended.
    this.leaseGuard = setTimeout(() => this.leasesLost(), Math.max(0, sentAt + (this.leaseSeconds - this.config.MAILBOX_SYNC_SECONDS) * 1_000 - Date.now()));
    this.leaseGuard.unref();
    for (const [id, running] of this.readers) {
      if (held.has(id)) continue;
      this.logger.warn({ message: 'Mailbox lease lost: another replica reads this mailbox now', mailboxId: id });
      await this.stopReader(id, running);
    }
  }

  private leasesLost(): void {
    if (this.stopped || this.readers.size === 0) return;
    this.logger.warn('Mailbox leases not renewed for two syncs: IMAP readers stop here until the leases are taken again');
    void this.stopAll();
  }

  private async releaseLease(id: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM ${LEASES} WHERE mailbox_id = $1 AND holder = $2`, [id, this.holder]);
  }

  private startReader(row: MailboxRow): void {
    const mailbox = { id: row.id, organizationId: row.organization_id, address: row.address };
    const running: RunningReader = {
      version: settingsVersion(row),
      writes: Promise.resolve(),
      reader: new ImapMailboxReader(
        { host: row.imap_host!, port: row.imap_port!, tls: row.imap_tls!, user: row.imap_user!, password: this.mailboxes.encryption.decrypt(row.imap_password_encrypted!), folder: row.imap_folder! },
        async (message) => void (await this.intake.receive(mailbox, message.source)),
        {
          pollSeconds: this.config.IMAP_POLL_SECONDS,
          connectionTimeoutMs: this.config.MAILBOX_CHECK_TIMEOUT_MS,
          onStatus: (status) => {
            running.writes = running.writes.then(() => this.recordStatus(row.id, status)).catch((error: unknown) => this.logger.warn({ message: `Mailbox status not recorded: ${String(error)}`, mailboxId: row.id }));
          },
          onError: (error) => this.logger.warn({ message: `IMAP: ${error.message}`, mailboxId: row.id, orgId: row.organization_id }),
        },
      ),
    };
    this.readers.set(row.id, running);
    running.reader.start();
    this.logger.log({ message: 'IMAP reader started', mailboxId: row.id, orgId: row.organization_id });
  }

  private async stopReader(id: string, running: RunningReader): Promise<void> {
    this.readers.delete(id);
    await running.reader.stop();
    await running.writes;
  }

  private async stopAll(): Promise<void> {
    await Promise.all([...this.readers].map(([id, running]) => this.stopReader(id, running)));
  }

  private async recordStatus(mailboxId: string, status: ImapReaderStatus): Promise<void> {
    if (status.consecutiveFailures === 0) {
      const [rows] = (await this.dataSource.query(
        `UPDATE ${TABLE} SET last_poll_at = $2, last_error = NULL, consecutive_failures = 0, failing_since = NULL, failure_announced_at = NULL
         WHERE id = $1 RETURNING (SELECT failure_announced_at FROM ${TABLE} WHERE id = $1) AS was_announced`,
        [mailboxId, status.lastPollAt],
      )) as [Array<{ was_announced: Date | null }>, number];
      if (rows[0]?.was_announced) this.logger.log({ message: 'Mailbox recovered', mailboxId });
      return;
    }
    this.pollFailures.inc();
    await this.dataSource.query(`UPDATE ${TABLE} SET last_error = $2, consecutive_failures = $3, failing_since = COALESCE(failing_since, now()) WHERE id = $1`, [
      mailboxId,
      status.lastError,
      status.consecutiveFailures,
    ]);
    // Once per incident, whichever replica gets there: the conditional update is the one that wins.
    const [announced] = (await this.dataSource.query(
      `UPDATE ${TABLE} SET failure_announced_at = now()
       WHERE id = $1 AND failure_announced_at IS NULL AND consecutive_failures >= $2 AND failing_since <= now() - make_interval(mins => $3)
       RETURNING *`,
      [mailboxId, this.config.MAILBOX_FAILED_AFTER_FAILURES, this.config.MAILBOX_FAILED_AFTER_MINUTES],
    )) as [Array<MailboxRow & { failing_since: Date }>, number];
    const row = announced[0];
    if (row) await this.announceFailure(row);
  }

  private async announceFailure(row: MailboxRow & { failing_since: Date }): Promise<void> {
    const event: EventEnvelope<MailboxFailedData> = {
      id: uuidv7(),
      type: 'mailbox.failed',
      version: 1,
      occurredAt: new Date().toISOString(),
      orgId: row.organization_id,
      aggregateId: row.id,
      actor: { system: 'mailboxes' },
      data: { mailboxId: row.id, address: row.address, lastError: row.last_error, consecutiveFailures: row.consecutive_failures, failingSince: row.failing_since.toISOString() },
    };
    try {
      await (await this.jetStream.client()).publish(eventSubject('mailbox.failed'), JSON.stringify(event), { msgID: event.id });
    } catch (error) {
      // Not announced after all: the next failure tries again.
      await this.dataSource.query(`UPDATE ${TABLE} SET failure_announced_at = NULL WHERE id = $1`, [row.id]);
      throw error;
    }
    this.logger.warn({ message: `Mailbox keeps failing: ${row.last_error ?? 'unknown error'}`, mailboxId: row.id, orgId: row.organization_id, eventId: event.id });
  }
}
