import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ReportPresenceCommand } from '@helpdesk/contracts';
import { DataSource } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';
import { AssignmentService } from './assignment.service.js';

/**
 * What realtime reports of staff sockets (one row per user and realtime replica, each lapsing unless
 * refreshed): a user is present while any replica's row for them holds. Only active staff of the
 * organization named in the report are recorded, so a report cannot make another organization's user online.
 */
@Injectable()
export class StaffPresenceService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AssignmentService) private readonly assignment: AssignmentService,
  ) {}

  async report(command: ReportPresenceCommand): Promise<{ present: number }> {
    const expiresAt = new Date(Date.now() + command.ttlMs);
    const cameOnline = await this.dataSource.transaction(async (manager) => {
      const connectedIds = command.connected.map((user) => user.userId);
      // Those not present before this report: a pass of their teams may now give them tickets.
      const absent = (await manager.query(
        `SELECT person.id FROM ${TICKET_SCHEMA}.users person JOIN unnest($1::uuid[], $2::uuid[]) AS reported (org_id, user_id) ON person.id = reported.user_id AND person.organization_id = reported.org_id
          WHERE person.active AND person.role IN ('admin', 'agent')
            AND NOT EXISTS (SELECT 1 FROM ${TICKET_SCHEMA}.staff_presence presence WHERE presence.user_id = person.id AND presence.expires_at > now())`,
        [command.connected.map((user) => user.orgId), connectedIds],
      )) as Array<{ id: string }>;
      if (command.heartbeat) await manager.query(`DELETE FROM ${TICKET_SCHEMA}.staff_presence WHERE replica_id = $1 AND NOT (user_id = ANY($2::uuid[]))`, [command.replicaId, connectedIds]);
      if (command.disconnected.length > 0) {
        await manager.query(`DELETE FROM ${TICKET_SCHEMA}.staff_presence WHERE replica_id = $1 AND user_id = ANY($2::uuid[])`, [command.replicaId, command.disconnected.map((user) => user.userId)]);
      }
      if (command.connected.length > 0) {
        await manager.query(
          `INSERT INTO ${TICKET_SCHEMA}.staff_presence (user_id, replica_id, expires_at)
           SELECT person.id, $3, $4 FROM ${TICKET_SCHEMA}.users person JOIN unnest($1::uuid[], $2::uuid[]) AS reported (org_id, user_id) ON person.id = reported.user_id AND person.organization_id = reported.org_id
            WHERE person.active AND person.role IN ('admin', 'agent')
           ON CONFLICT (user_id, replica_id) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
          [command.connected.map((user) => user.orgId), connectedIds, command.replicaId, expiresAt],
        );
      }
      return absent.map((row) => row.id);
    });
    if (cameOnline.length > 0) void this.assignment.kickUsers(cameOnline);
    const [row] = (await this.dataSource.query(`SELECT count(DISTINCT user_id)::int AS present FROM ${TICKET_SCHEMA}.staff_presence WHERE replica_id = $1 AND expires_at > now()`, [command.replicaId])) as Array<{
      present: number;
    }>;
    return { present: row?.present ?? 0 };
  }
}
