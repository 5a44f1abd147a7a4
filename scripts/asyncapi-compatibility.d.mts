// Types of scripts/asyncapi-compatibility.mjs for the tests that import it.
/** The breaking changes from the released document to the current one, each a sentence naming where; empty when compatible. */
export declare function breakingChanges(released: unknown, current: unknown): string[];
