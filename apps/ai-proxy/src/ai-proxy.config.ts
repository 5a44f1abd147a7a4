import { IsInt, Max, Min } from 'class-validator';
import { EnvInt, ServiceConfig } from '@helpdesk/common';

export class AiProxyConfig extends ServiceConfig {
  @EnvInt()
  @Min(1)
  @Max(65_535)
  @IsInt()
  AI_PROXY_PORT = 8084;
}
