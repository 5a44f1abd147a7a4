import { Inject, Injectable, Logger } from '@nestjs/common';
import { JetStreamConnection } from '@helpdesk/common';
import { EVENT_SUBJECT_PREFIX, EVENTS_STREAM, type EventEnvelope } from '@helpdesk/contracts';
import { routeEvent, type EventRoute } from '../events/event-routing.js';
import { RealtimeConfig } from '../realtime.config.js';
import { eventIdTime } from './event-id-time.js';

/**
 * An event is stored after its id was generated (the outbox publishes after the commit), so the
 * scan starts this long before the id's time, for clocks that disagree between hosts.
 */
const CLOCK_SKEW_MS = 5_000;
const FETCH_TIMEOUT_MS = 10_000;

export type ReplayResult = { events: Array<{ event: EventEnvelope; route: EventRoute }> } | { refetch: 'UNKNOWN_EVENT' | 'GAP_TOO_LARGE' };

/**
 * Reads from the events stream what followed the last event a client saw. Stream order is push
 * order, so "after" means after it in the stream. The stream is not indexed by event id: the scan
 * starts from the id's time (a UUIDv7) with a throwaway ordered consumer, and is bounded by
 * REALTIME_REPLAY_MAX_EVENTS events before the client's (clock skew, outbox delay) and after it,
 * counting every organization's events, so one request costs at most twice that.
 */
@Injectable()
export class EventReplay {
  private readonly logger = new Logger(EventReplay.name);

  constructor(
    @Inject(JetStreamConnection) private readonly jetStream: JetStreamConnection,
    @Inject(RealtimeConfig) private readonly config: RealtimeConfig,
  ) {}

  /**
   * The routed events after `lastEventId` (a UUIDv7) that `wanted` accepts, in stream order, read at
   * least through stream sequence `through` (what this replica already pushed live). In a NATS
   * cluster this throwaway consumer may sit on a stream replica that lags the one feeding the live
   * push, so its count of pending messages can miss an event the client's rooms were sent before it
   * joined them: the scan goes on until it has seen `through`, or answers UNAVAILABLE.
   */
  async since(lastEventId: string, wanted: (route: EventRoute) => boolean, through = 0): Promise<ReplayResult> {
    const issuedAt = eventIdTime(lastEventId);
    if (issuedAt === undefined) throw new Error('lastEventId must be a UUIDv7');
    const max = this.config.REALTIME_REPLAY_MAX_EVENTS;
    const client = await this.jetStream.client();
    const consumer = await client.consumers.get(EVENTS_STREAM, {
      filter_subjects: `${EVENT_SUBJECT_PREFIX}.>`,
      opt_start_time: new Date(issuedAt - CLOCK_SKEW_MS).toISOString(),
    });
    try {
      const pending = (await consumer.info(true)).num_pending;
      const cap = 2 * max + 1;
      let budget = Math.min(pending, cap);
      if (budget === 0) return { refetch: 'UNKNOWN_EVENT' };
      const events: Array<{ event: EventEnvelope; route: EventRoute }> = [];
      let found = false;
      let scanned = 0;
      let lastSequence = 0;
      while (scanned < budget) {
        const before = scanned;
        for await (const message of await consumer.fetch({ max_messages: budget - scanned, expires: FETCH_TIMEOUT_MS })) {
          scanned += 1;
          lastSequence = message.seq;
          let event: EventEnvelope | undefined;
          try {
            event = message.json<EventEnvelope>();
          } catch {
            this.logger.error(`Unreadable event at stream sequence ${message.seq}: not replayed`);
          }
          if (event && found) {
            const route = routeEvent(event);
            if (route && wanted(route)) events.push({ event, route });
          } else if (event?.id === lastEventId) {
            found = true;
            if (pending - scanned > max) return { refetch: 'GAP_TOO_LARGE' };
          }
          if (scanned === budget) break;
        }
        if (scanned === before) break;
        // Counted short of what was already pushed live: read on to it (within the cap).
        if (scanned === budget && lastSequence < through) budget = Math.min(cap, budget + (through - lastSequence));
      }
      if (!found) return { refetch: pending > budget ? 'GAP_TOO_LARGE' : 'UNKNOWN_EVENT' };
      if (lastSequence < through) {
        if (scanned >= cap) return { refetch: 'GAP_TOO_LARGE' };
        throw new Error(`the replay read to stream sequence ${lastSequence}, short of ${through} already pushed live`);
      }
      return { events };
    } finally {
      // Ephemeral and in memory: should the delete fail, the server drops it after its inactivity threshold.
      await consumer.delete().catch(() => false);
    }
  }
}
