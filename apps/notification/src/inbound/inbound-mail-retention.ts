import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { NOTIFICATION_SCHEMA } from '../database/schema.js';
import { NotificationConfig } from '../notification.config.js';
import { InboundMailStore } from './inbound-mail-store.js';

const MESSAGES = `${NOTIFICATION_SCHEMA}.inbound_messages`;
/** The purge's advisory lock: one replica purges at a time. */
const PURGE_LOCK_KEY = 16_014;
const BATCH = 200;
/** Retention is counted in days: an hourly look is precise enough and costs nothing when nothing is due. */
const PURGE_INTERVAL_MS = 60 * 60 * 1_000;

/**
 * Deletes raw inbound messages older than INBOUND_MAIL_RETENTION_DAYS from the `inbound-mail`
 * bucket (DESIGN section 13). The record rows stay, with `raw_purged_at`: they still thread replies
 * and make a late copy of the message a duplicate.
 */
@Injectable()
export class InboundMailRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(InboundMailRetention.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    @Inject(NotificationConfig) private readonly config: NotificationConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(InboundMailStore) private readonly store: InboundMailStore,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.INBOUND_MAIL_RETENTION_DAYS === 0) return;
    this.timer = setInterval(() => void this.purgeExpired().catch((error: unknown) => this.logger.warn(`Inbound mail purge failed: ${String(error)}`)), PURGE_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Purges what is due, in batches; 0 when another replica is purging or retention is off. Returns how many raw messages went. */
  purgeExpired(): Promise<number> {
    this.running ??= this.purge().finally(() => (this.running = undefined));
    return this.running;
  }

  private async purge(): Promise<number> {
    const days = this.config.INBOUND_MAIL_RETENTION_DAYS;
    if (days === 0) return 0;
    let purged = 0;
    for (;;) {
      const batch = await this.dataSource.transaction(async (manager) => {
        const [{ leader }] = (await manager.query('SELECT pg_try_advisory_xact_lock($1) AS leader', [PURGE_LOCK_KEY])) as Array<{ leader: boolean }>;
        if (!leader) return -1;
        const due = (await manager.query(
          `SELECT id, object_key FROM ${MESSAGES} WHERE raw_purged_at IS NULL AND received_at < now() - make_interval(days => $1) ORDER BY received_at LIMIT $2`,
          [days, BATCH],
        )) as Array<{ id: string; object_key: string }>;
        // A raw copy already gone (a failed message's, discarded at once) is simply marked.
        for (const row of due) await this.store.delete(row.object_key);
        if (due.length > 0) await manager.query(`UPDATE ${MESSAGES} SET raw_purged_at = now() WHERE id = ANY($1::uuid[])`, [due.map((row) => row.id)]);
        return due.length;
      });
      if (batch <= 0) break;
      purged += batch;
      if (batch < BATCH) break;
    }
    if (purged > 0) this.logger.log({ message: `Purged ${purged} raw inbound message(s) older than ${days} days` });
    return purged;
  }
}
