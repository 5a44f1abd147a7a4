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
}
