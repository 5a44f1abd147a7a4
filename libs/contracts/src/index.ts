export * from './errors.js';
export * from './events.js';
export * from './headers.js';
export * from './ping.js';
export * from './principal.js';
export * from './services.js';
export * from './subjects.js';
export * from './tickets.js';
