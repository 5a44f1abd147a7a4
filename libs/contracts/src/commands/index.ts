export * from './principal.dto.js';
export * from './tickets.commands.js';
export * from './auth.commands.js';
export * from './directory.commands.js';
export * from './pagination.js';
export * from './macros.commands.js';
export * from './ticket-fields.commands.js';
export * from './automations.commands.js';
