import { type DynamicModule, Global, Module, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ClientNats } from '@nestjs/microservices';
import { REQUEST_ID_HEADER } from '@helpdesk/contracts';
import { ClsModule } from 'nestjs-cls';
import { randomUUID } from 'node:crypto';
import type { ExecutionContext } from '@nestjs/common';
import { ServiceConfig } from './config/service-config.js';
import { AllExceptionsFilter } from './errors/all-exceptions.filter.js';
import { LifecycleService } from './lifecycle/lifecycle.service.js';
import { MetricsService } from './metrics/metrics.service.js';
import { CommandClient, NATS_CLIENT } from './nats/command-client.js';
import { NatsConnections } from './nats/nats-connections.js';
import { natsConnectionOptions } from './nats/nats-options.js';
import { RpcTrackingInterceptor } from './nats/rpc-tracking.interceptor.js';
import { SERVICE_IDENTITY, type ServiceIdentity } from './service-identity.js';
import { createPingController } from './system/ping.controller.js';
import { acceptedRequestId } from './logging/request-id.js';

/**
 * What every service has: its validated config, request-id context for logs, metrics, the NATS
 * command client, the error envelope, in-flight tracking and the ping command.
 */

/** How every command and request body is validated; the gateway's public NATS commands use the same rules. */
export const COMMAND_VALIDATION = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true, transform: true } as const;

@Global()
@Module({})
export class CoreModule {
  static forRoot(identity: ServiceIdentity, config: ServiceConfig, lifecycle: LifecycleService): DynamicModule {
    const configClass = config.constructor as typeof ServiceConfig;
    const configProviders =
      configClass === ServiceConfig
        ? [{ provide: ServiceConfig, useValue: config }]
        : [
            { provide: ServiceConfig, useValue: config },
            { provide: configClass, useValue: config },
          ];
    return {
      module: CoreModule,
      imports: [
        ClsModule.forRoot({
          global: true,
          middleware: {
            mount: true,
            generateId: true,
            idGenerator: (request: { headers: Record<string, string | string[] | undefined> }) =>
              acceptedRequestId(request.headers[REQUEST_ID_HEADER]) ?? randomUUID(),
          },
          interceptor: {
            mount: true,
            generateId: true,
            idGenerator: (context: ExecutionContext) => {
              if (context.getType() !== 'rpc') return randomUUID();
              const headers = context.switchToRpc().getContext<{ getHeaders(): { get(key: string): string } | undefined }>().getHeaders();
              return acceptedRequestId(headers?.get(REQUEST_ID_HEADER)) ?? randomUUID();
            },
          },
        }),
      ],
      controllers: [createPingController(identity.service)],
      providers: [
        ...configProviders,
        { provide: SERVICE_IDENTITY, useValue: identity },
        { provide: LifecycleService, useValue: lifecycle },
        MetricsService,
        NatsConnections,
        {
          provide: NATS_CLIENT,
          useFactory: () => new ClientNats(natsConnectionOptions(config, identity.service, `${identity.service}-client-${identity.instanceId}`)),
        },
        CommandClient,
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        {
          // Every command and request body is validated against its DTO; unknown fields are refused, not dropped silently.
          provide: APP_PIPE,
          useValue: new ValidationPipe(COMMAND_VALIDATION),
        },
        { provide: APP_INTERCEPTOR, useClass: RpcTrackingInterceptor },
      ],
      exports: [ServiceConfig, ...(configClass === ServiceConfig ? [] : [configClass]), SERVICE_IDENTITY, LifecycleService, MetricsService, NatsConnections, CommandClient],
    };
  }
}
