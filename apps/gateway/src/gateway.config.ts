import { ArrayMaxSize, IsArray, IsInt, IsString, Max, Min, MinLength } from 'class-validator';
import { EnvInt, EnvList, Secret, ServiceConfig } from '@helpdesk/common';

export class GatewayConfig extends ServiceConfig {
  @EnvInt()
  @Min(1)
  @Max(65_535)
  @IsInt()
  GATEWAY_PORT = 8080;

  /** Signs access tokens. */
  @Secret()
  @MinLength(16)
  @IsString()
  SECRET_KEY!: string;

  /** Host names the public API answers to; enforced on the Host header in production. */
  @EnvList()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  ALLOWED_HOSTS: string[] = [];
}
