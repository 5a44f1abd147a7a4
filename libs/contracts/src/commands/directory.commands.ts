// Filled in by the directory commands work.
export {};
