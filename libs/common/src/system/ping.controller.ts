import { Controller, Inject, type Type } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { subjects, type PingReply, type ServiceName } from '@helpdesk/contracts';
import { SERVICE_IDENTITY, type ServiceIdentity } from '../service-identity.js';

/** Each service answers its own versioned ping subject; the subject is fixed per service at start-up. */
export function createPingController(service: ServiceName): Type<unknown> {
  @Controller()
  class PingController {
    constructor(@Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity) {}

    @MessagePattern(subjects.ping(service))
    ping(): PingReply {
      return { ...this.identity, uptimeSeconds: Math.round(process.uptime()) };
    }
  }
  return PingController;
}
