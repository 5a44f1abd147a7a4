import { RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { EVENT_SUBJECT_PREFIX, EVENTS_STREAM } from '@helpdesk/contracts';

const NANOS_PER_MS = 1_000_000;
const DAY_MS = 24 * 60 * 60 * 1_000;
/** Republishing after a relay crash within this window is deduplicated by Nats-Msg-Id. */
export const DUPLICATE_WINDOW_MS = 5 * 60 * 1_000;

export interface EventsStreamSettings {
  replicas: number;
  retentionDays: number;
  /** Reserved for the stream in the JetStream store (the attachment bucket shares it). */
  maxBytes: number;
}

export function eventsStreamConfig({ replicas, retentionDays, maxBytes }: EventsStreamSettings): Partial<StreamConfig> & { name: string } {
  return {
    name: EVENTS_STREAM,
    subjects: [`${EVENT_SUBJECT_PREFIX}.>`],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    num_replicas: replicas,
    max_age: retentionDays * DAY_MS * NANOS_PER_MS,
    max_bytes: maxBytes,
    duplicate_window: DUPLICATE_WINDOW_MS * NANOS_PER_MS,
  };
}

/** Creates the events stream, or brings an existing one to the configured settings. */
export async function ensureEventsStream(manager: JetStreamManager, settings: EventsStreamSettings): Promise<void> {
  const config = eventsStreamConfig(settings);
  const existing = await manager.streams.info(EVENTS_STREAM).catch(() => undefined);
  if (existing) await manager.streams.update(EVENTS_STREAM, config);
  else await manager.streams.add(config);
}
