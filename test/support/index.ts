export * from './database.js';
export * from './nats-server.js';
export * from './ports.js';
export * from './service-processes.js';
export { XSS_PAYLOADS } from '../../libs/common/src/sanitization/xss-corpus.js';
export * from './api-stack.js';
export * from './redis-cleanup.js';
export * from './fault-servers.js';
export * from './admin-alert-listener.js';
