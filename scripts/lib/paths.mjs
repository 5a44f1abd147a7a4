import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
export const DATA_DIR = `${ROOT}/.data`;
export const DIST_DIR = `${ROOT}/dist`;

/** The five services: name, entry point in dist, and the variable holding its HTTP port. */
export const SERVICES = [
  { name: 'gateway', entry: 'dist/apps/gateway/src/main.js', portVariable: 'GATEWAY_PORT', defaultPort: 8080 },
  { name: 'ticket', entry: 'dist/apps/ticket/src/main.js', portVariable: 'TICKET_PORT', defaultPort: 8081 },
  { name: 'notification', entry: 'dist/apps/notification/src/main.js', portVariable: 'NOTIFICATION_PORT', defaultPort: 8082 },
  { name: 'realtime', entry: 'dist/apps/realtime/src/main.js', portVariable: 'REALTIME_PORT', defaultPort: 8083 },
  { name: 'ai-proxy', entry: 'dist/apps/ai-proxy/src/main.js', portVariable: 'AI_PROXY_PORT', defaultPort: 8084 },
];

/** Services owning a PostgreSQL schema, with their migration command. */
export const MIGRATIONS = [
  { schema: 'helpdesk', entry: 'dist/apps/ticket/src/database/migrate.js' },
  { schema: 'notification', entry: 'dist/apps/notification/src/database/migrate.js' },
];
