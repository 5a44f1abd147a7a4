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

type Operation = { operationId?: string; summary?: string; responses?: Record<string, { description?: string; content?: unknown }>; security?: unknown[]; parameters?: Array<{ in: string }>; requestBody?: unknown };
type OpenApiDocument = { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, unknown> } };

const ERROR_STATUSES: Record<string, string> = {
  '400': 'Invalid input: the message lists each problem',
  '401': 'Missing, expired or invalid access token',
  '403': 'Authenticated, but this role (or this API token\'s scopes) may not do it',
  '404': 'Not found, or belongs to another organization',
  '413': 'Body too large',
  '429': 'Rate limited; see Retry-After',
  '503': 'A service behind the gateway is unavailable',
  '504': 'A service behind the gateway did not answer in time',
};

/** Which of the common errors an operation can answer: 401/403 only behind authentication, 404 only with a path id, 413 only with a body. */
function answersError(status: string, operation: Operation): boolean {
  if (status === '401' || status === '403') return operation.security !== undefined;
  if (status === '404') return operation.parameters?.some((parameter) => parameter.in === 'path') ?? false;
  if (status === '413') return operation.requestBody !== undefined;
  return true;
}

const SUCCESS_DESCRIPTIONS: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted', '204': 'Done; no body' };
const ERROR_CONTENT = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } };

/** A route without @ApiOperation({ summary }) is summarized by its controller and handler names: `tickets_addParticipant` reads "Tickets: add participant". */
function summaryOf(operationId: string | undefined): string | undefined {
  if (!operationId) return undefined;
  const [controller, method] = operationId.split('_').map((name) => name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase()) as [string, string];
  return `${controller[0]!.toUpperCase()}${controller.slice(1)}: ${method}`;
}

/**
 * Adds the answers' schemas (generated from the contracts' view types, see api-responses.ts) and
 * the one error shape of the API: every 4xx/5xx an operation declares, and the common ones it can
 * answer, point at ErrorResponse, so clients can rely on it.
 */
export function documentResponses(document: OpenApiDocument, responseSchemas: Record<string, unknown>): void {
  document.components ??= {};
  document.components.schemas ??= {};
  for (const [name, schema] of Object.entries(responseSchemas)) {
    if (name in document.components.schemas) throw new Error(`OpenAPI schema ${name} is both a request DTO and a response type: rename one`);
    document.components.schemas[name] = schema;
  }
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations)) {
      operation.summary ??= summaryOf(operation.operationId);
      operation.responses ??= {};
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) >= 400) response.content ??= ERROR_CONTENT;
        // An @Answers without its own description (and no @ApiOkResponse giving one) reads as its status.
        if (!response.description) response.description = SUCCESS_DESCRIPTIONS[status] ?? 'OK';
      }
      for (const [status, description] of Object.entries(ERROR_STATUSES)) {
        if (answersError(status, operation)) operation.responses[status] ??= { description, content: ERROR_CONTENT };
      }
    }
  }
}
