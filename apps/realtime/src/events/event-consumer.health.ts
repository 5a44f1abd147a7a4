import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { HealthIndicator } from '@helpdesk/common';
import { EventFanout } from './event-fanout.service.js';

/** Ready only while this replica's events consumer is attached: otherwise its clients would miss every event. */
@Injectable()
export class EventConsumerHealthIndicator implements HealthIndicator {
  constructor(
    @Inject(HealthIndicatorService) private readonly health: HealthIndicatorService,
    @Inject(EventFanout) private readonly fanout: EventFanout,
  ) {}

  async check() {
    const session = this.health.check('events');
    const { attached, problem, nextSequence } = this.fanout.state;
    return attached ? session.up({ nextSequence }) : session.down({ message: problem });
  }
}
