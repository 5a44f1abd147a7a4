import { IsInt, Max, Min } from 'class-validator';
import { DatabaseServiceConfig, EnvInt } from '@helpdesk/common';

export class NotificationConfig extends DatabaseServiceConfig {
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(65_535)
  NOTIFICATION_PORT = 8082;
}
