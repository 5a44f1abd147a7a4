import { IsInt, Max, Min } from 'class-validator';
import { DatabaseServiceConfig, EnvInt } from '@helpdesk/common';

export class TicketConfig extends DatabaseServiceConfig {
  @EnvInt()
  @Min(1)
  @Max(65_535)
  @IsInt()
  TICKET_PORT = 8081;

  /** Copies of the HELPDESK_EVENTS stream kept by the NATS cluster (1 for a single server, 3 in production). */
  @EnvInt()
  @Min(1)
  @Max(5)
  @IsInt()
  EVENTS_STREAM_REPLICAS = 1;

  /** How long events stay in the stream, for consumers that catch up and clients that replay. */
  @EnvInt()
  @Min(1)
  @Max(365)
  @IsInt()
  EVENTS_RETENTION_DAYS = 14;

  /**
   * JetStream storage reserved for the HELPDESK_EVENTS stream (its max_bytes; the oldest events go
   * first past it), so that the attachment bucket beside it can never leave it without room.
   */
  @EnvInt()
  @Min(1_048_576)
  @IsInt()
  EVENTS_STREAM_MAX_BYTES = 1_073_741_824;

  /** Attachment bytes an organization may store, in MB (MiB); past it an upload is refused with QUOTA_EXCEEDED (429). */
  @EnvInt()
  @Min(1)
  @IsInt()
  ORG_ATTACHMENT_QUOTA_MB = 10_240;

  /** Events published per relay transaction. */
  @EnvInt()
  @Min(1)
  @Max(1_000)
  @IsInt()
  OUTBOX_BATCH_SIZE = 100;

  /** How often the relay looks for events written by other replicas (its own commits wake it at once). */
  @EnvInt()
  @Min(10)
  @Max(60_000)
  @IsInt()
  OUTBOX_POLL_INTERVAL_MS = 500;

  /** Published outbox rows are deleted this long after their event was recorded: JetStream keeps the events for consumers. */
  @EnvInt()
  @Min(1)
  @Max(8_760)
  @IsInt()
  OUTBOX_RETENTION_HOURS = 168;

  /** After publishing has failed this long without a break, the relay logs one critical line (an admin alert). */
  @EnvInt()
  @Min(1)
  @Max(86_400)
  @IsInt()
  OUTBOX_STUCK_ALERT_SECONDS = 300;

  /** How often the automation scheduler runs (one replica at a time, through a PostgreSQL advisory lock). */
  @EnvInt()
  @Min(1)
  @Max(3_600)
  @IsInt()
  AUTOMATION_INTERVAL_SECONDS = 60;

  /** Tickets one automation acts on per pass at most; the rest are taken on the next pass. */
  @EnvInt()
  @Min(1)
  @Max(10_000)
  @IsInt()
  AUTOMATION_BATCH_SIZE = 500;

  /** A login session (refresh token family) ends this many days after the login, however often it was renewed. */
  @EnvInt()
  @Min(1)
  @Max(365)
  @IsInt()
  SESSION_MAX_DAYS = 30;

  /** Refreshes per hour of one session; refresh is not counted per IP, so many sessions behind one NAT are fine. */
  @EnvInt()
  @Min(1)
  @IsInt()
  RATE_LIMIT_REFRESH_PER_SESSION_PER_HOUR = 60;
}
