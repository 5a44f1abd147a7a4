import { IsInt, Max, Min } from 'class-validator';
import { DatabaseServiceConfig, EnvInt } from '@helpdesk/common';

export class TicketConfig extends DatabaseServiceConfig {
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(65_535)
  TICKET_PORT = 8081;
}
