export * from './principal.dto.js';
export * from './tickets.commands.js';
