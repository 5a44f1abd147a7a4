import { IsInt, Max, Min } from 'class-validator';
import { EnvInt, ServiceConfig } from '@helpdesk/common';

export class AiProxyConfig extends ServiceConfig {
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(65_535)
  AI_PROXY_PORT = 8084;
}
