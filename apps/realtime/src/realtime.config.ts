import { IsInt, IsString, Max, Min, MinLength } from 'class-validator';
import { EnvInt, Secret, ServiceConfig } from '@helpdesk/common';

export class RealtimeConfig extends ServiceConfig {
  @EnvInt()
  @Min(1)
  @Max(65_535)
  @IsInt()
  REALTIME_PORT = 8083;

  /** Verifies the access tokens presented in the Socket.IO handshake. */
  @Secret()
  @MinLength(16)
  @IsString()
  SECRET_KEY!: string;

  /** How often to look again for the events stream while the ticket service has not created it yet, or after the consumer failed. */
  @EnvInt()
  @Min(10)
  @Max(60_000)
  @IsInt()
  EVENTS_STREAM_RETRY_MS = 1_000;

  /** A connection whose client sends nothing for this long is closed. */
  @EnvInt()
  @Min(1_000)
  @Max(86_400_000)
  @IsInt()
  REALTIME_IDLE_TIMEOUT_MS = 1_800_000;

  /** Above this heap use new connections are refused; 0: 85% of the V8 heap limit (--max-old-space-size). */
  @EnvInt()
  @Min(0)
  @Max(1_048_576)
  @IsInt()
  REALTIME_MAX_HEAP_MB = 0;

  /** A viewer's presence lapses this long after its replica last refreshed it (a dead replica's viewers vanish after it). */
  @EnvInt()
  @Min(1_000)
  @Max(600_000)
  @IsInt()
  REALTIME_PRESENCE_TTL_MS = 30_000;

  /** "Typing" lapses this long after the client's last `ticket:typing`. */
  @EnvInt()
  @Min(500)
  @Max(60_000)
  @IsInt()
  REALTIME_TYPING_TTL_MS = 6_000;

  /** At most this many stream events may follow a client's last event for a replay; beyond it the client refetches. */
  @EnvInt()
  @Min(1)
  @Max(100_000)
  @IsInt()
  REALTIME_REPLAY_MAX_EVENTS = 1_000;

  /** Connections one user may have open at once, counted across every replica through Redis; the next handshake is refused with TOO_MANY_CONNECTIONS. */
  @EnvInt()
  @Min(1)
  @Max(100_000)
  @IsInt()
  REALTIME_MAX_CONNECTIONS_PER_USER = 10;

  /** Client messages (any event) one socket may send per REALTIME_MESSAGE_WINDOW_MS; more are answered RATE_LIMITED. */
  @EnvInt()
  @Min(1)
  @Max(100_000)
  @IsInt()
  REALTIME_MESSAGE_LIMIT = 30;

  @EnvInt()
  @Min(100)
  @Max(3_600_000)
  @IsInt()
  REALTIME_MESSAGE_WINDOW_MS = 10_000;

  /** A socket with more refused messages than this in one window is disconnected: its client ignores RATE_LIMITED. */
  @EnvInt()
  @Min(0)
  @Max(100_000)
  @IsInt()
  REALTIME_MESSAGE_REFUSALS_MAX = 30;

  /** One socket may start at most one `events:replay` per this interval (each scans the stream). */
  @EnvInt()
  @Min(1_000)
  @Max(600_000)
  @IsInt()
  REALTIME_REPLAY_COOLDOWN_MS = 10_000;
}
