import { ADMIN_ALERT_MESSAGE_MAX, subjects, type AdminAlert } from '@helpdesk/contracts';
import type { NatsConnection } from '@nats-io/transport-node';
import type winston from 'winston';
import TransportStream from 'winston-transport';
import type { ServiceIdentity } from '../service-identity.js';

// Log lines should hold no secrets, but an error message can quote a connection string or a
// header: these patterns cover the usual shapes, and no log metadata is sent at all.
const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/(\w+:\/\/)[^\s/:@]*:[^\s/@]+@/g, '$1[redacted]@'],
  [/\b(bearer|basic)\s+[\w.~+/=-]+/gi, '$1 [redacted]'],
  [/\b(password|passwd|pwd|secret|token|api[_-]?key|authorization|cookie)(["']?\s*[:=]\s*["']?)[^\s"'&,;]+/gi, '$1$2[redacted]'],
];

export function redactSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

type LogInfo = winston.Logform.TransformableInfo & { critical?: unknown; context?: unknown; requestId?: unknown; eventId?: unknown };

const shortString = (value: unknown, max: number) => (typeof value === 'string' && value.length > 0 ? value.slice(0, max) : undefined);

/**
 * Publishes every error line marked critical (`{ critical: true }`) on core NATS, fire-and-forget,
 * for the notification service to mail to ADMIN_EMAILS (it deduplicates and rate-limits). Never
 * waits and never logs: a lost alert must not slow the service, and a failure to raise an alert
 * must not raise another one.
 */
export class AdminAlertTransport extends TransportStream {
  constructor(
    private readonly connection: NatsConnection,
    private readonly identity: Pick<ServiceIdentity, 'service' | 'instanceId'>,
  ) {
    super({ level: 'error' });
  }

  override log(info: LogInfo, callback: () => void): void {
    if (info.critical === true && !this.connection.isClosed()) {
      const alert: AdminAlert = {
        service: this.identity.service,
        instanceId: this.identity.instanceId,
        level: 'error',
        message: redactSecrets(String(info.message)).slice(0, ADMIN_ALERT_MESSAGE_MAX) || '(empty message)',
        occurredAt: new Date().toISOString(),
        ...(shortString(info.context, 100) ? { context: shortString(info.context, 100) } : {}),
        ...(shortString(info.requestId, 128) ? { requestId: shortString(info.requestId, 128) } : {}),
        ...(shortString(info.eventId, 128) ? { eventId: shortString(info.eventId, 128) } : {}),
      };
      try {
        // Nest's NATS transport reads `{ pattern, data }` without an id as an event (no reply expected).
        this.connection.publish(subjects.notifications.adminAlert, JSON.stringify({ pattern: subjects.notifications.adminAlert, data: alert }));
      } catch {
        // Dropped on purpose (connection draining or closed): reporting it would be an alert about an alert.
      }
    }
    callback();
  }
}

/** Starts raising admin alerts from this logger once the service has its NATS connection. */
export function raiseAdminAlerts(logger: winston.Logger, connection: NatsConnection, identity: Pick<ServiceIdentity, 'service' | 'instanceId'>): void {
  logger.add(new AdminAlertTransport(connection, identity));
}
