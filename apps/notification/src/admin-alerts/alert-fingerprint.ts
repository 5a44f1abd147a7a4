import { createHash } from 'node:crypto';
import type { AdminAlert } from '@helpdesk/contracts';

/**
 * What makes two alerts "the same error": service, logger context and message with the parts that
 * vary between occurrences (ids, numbers, addresses) blanked, so a burst of dead letters to many
 * recipients is one alert, not one per mail.
 */
export function alertFingerprint(alert: Pick<AdminAlert, 'service' | 'context' | 'message'>): string {
  const shape = alert.message
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
    .replace(/[^\s@<>"']+@[^\s@<>"']+/g, '<address>')
    .replace(/\d+/g, '<n>');
  return createHash('sha256').update(`${alert.service}\n${alert.context ?? ''}\n${shape}`).digest('hex').slice(0, 32);
}
