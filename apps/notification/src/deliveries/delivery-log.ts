import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { GroupCommit } from '@helpdesk/common';
import { NOTIFICATION_SCHEMA } from '../database/schema.js';
import type { OutgoingMail } from '../mail/mail-transport.js';

const TABLE = `${NOTIFICATION_SCHEMA}.deliveries`;

export type DeliveryStatus = 'queued' | 'sent' | 'failed' | 'dead' | 'cancelled';

export interface NewDelivery {
  eventId: string;
  eventType: string;
  /** Null for admin alerts, which belong to no organization. */
  orgId: string | null;
  ticketId: string | null;
  template: string;
  message: OutgoingMail;
}

export interface Delivery {
  id: string;
  eventId: string;
  recipient: string;
  template: string;
  status: DeliveryStatus;
  attempts: number;
  message: OutgoingMail;
}

interface DeliveryRow {
  id: string;
  event_id: string;
  recipient: string;
  template: string;
  status: DeliveryStatus;
  attempts: number;
  message: OutgoingMail;
}

/** One entry of the `errors` history: the time, the attempt it ended and the error ($2). */
const ERROR_ENTRY = `jsonb_build_array(jsonb_build_object('at', now(), 'attempt', attempts, 'error', $2::text))`;

const keyOf = (eventId: string, recipient: string, template: string) => `${eventId} ${recipient} ${template}`;

/** A dead delivery as the admin pages read it; `dead_at_key` is `dead_at` as PostgreSQL's text, microseconds included, for an exact keyset cursor. */
export interface DeadDeliveryRow {
  id: string;
  event_id: string;
  event_type: string;
  ticket_id: string | null;
  recipient: string;
  template: string;
  attempts: number;
  last_error: string | null;
  errors: Array<{ at: string; attempt: number; error: string }>;
  message: OutgoingMail;
  created_at: Date;
  dead_at: Date;
  dead_at_key: string;
}

const DEAD_COLUMNS = 'id, event_id, event_type, ticket_id, recipient, template, attempts, last_error, errors, message, created_at, dead_at, dead_at::text AS dead_at_key';

const toDelivery = (row: DeliveryRow): Delivery => ({
  id: row.id,
  eventId: row.event_id,
  recipient: row.recipient,
  template: row.template,
  status: row.status,
  attempts: row.attempts,
  message: row.message,
});

/**
 * The delivery log in PostgreSQL, the source of truth for every mail: the queue only carries ids.
 * Status changes are conditional updates, so racing workers, retries and replays agree on one outcome.
 */
@Injectable()
export class DeliveryLog {
  // The writes made for every mail, merged across concurrent events and jobs: one statement per batch instead of one per mail.
  private readonly recordings = new GroupCommit((deliveries: NewDelivery[]) => this.recordMany(deliveries));
  private readonly claims = new GroupCommit((ids: string[]) => this.claimMany(ids));
  private readonly sendings = new GroupCommit((ids: string[]) => this.markManySent(ids));

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Records a planned mail once per (event, recipient, template); a second call returns the existing row. */
  record(delivery: NewDelivery): Promise<Delivery> {
    return this.recordings.submit(delivery);
  }

  /** Takes a delivery for one sending attempt; undefined when it was already sent (or given up), so it is never sent twice. */
  claim(id: string): Promise<Delivery | undefined> {
    return this.claims.submit(id);
  }

  markSent(id: string): Promise<void> {
    return this.sendings.submit(id);
  }

  private async recordMany(deliveries: NewDelivery[]): Promise<Delivery[]> {
    const column = <T>(value: (delivery: NewDelivery) => T) => deliveries.map(value);
    const eventIds = column((delivery) => delivery.eventId);
    const recipients = column((delivery) => delivery.message.to);
    const templates = column((delivery) => delivery.template);
    const inserted = (await this.dataSource.query(
      `INSERT INTO ${TABLE} (event_id, event_type, organization_id, ticket_id, recipient, template, message_id, message)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::jsonb[])
       ON CONFLICT ON CONSTRAINT deliveries_idempotency_key DO NOTHING
       RETURNING *`,
      [
        eventIds,
        column((delivery) => delivery.eventType),
        column((delivery) => delivery.orgId),
        column((delivery) => delivery.ticketId),
        recipients,
        templates,
        column((delivery) => delivery.message.messageId),
        column((delivery) => JSON.stringify(delivery.message)),
      ],
    )) as DeliveryRow[];
    const rows = new Map(inserted.map((row) => [keyOf(row.event_id, row.recipient, row.template), row]));
    // A redelivered or duplicated event: its mails were recorded before.
    if (inserted.length < deliveries.length) {
      const existing = (await this.dataSource.query(
        `SELECT * FROM ${TABLE} WHERE (event_id, recipient, template) IN (SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]))`,
        [eventIds, recipients, templates],
      )) as DeliveryRow[];
      for (const row of existing) rows.set(keyOf(row.event_id, row.recipient, row.template), row);
    }
    return deliveries.map((delivery) => toDelivery(rows.get(keyOf(delivery.eventId, delivery.message.to, delivery.template))!));
  }

