// class-transformer keeps its metadata store in a module without its own typings; class-validator-jsonschema needs it for nested types.
declare module 'class-transformer/cjs/storage.js' {
  import type { MetadataStorage } from 'class-transformer/types/MetadataStorage.js';
  export const defaultMetadataStorage: MetadataStorage;
}
