import { Inject, Injectable } from '@nestjs/common';
import { CommandClient } from '@helpdesk/common';
import { subjects, type VerifiedNatsIntegration } from '@helpdesk/contracts';
import { LRUCache } from 'lru-cache';

/** How long a verified integration is trusted without asking again: a revocation takes effect within it. */
export const INTEGRATION_CACHE_TTL_MS = 3_000;

/**
 * Verifies the integration a public command's subject names, against the ticket service. Only
 * successes are cached, briefly, so a busy integration costs one look-up every few seconds and a
 * revoked one is refused within INTEGRATION_CACHE_TTL_MS.
 */
@Injectable()
export class NatsIntegrationVerifier {
  private readonly verified = new LRUCache<string, VerifiedNatsIntegration>({ max: 10_000, ttl: INTEGRATION_CACHE_TTL_MS });

  constructor(@Inject(CommandClient) private readonly commands: CommandClient) {}

  async verify(organizationId: string, integrationId: string): Promise<VerifiedNatsIntegration> {
    const key = `${organizationId}/${integrationId}`;
    const cached = this.verified.get(key);
    if (cached) return cached;
    const verified = await this.commands.request<VerifiedNatsIntegration>(subjects.natsIntegrations.verify, { organizationId, integrationId });
    this.verified.set(key, verified);
    return verified;
  }

  /** Forgets an integration at once on this replica (after its revocation here). */
  forget(organizationId: string, integrationId: string): void {
    this.verified.delete(`${organizationId}/${integrationId}`);
  }
}