  private async claimMany(ids: string[]): Promise<Array<Delivery | undefined>> {
    const [rows] = (await this.dataSource.query(
      `UPDATE ${TABLE} SET attempts = attempts + 1, updated_at = now() WHERE id = ANY($1::uuid[]) AND status IN ('queued', 'failed') RETURNING *`,
      [ids],
    )) as [DeliveryRow[], number];
    const claimed = new Map(rows.map((row) => [row.id, toDelivery(row)]));
    return ids.map((id) => claimed.get(id));
  }

  private async markManySent(ids: string[]): Promise<void[]> {
    await this.dataSource.query(`UPDATE ${TABLE} SET status = 'sent', sent_at = now(), last_error = NULL, updated_at = now() WHERE id = ANY($1::uuid[])`, [ids]);
    return ids.map(() => undefined);
  }

  /** Records a failed attempt; its error joins the delivery's history (shown to admins once it is dead). */
  async markFailed(id: string, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${TABLE} SET status = 'failed', last_error = $2, errors = errors || ${ERROR_ENTRY}, updated_at = now() WHERE id = $1 AND status <> 'sent'`,
      [id, error],
    );
  }

  /** Ends a delivery that must not be sent any more (its account link can no longer be issued). */
  async markCancelled(id: string, reason: string): Promise<void> {
    await this.dataSource.query(`UPDATE ${TABLE} SET status = 'cancelled', last_error = $2, updated_at = now() WHERE id = $1 AND status IN ('queued', 'failed')`, [id, reason]);
  }

  /** Gives up on a delivery; answers whether this call did it (so the alarm is raised once). */
  async markDead(id: string, error: string): Promise<Delivery | undefined> {
    const [rows] = (await this.dataSource.query(
      // The verdict joins the history unless it repeats the failed attempt's error (a permanent SMTP failure is both).
      `UPDATE ${TABLE} SET status = 'dead', last_error = $2, dead_at = now(), updated_at = now(),
         errors = CASE WHEN last_error IS NOT DISTINCT FROM $2 THEN errors ELSE errors || ${ERROR_ENTRY} END
       WHERE id = $1 AND status IN ('queued', 'failed') RETURNING *`,
      [id, error],
    )) as [DeliveryRow[], number];
    return rows[0] ? toDelivery(rows[0]) : undefined;
  }

  /** Puts dead deliveries (the given ones, or all; of one organization, or of all) back to 'queued' and returns them. */
  async reviveDead(ids: string[] | undefined, organizationId: string): Promise<Delivery[]> {
    const [rows] = (await this.dataSource.query(
      `UPDATE ${TABLE} SET status = 'queued', updated_at = now()
       WHERE status = 'dead' AND ($1::uuid[] IS NULL OR id = ANY($1::uuid[])) AND organization_id = $2::uuid
       RETURNING *`,
      [ids ?? null, organizationId],
    )) as [DeliveryRow[], number];
    return rows.map(toDelivery);
  }

  /** One page of an organization's dead deliveries, most recently given up first; `after` is the last row of the previous page. */
  async listDead(organizationId: string, limit: number, after?: { deadAt: string; id: string }): Promise<DeadDeliveryRow[]> {
    return (await this.dataSource.query(
      `SELECT ${DEAD_COLUMNS} FROM ${TABLE}
       WHERE organization_id = $1 AND status = 'dead' AND ($3::timestamptz IS NULL OR (dead_at, id) < ($3::timestamptz, $4::uuid))
       ORDER BY dead_at DESC, id DESC LIMIT $2`,
      [organizationId, limit, after?.deadAt ?? null, after?.id ?? null],
    )) as DeadDeliveryRow[];
  }

  /** A dead delivery of the organization, or undefined (another organization's, not dead, or unknown). */
  async findDead(organizationId: string, id: string): Promise<DeadDeliveryRow | undefined> {
    const [row] = (await this.dataSource.query(`SELECT ${DEAD_COLUMNS} FROM ${TABLE} WHERE id = $1 AND organization_id = $2 AND status = 'dead'`, [id, organizationId])) as DeadDeliveryRow[];
    return row;
  }
}
