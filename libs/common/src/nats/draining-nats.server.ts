import { ServerNats, type NatsOptions } from '@nestjs/microservices';
import type { Subscription } from '@nats-io/transport-node';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LifecycleService } from '../lifecycle/lifecycle.service.js';

type NatsServerOptions = NonNullable<NatsOptions['options']>;

/**
 * Nest's NATS server with a graceful stop that fits a queue group: stop taking new commands
 * (another replica gets them), let the commands in hand finish and reply, then close. Nest's own
 * `gracefulShutdown` only sleeps for a fixed period instead of waiting for the work.
 */
export class DrainingNatsServer extends ServerNats {
  private draining?: Promise<boolean>;

  constructor(
    options: NatsServerOptions,
    private readonly lifecycle: LifecycleService,
    private readonly drainTimeoutMs: number,
  ) {
    super({ ...options, gracefulShutdown: false });
  }

  /** Stops intake and waits for in-flight commands; true when they all finished in time. */
  drain(): Promise<boolean> {
    this.draining ??= (async () => {
      // Nest keeps the subscriptions private; draining them is the only way to stop intake and keep replying.
      const subscriptions = (this as unknown as { subscriptions: Subscription[] }).subscriptions;
      // Drained, not unsubscribed: a command the server routed here just before our UNSUB reached it is
      // still on the wire, and an unsubscribed subscription drops it (its caller then waits for its
      // timeout); a draining one handles what arrives until a flush confirms nothing more is coming.
      // Bounded: during a reconnection the flush could wait indefinitely.
      const drained = Promise.all(subscriptions.map((subscription) => subscription.drain().catch(() => undefined)));
      await Promise.race([drained, sleep(this.drainTimeoutMs, undefined, { ref: false })]);
      return this.lifecycle.idle(this.drainTimeoutMs);
    })();
    return this.draining;
  }

  override async close(): Promise<void> {
    await this.drain();
    await super.close();
  }
}
