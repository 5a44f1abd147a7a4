export * from './errors.js';
export * from './headers.js';
export * from './ping.js';
export * from './services.js';
export * from './subjects.js';
