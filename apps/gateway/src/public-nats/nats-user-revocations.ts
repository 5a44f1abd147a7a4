import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandClient, PublicNatsAuthority } from '@helpdesk/common';
import { subjects, type EventEnvelope, type PendingNatsUserRevocation } from '@helpdesk/contracts';
import { setTimeout as sleep } from 'node:timers/promises';

/** Between attempts of the revocations pending at start, while the ticket service or the public server is out of reach. */
const START_RETRY_MS = 30_000;

/** Events after which integrations may have been revoked with their creator (the ticket service revokes them in the same transaction). */
export const isAccessChange = (event: EventEnvelope): boolean => event.type === 'user.deactivated' || event.type === 'user.role_changed';

/**
 * Completes revocations on the public server: the ticket service marks integrations revoked (by
 * DELETE, or with a creator deactivated or no longer an admin) and this revokes their NATS users, so
 * they stop receiving events and are disconnected. Runs before the public event fan-out republishes a
 * user.deactivated or user.role_changed event (its durable consumer hands the event back while the
 * public server is out of reach, whichever replica was up), and once at start for anything left over.
 */
@Injectable()
export class NatsUserRevocations implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(NatsUserRevocations.name);
  private readonly stopping = new AbortController();
  private atStart?: Promise<void>;

  constructor(
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(PublicNatsAuthority) private readonly authority: PublicNatsAuthority | null,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.authority) return;
    this.atStart = this.completeAtStart();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.atStart;
  }

  /**
   * Revokes on the public server every revoked integration's NATS user not known to be revoked there
   * (of one organization, or all), and records it; throws if the public server could not be told.
   * Without the authority's keys this replica cannot: the rows stay pending for one that can.
   */
  async complete(organizationId?: string): Promise<number> {
    if (!this.authority) return 0;
    let revoked = 0;
    for (;;) {
      const pending = await this.commands.request<PendingNatsUserRevocation[]>(subjects.natsIntegrations.pendingNatsUserRevocations, organizationId ? { organizationId } : {});
      if (pending.length === 0) return revoked;
      // One at a time: each revocation re-signs its organization's account JWT.
      for (const integration of pending) await this.authority.revokeIntegrationCredentials(integration.natsUser, integration.organizationId);
      await this.commands.request(subjects.natsIntegrations.natsUsersRevoked, { integrationIds: pending.map((integration) => integration.integrationId) });
      revoked += pending.length;
      this.logger.log(`Revoked ${pending.length} revoked integrations' NATS users on the public server: ${pending.map((integration) => integration.integrationId).join(', ')}`);
    }
  }

  private async completeAtStart(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      try {
        await this.complete();
        return;
      } catch (error) {
        this.logger.warn(`Could not complete the pending NATS user revocations, retrying in ${START_RETRY_MS / 1_000} s: ${(error as Error).message}`);
      }
      await sleep(START_RETRY_MS, undefined, { signal: this.stopping.signal }).catch(() => undefined);
    }
  }
}
