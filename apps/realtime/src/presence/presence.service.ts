import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { REDIS_CLIENT } from '@helpdesk/common';
import { isStaff, type Principal } from '@helpdesk/contracts';
import type { ChainableCommander, Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { RealtimeConfig } from '../realtime.config.js';
import type { PresenceSnapshot, TypingEntry, ViewerEntry } from './presence-view.js';

/** How long shutdown waits for this replica's viewers to be removed. */
const SHUTDOWN_WAIT_MS = 2_000;

/** What this replica holds for one socket viewing one ticket: the Redis members it must refresh and remove. */
interface LocalView {
  viewerMember: string;
  typing?: { member: string; lapse: NodeJS.Timeout };
}

interface LocalSocket {
  principal: Principal;
  views: Map<string, LocalView>;
}

export type PresenceListener = (ticketId: string, snapshot: PresenceSnapshot) => void;

/**
 * Presence across replicas. Each viewer and typist is a member of a Redis sorted set per ticket,
 * scored by the time it lapses: the replica holding the socket refreshes its viewers every third of
 * the TTL, so a dead replica's viewers lapse by themselves. Every change is announced on a Redis
 * channel with the ticket id; each replica with viewers of that ticket then reads the sets again
 * and hands the snapshot to the listener (the gateway), which emits it to its own sockets.
 */
@Injectable()
export class PresenceService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(PresenceService.name);
  private readonly sockets = new Map<string, LocalSocket>();
  /** Local sockets viewing each ticket. */
  private readonly viewersByTicket = new Map<string, Set<string>>();
  /** Tickets whose snapshot is being read; `again` asks for one more read after it, so the last change is never missed. */
  private readonly refreshes = new Map<string, { again: boolean }>();
  private readonly prefix: string;
  private readonly changesChannel: string;
  private subscriber?: Redis;
  private heartbeat?: NodeJS.Timeout;
  private listener: PresenceListener = () => undefined;
  private closing = false;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(RealtimeConfig) private readonly config: RealtimeConfig,
  ) {
    this.prefix = `${config.QUEUE_PREFIX}:realtime:presence`;
    this.changesChannel = `${this.prefix}:changed`;
  }

  onModuleInit(): void {
    this.subscriber = this.redis.duplicate({ connectionName: 'helpdesk-presence' });
    this.subscriber.on('message', (_channel: string, ticketId: string) => this.refresh(ticketId));
    // Not awaited: the service boots while Redis is down, and ioredis subscribes again after reconnecting.
    this.subscriber.subscribe(this.changesChannel).catch((error: unknown) => {
      // A replica stopped before it finished subscribing has nothing to report.
      if (!this.closing) this.logger.error(`Presence channel unavailable: ${String(error)}`);
    });
    this.heartbeat = setInterval(() => void this.beat(), Math.floor(this.config.REALTIME_PRESENCE_TTL_MS / 3));
    this.heartbeat.unref();
  }

  /** Removes this replica's viewers at once, so the others need not wait for them to lapse. */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    const removed = Promise.all([...this.sockets.keys()].map((socketId) => this.removeSocket(socketId)));
    // Bounded: with Redis unreachable the viewers lapse by themselves, the grace period is better spent elsewhere.
    await Promise.race([removed, sleep(SHUTDOWN_WAIT_MS, undefined, { ref: false })]);
    // A subscriber has nothing in flight worth flushing.
    this.subscriber?.disconnect();
  }

  onChange(listener: PresenceListener): void {
    this.listener = listener;
  }

  async view(socketId: string, principal: Principal, ticketId: string): Promise<void> {
    if (this.closing) return;
    const socket = this.sockets.get(socketId) ?? { principal, views: new Map<string, LocalView>() };
    this.sockets.set(socketId, socket);
    const entry: ViewerEntry = { userId: principal.userId, role: principal.role, socketId };
    const view = socket.views.get(ticketId) ?? { viewerMember: JSON.stringify(entry) };
    socket.views.set(ticketId, view);
    let viewers = this.viewersByTicket.get(ticketId);
    if (!viewers) this.viewersByTicket.set(ticketId, (viewers = new Set()));
    viewers.add(socketId);
    // Announced even when already viewing: the joining socket gets the current presence either way.
    await this.write(ticketId, (batch) => this.addMember(batch, this.key(ticketId, 'viewers'), view.viewerMember, this.config.REALTIME_PRESENCE_TTL_MS));
  }

  async leave(socketId: string, ticketId: string): Promise<void> {
    const socket = this.sockets.get(socketId);
    const view = socket?.views.get(ticketId);
    if (!socket || !view) return;
    this.forget(socketId, socket, ticketId, view);
    await this.write(ticketId, (batch) => this.removeMembers(batch, ticketId, view));
  }

  /** Returns false when the socket is not viewing the ticket (it must join it first). */
  async typing(socketId: string, ticketId: string, typing: boolean, internal: boolean): Promise<boolean> {
    const socket = this.sockets.get(socketId);
    const view = socket?.views.get(ticketId);
    if (!socket || !view) return false;
    const previous = view.typing;
    clearTimeout(previous?.lapse);
    view.typing = undefined;
    const typingKey = this.key(ticketId, 'typing');
    if (!typing) {
      if (previous) await this.write(ticketId, (batch) => batch.zrem(typingKey, previous.member));
      return true;
    }
    const { userId, role } = socket.principal;
    // Customers cannot write internal notes, so their typing is always public.
    const entry: TypingEntry = { userId, role, socketId, internal: isStaff(role) && internal };
    const member = JSON.stringify(entry);
    // A local timer announces the lapse; should this replica die, the others' sweep notices it.
    const lapse = setTimeout(() => void this.lapseTyping(socketId, ticketId, member), this.config.REALTIME_TYPING_TTL_MS + 50);
    lapse.unref();
    view.typing = { member, lapse };
    if (previous?.member === member) {
      // Still typing: only the deadline moves, nobody needs telling.
      const batch = this.redis.multi();
      this.addMember(batch, typingKey, member, this.config.REALTIME_TYPING_TTL_MS);
      await batch.exec().catch((error: unknown) => this.warn(error));
      return true;
    }
    await this.write(ticketId, (batch) => {
      if (previous) batch.zrem(typingKey, previous.member);
      this.addMember(batch, typingKey, member, this.config.REALTIME_TYPING_TTL_MS);
    });
    return true;
  }

  async disconnect(socketId: string): Promise<void> {
    if (this.sockets.has(socketId)) await this.removeSocket(socketId);
  }

  /** The ticket's current viewers and typists on every replica. */
  async snapshot(ticketId: string): Promise<PresenceSnapshot> {
    const now = Date.now();
    const results = await this.redis.multi().zrangebyscore(this.key(ticketId, 'viewers'), now, '+inf').zrangebyscore(this.key(ticketId, 'typing'), now, '+inf').exec();
    const members = (index: number) => (results?.[index]?.[1] as string[] | undefined) ?? [];
    return { viewers: members(0).map((member) => JSON.parse(member) as ViewerEntry), typing: members(1).map((member) => JSON.parse(member) as TypingEntry) };
  }

  private async removeSocket(socketId: string): Promise<void> {
    const socket = this.sockets.get(socketId);
    if (!socket) return;
    const views = [...socket.views];
    for (const [ticketId, view] of views) this.forget(socketId, socket, ticketId, view);
    this.sockets.delete(socketId);
    await Promise.all(views.map(([ticketId, view]) => this.write(ticketId, (batch) => this.removeMembers(batch, ticketId, view))));
  }

  private forget(socketId: string, socket: LocalSocket, ticketId: string, view: LocalView): void {
    clearTimeout(view.typing?.lapse);
    socket.views.delete(ticketId);
    if (socket.views.size === 0) this.sockets.delete(socketId);
    const viewers = this.viewersByTicket.get(ticketId);
    viewers?.delete(socketId);
    if (viewers?.size === 0) this.viewersByTicket.delete(ticketId);
  }

  private async lapseTyping(socketId: string, ticketId: string, member: string): Promise<void> {
    const view = this.sockets.get(socketId)?.views.get(ticketId);
    if (view?.typing?.member === member) view.typing = undefined;
    await this.write(ticketId, (batch) => batch.zrem(this.key(ticketId, 'typing'), member));
  }

  /**
   * Refreshes this replica's viewers, and drops every lapsed entry (a dead replica's) of the tickets
   * it has viewers of; announces each ticket where something was added back or dropped.
   */
  private async beat(): Promise<void> {
    const tickets = [...this.viewersByTicket.keys()];
    if (tickets.length === 0 || this.closing) return;
    const now = Date.now();
    const batch = this.redis.multi();
    const localViewers = tickets.map((ticketId) => [...(this.viewersByTicket.get(ticketId) ?? [])]);
    tickets.forEach((ticketId, position) => {
      const viewersKey = this.key(ticketId, 'viewers');
      for (const socketId of localViewers[position]!) {
        this.addMember(batch, viewersKey, this.sockets.get(socketId)!.views.get(ticketId)!.viewerMember, this.config.REALTIME_PRESENCE_TTL_MS);
      }
      batch.zremrangebyscore(viewersKey, '-inf', now).zremrangebyscore(this.key(ticketId, 'typing'), '-inf', now);
    });
    try {
      const counts = ((await batch.exec()) ?? []).map(([, result]) => Number(result));
      // Per ticket: zadd and pexpire for each local viewer, then the two sweeps; a zadd counts members added back.
      let index = 0;
      for (const [position, ticketId] of tickets.entries()) {
        let changed = false;
        for (let viewer = 0; viewer < localViewers[position]!.length; viewer += 1, index += 2) changed ||= counts[index]! > 0;
        changed ||= counts[index]! > 0 || counts[index + 1]! > 0;
        index += 2;
        if (changed) await this.redis.publish(this.changesChannel, ticketId);
      }
    } catch (error) {
      this.warn(error);
    }
  }

  /** Runs one batch of writes on the ticket's sets, then announces the change to every replica. */
  private async write(ticketId: string, commands: (batch: ChainableCommander) => void): Promise<void> {
    const batch = this.redis.multi();
    commands(batch);
    batch.publish(this.changesChannel, ticketId);
    await batch.exec().catch((error: unknown) => this.warn(error));
  }

  private addMember(batch: ChainableCommander, key: string, member: string, ttlMs: number): void {
    // The key outlives its members a little, so a ticket nobody views leaves nothing behind.
    batch.zadd(key, Date.now() + ttlMs, member).pexpire(key, ttlMs * 2);
  }

  private removeMembers(batch: ChainableCommander, ticketId: string, view: LocalView): void {
    batch.zrem(this.key(ticketId, 'viewers'), view.viewerMember);
    if (view.typing) batch.zrem(this.key(ticketId, 'typing'), view.typing.member);
  }

  private refresh(ticketId: string): void {
    if (!this.viewersByTicket.has(ticketId)) return;
    const running = this.refreshes.get(ticketId);
    if (running) {
      running.again = true;
      return;
    }
    const state = { again: true };
    this.refreshes.set(ticketId, state);
    void (async () => {
      while (state.again && !this.closing) {
        state.again = false;
        this.listener(ticketId, await this.snapshot(ticketId));
      }
    })()
      .catch((error: unknown) => this.warn(error))
      .finally(() => this.refreshes.delete(ticketId));
  }

  private key(ticketId: string, set: 'viewers' | 'typing'): string {
    return `${this.prefix}:${ticketId}:${set}`;
  }

  /** Presence is advisory: a Redis failure is logged and the socket keeps working. */
  private warn(error: unknown): void {
    this.logger.warn(`Presence not updated: ${error instanceof Error ? error.message : String(error)}`);
  }
}
