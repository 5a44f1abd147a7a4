import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The trace context (W3C `traceparent`, and `tracestate` when there is one) of the transaction that
 * wrote an outbox row, so the relay publishes its event as part of that trace. Null when tracing is
 * off or the write was not traced.
 */
export class OutboxTraceContext1766930000000 implements MigrationInterface {
  name = 'OutboxTraceContext1766930000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE helpdesk.outbox ADD COLUMN trace_context jsonb`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE helpdesk.outbox DROP COLUMN trace_context`);
  }
}
