import { IsInt, Max, Min } from 'class-validator';
import { DatabaseServiceConfig, EnvInt } from '@helpdesk/common';

export class TicketConfig extends DatabaseServiceConfig {
  @EnvInt()
  @Min(1)
  @Max(65_535)
  @IsInt()
  TICKET_PORT = 8081;
}
