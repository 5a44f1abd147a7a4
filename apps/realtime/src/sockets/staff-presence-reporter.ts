import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { CommandClient } from '@helpdesk/common';
import { isStaff, subjects, type Principal, type ReportPresenceCommand } from '@helpdesk/contracts';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { RealtimeConfig } from '../realtime.config.js';

type PresentUser = { orgId: string; userId: string };

/**
 * Tells the ticket service which staff have a socket on this replica: at once when a user's first
 * socket opens or their last one closes, and every third of the TTL all of them (a heartbeat). The
 * ticket service keeps one row per user and replica that lapses after the TTL, so a replica that
 * dies without saying goodbye stops making its users "online" by itself (docs/workflow.md "Assignment").
 */
@Injectable()
export class StaffPresenceReporter implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(StaffPresenceReporter.name);
  /** Unique per process: a restarted replica's rows are not its predecessor's. */
  private readonly replicaId = `${hostname()}:${randomUUID()}`;
  private readonly socketsByUser = new Map<string, { user: PresentUser; sockets: Set<string> }>();
  private readonly userBySocket = new Map<string, string>();
  private heartbeat?: NodeJS.Timeout;

  constructor(
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(RealtimeConfig) private readonly config: RealtimeConfig,
  ) {}

  onModuleInit(): void {
    this.heartbeat = setInterval(() => void this.send({ connected: this.everyone(), disconnected: [], heartbeat: true }), Math.floor(this.config.REALTIME_PRESENCE_TTL_MS / 3));
    this.heartbeat.unref();
  }

  /** Their sockets end with this replica: the ticket service need not wait for the rows to lapse. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    const everyone = this.everyone();
    this.socketsByUser.clear();
    this.userBySocket.clear();
    if (everyone.length > 0) await this.send({ connected: [], disconnected: everyone });
  }

  connected(socketId: string, principal: Principal): void {
    if (!isStaff(principal.role)) return;
    let entry = this.socketsByUser.get(principal.userId);
    const first = !entry;
    if (!entry) this.socketsByUser.set(principal.userId, (entry = { user: { orgId: principal.orgId, userId: principal.userId }, sockets: new Set() }));
    entry.sockets.add(socketId);
    this.userBySocket.set(socketId, principal.userId);
    if (first) void this.send({ connected: [entry.user], disconnected: [] });
  }

  disconnected(socketId: string): void {
    const userId = this.userBySocket.get(socketId);
    if (!userId) return;
    this.userBySocket.delete(socketId);
    const entry = this.socketsByUser.get(userId);
    entry?.sockets.delete(socketId);
    if (!entry || entry.sockets.size > 0) return;
    this.socketsByUser.delete(userId);
    void this.send({ connected: [], disconnected: [entry.user] });
  }

  private everyone(): PresentUser[] {
    return [...this.socketsByUser.values()].map((entry) => entry.user);
  }

  /** Never throws: a lost report is repaired by the next heartbeat (or lapses). */
  private async send(report: Pick<ReportPresenceCommand, 'connected' | 'disconnected' | 'heartbeat'>): Promise<void> {
    const command: ReportPresenceCommand = { replicaId: this.replicaId, ttlMs: this.config.REALTIME_PRESENCE_TTL_MS, ...report };
    try {
      await this.commands.request(subjects.presence.report, command);
    } catch (error) {
      this.logger.warn(`Staff presence report failed (the next heartbeat repairs it): ${String(error)}`);
    }
  }
}
