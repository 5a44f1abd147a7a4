// Filled in by the auth commands work.
export {};
