export * from './integration-permissions.js';
export * from './public-nats-authority.js';
export * from './public-nats-keys.js';
export * from './public-event-fan-out.js';
