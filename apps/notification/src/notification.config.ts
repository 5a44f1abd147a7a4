import { IsInt, Max, Min } from 'class-validator';
import { DatabaseServiceConfig, EnvInt } from '@helpdesk/common';

export class NotificationConfig extends DatabaseServiceConfig {
  @EnvInt()
  @Min(1)
  @Max(65_535)
  @IsInt()
  NOTIFICATION_PORT = 8082;
}
