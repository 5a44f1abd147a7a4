export * from './errors.js';
export * from './events.js';
// The public events' data (issue 21, docs/asyncapi.yaml)
export * from './public-events.js';
export * from './headers.js';
export * from './ping.js';
export * from './principal.js';
export * from './services.js';
export * from './subjects.js';
export * from './tickets.js';
export * from './organizations.js';
export * from './auth.js';
export * from './directory.js';
export * from './commands/index.js';
export * from './notifications.js';
export * from './realtime.js';
export * from './ai.js';
export * from './nats-permissions.js';
export * from './mailboxes.js';
export * from './macros.js';
export * from './ticket-fields.js';
export * from './views.js';
// Workflow rules: conditions (triggers and automations)
export * from './rule-conditions.js';
export * from './rule-actions.js';
export * from './triggers.js';
// Automations (DESIGN section 14)
export * from './automations.js';
// API tokens (DESIGN section 16)
export * from './api-tokens.js';
// Customer satisfaction (DESIGN section 15)
export * from './satisfaction.js';
// Webhooks (DESIGN section 16)
export * from './webhooks.js';
// Reports (DESIGN section 15)
export * from './reports.js';
// NATS as a public interface (issue 21)
export * from './public-nats.js';
// NATS integrations: credentials for the public NATS server (issue 21)
export * from './nats-integrations.js';
