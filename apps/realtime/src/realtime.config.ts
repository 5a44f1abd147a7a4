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
}
