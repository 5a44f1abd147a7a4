import { natsInboxPrefix, type ServiceName } from '@helpdesk/contracts';
import type { ServiceConfig } from '../config/service-config.js';

interface NatsCredentials {
  user?: string;
  pass?: string;
  token?: string;
}

/**
 * Splits `NATS_URL` (comma-separated) into server addresses and the credentials they carry
 * (`nats://user:password@host` or `nats://token@host`). The NATS client ignores credentials inside
 * server URLs, so they are passed as options; every URL must carry the same ones (or none).
 */
export function parseNatsUrl(natsUrl: string): { servers: string[]; credentials: NatsCredentials } {
  const servers: string[] = [];
  let credentials: NatsCredentials | undefined;
  for (const raw of natsUrl.split(',')) {
    const url = new URL(raw.trim());
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    const found: NatsCredentials = password ? { user, pass: password } : user ? { token: user } : {};
    if (credentials && JSON.stringify(credentials) !== JSON.stringify(found)) throw new Error('NATS_URL: every server must carry the same credentials');
    credentials = found;
    url.username = '';
    url.password = '';
    servers.push(url.toString().replace(/\/$/, ''));
  }
  return { servers, credentials: credentials ?? {} };
}

/**
 * Connection settings shared by every NATS connection of a service. Reconnection never gives up
 * (a NATS restart must not leave a service permanently cut off), and the first connection is
 * awaited rather than failing, so a service can boot before NATS and become ready when it appears.
 */
export function natsConnectionOptions(config: Pick<ServiceConfig, 'NATS_URL'>, service: ServiceName, connectionName: string) {
  const { servers, credentials } = parseNatsUrl(config.NATS_URL);
  return {
    servers,
    ...credentials,
    name: connectionName,
    // Replies to this service's requests come to its own prefix, the only inbox its NATS user may read.
    inboxPrefix: natsInboxPrefix(service),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    waitOnFirstConnect: true,
    // Without it every request and JetStream publish captures a stack trace up front, in case it
    // fails: measurable CPU on the hot paths, for error context our own logs already carry.
    noAsyncTraces: true,
  };
}
