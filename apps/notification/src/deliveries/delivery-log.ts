import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
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
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Records a planned mail once per (event, recipient, template); a second call returns the existing row. */
  async record(delivery: NewDelivery): Promise<Delivery> {
    const { message } = delivery;
    const inserted = (await this.dataSource.query(
      `INSERT INTO ${TABLE} (event_id, event_type, organization_id, ticket_id, recipient, template, message_id, message)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT ON CONSTRAINT deliveries_idempotency_key DO NOTHING
       RETURNING *`,
      [delivery.eventId, delivery.eventType, delivery.orgId, delivery.ticketId, message.to, delivery.template, message.messageId, message],
    )) as DeliveryRow[];
    if (inserted[0]) return toDelivery(inserted[0]);
    const [existing] = (await this.dataSource.query(`SELECT * FROM ${TABLE} WHERE event_id = $1 AND recipient = $2 AND template = $3`, [
      delivery.eventId,
      message.to,
      delivery.template,
    ])) as DeliveryRow[];
    return toDelivery(existing!);
  }

  /** Takes a delivery for one sending attempt; undefined when it was already sent (or given up), so it is never sent twice. */
  async claim(id: string): Promise<Delivery | undefined> {
    const [rows] = (await this.dataSource.query(
      `UPDATE ${TABLE} SET attempts = attempts + 1, updated_at = now() WHERE id = $1 AND status IN ('queued', 'failed') RETURNING *`,
      [id],
    )) as [DeliveryRow[], number];
    return rows[0] ? toDelivery(rows[0]) : undefined;
  }

  async markSent(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE ${TABLE} SET status = 'sent', sent_at = now(), last_error = NULL, updated_at = now() WHERE id = $1`, [id]);
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.dataSource.query(`UPDATE ${TABLE} SET status = 'failed', last_error = $2, updated_at = now() WHERE id = $1 AND status <> 'sent'`, [id, error]);
  }

  /** Ends a delivery that must not be sent any more (its account link can no longer be issued). */
  async markCancelled(id: string, reason: string): Promise<void> {
    await this.dataSource.query(`UPDATE ${TABLE} SET status = 'cancelled', last_error = $2, updated_at = now() WHERE id = $1 AND status IN ('queued', 'failed')`, [id, reason]);
  }

  /** Gives up on a delivery; answers whether this call did it (so the alarm is raised once). */
  async markDead(id: string, error: string): Promise<Delivery | undefined> {
    const [rows] = (await this.dataSource.query(
      `UPDATE ${TABLE} SET status = 'dead', last_error = $2, updated_at = now() WHERE id = $1 AND status IN ('queued', 'failed') RETURNING *`,
      [id, error],
    )) as [DeliveryRow[], number];
    return rows[0] ? toDelivery(rows[0]) : undefined;
  }

  /** Puts dead deliveries (the given ones, or all; of one organization, or of all) back to 'queued' and returns them. */
  async reviveDead(ids: string[] | undefined, organizationId: string | undefined): Promise<Delivery[]> {
    const [rows] = (await this.dataSource.query(
      `UPDATE ${TABLE} SET status = 'queued', updated_at = now()
       WHERE status = 'dead' AND ($1::uuid[] IS NULL OR id = ANY($1::uuid[])) AND ($2::uuid IS NULL OR organization_id = $2::uuid)
       RETURNING *`,
      [ids ?? null, organizationId ?? null],
    )) as [DeliveryRow[], number];
    return rows.map(toDelivery);
  }
}
