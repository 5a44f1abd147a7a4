import type { EmailVerificationRequestedData, EventActor } from '@helpdesk/contracts';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { DomainEvents } from '../outbox/domain-events.js';

export const EMAIL_VERIFICATION_LIFETIME_SECONDS = 48 * 60 * 60;
export const INVALID_VERIFICATION_LINK = 'The verification link is invalid or has expired';
export const ALREADY_VERIFIED = 'The organization’s email address is already verified';

const SIGNUP_ACTOR: EventActor = { system: 'auth' };

/** Asks the mailer (by event, inside the caller's transaction) to send this admin a verification link. */
export async function recordEmailVerificationRequest(events: DomainEvents, manager: EntityManager, admin: { id: string; organizationId: string }): Promise<void> {
  const data: EmailVerificationRequestedData = { userId: admin.id, requestId: randomUUID() };
  await events.record(manager, { type: 'auth.email_verification_requested', orgId: admin.organizationId, aggregateId: admin.id, actor: SIGNUP_ACTOR, data });
}
