// Types of scripts/asyncapi.mjs for the tests that import it.
export declare const YAML_TARGET: string;
export declare const MODULE_TARGET: string;
export declare const RELEASED_TARGET: string;
export declare function generateAsyncApiDocument(options?: { strict?: boolean }): Promise<any>;
export declare function yamlOf(document: unknown): string;
export declare function moduleOf(document: unknown): string;
export declare function releasedOf(document: unknown): string;
