import { ApiProperty } from '@nestjs/swagger';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import { getMetadataStorage } from 'class-validator';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[]; $ref?: string; items?: JsonSchema };

/**
 * Documents every DTO from its class-validator rules, so OpenAPI shows exactly what validation
 * enforces without a second set of decorators on each field. Run before the document is built.
 */
export function documentValidatedClasses(): void {
  const schemas = validationMetadatasToSchemas({ classTransformerMetadataStorage: defaultMetadataStorage, refPointerPrefix: '#/components/schemas/' }) as Record<string, JsonSchema>;
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<Function, unknown[]> | Array<{ target: Function }> };
  const targets = new Set<Function>(
    storage.validationMetadatas instanceof Map ? [...storage.validationMetadatas.keys()] : storage.validationMetadatas.map((metadata) => metadata.target),
  );
  const classesByName = new Map([...targets].map((target) => [target.name, target]));
  for (const target of targets) {
    const schema = schemas[target.name];
    for (const [property, propertySchema] of Object.entries(schema?.properties ?? {})) {
      if (property === 'principal') continue;
      ApiProperty(toApiProperty(propertySchema, schema!.required?.includes(property) ?? false, classesByName))(target.prototype as object, property);
    }
  }
}

function toApiProperty(schema: JsonSchema, required: boolean, classesByName: Map<string, Function>) {
  const nested = (reference: string | undefined) => (reference ? classesByName.get(reference.split('/').pop()!) : undefined);
  const itemClass = nested(schema.items?.$ref);
  const objectClass = nested(schema.$ref);
  if (objectClass) return { required, type: () => objectClass };
  if (itemClass) return { required, type: () => itemClass, isArray: true };
  const { $ref: _ref, not: _not, ...plain } = schema;
  return { required, ...plain } as Record<string, unknown>;
}

type OpenApiDocument = { paths: Record<string, Record<string, { responses?: Record<string, unknown>; security?: unknown[] }>>; components?: { schemas?: Record<string, unknown> } };

const ERROR_STATUSES: Record<string, string> = {
  '400': 'Invalid input: the message lists each problem',
  '401': 'Missing, expired or invalid access token',
  '403': 'Authenticated, but this role (or this API token\'s scopes) may not do it',
  '404': 'Not found, or belongs to another organization',
  '409': 'Conflict, for example a stale If-Match version',
  '413': 'Body too large',
  '429': 'Rate limited; see Retry-After',
  '503': 'A service behind the gateway is unavailable',
  '504': 'A service behind the gateway did not answer in time',
};

/** The one error shape of the API, attached to every operation so clients can rely on it. */
export function documentErrorResponses(document: OpenApiDocument): void {
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas.ErrorResponse = {
    type: 'object',
    required: ['statusCode', 'error', 'message', 'requestId'],
    properties: {
      statusCode: { type: 'integer', example: 404 },
      error: { type: 'string', example: 'Not Found' },
      message: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], example: 'Ticket not found' },
      requestId: { type: 'string', description: 'Also in the X-Request-Id header and in every log line of every service the request touched' },
      details: { type: 'object', description: 'Structured help, such as { currentVersion } on a conflict' },
    },
  };
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations)) {
      operation.responses ??= {};
      for (const [status, description] of Object.entries(ERROR_STATUSES)) {
        if (!operation.security && (status === '401' || status === '403')) continue;
        operation.responses[status] ??= { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } } };
      }
    }
  }
}
