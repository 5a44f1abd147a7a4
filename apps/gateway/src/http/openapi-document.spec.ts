import type { CreatedApiTokenView } from '@helpdesk/contracts';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { GatewayHarness, type SignedUpAdmin } from '../testing/gateway-harness.js';
import { operationId } from './http-setup.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const EXAMPLE = `${ROOT}examples/api-client`;
const HOW_TO_ANSWER =
  "add @Answers(HttpStatus.OK|CREATED|ACCEPTED, '<Name>') above the route (or @AnswersNoContent() for a 204), with <Name>: <the handler's return type> in ApiResponseTypes (apps/gateway/src/http/api-responses.ts), then run npm run openapi:schemas";

type Schema = Record<string, unknown>;
interface Response {
  description?: string;
  content?: Record<string, { schema?: Schema }>;
}
interface Operation {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Array<{ in: string; name: string; schema?: Schema }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses: Record<string, Response>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/**
 * The OpenAPI document integrators generate clients from: every route declares its body, its
 * answers and its errors; real answers match those schemas; it lints clean; and a client generated
 * from it type-checks (and runs) the integration example of docs/api.md.
 */
describe('the OpenAPI document', () => {
  let gateway: GatewayHarness;
  let admin: SignedUpAdmin;
  let document: OpenApiDocument;
  let workDir: string;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('openapi-document');
    admin = await gateway.signup('Docs Desk');
    document = (await (await fetch(`${gateway.url}/api/docs-json`)).json()) as OpenApiDocument;
    // Inside the repository, so the example's imports (openapi-fetch) resolve from its node_modules.
    workDir = await mkdtemp(`${EXAMPLE}/.check-`);
  });

  afterAll(async () => {
    if (workDir) await rm(workDir, { recursive: true, force: true });
    await gateway?.stop();
  });

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, operation })));

  it('gives every route its request body, success answer and error answers, each with a schema', () => {
    const handlers = routeHandlers(gateway);
    const problems: string[] = [];
    for (const { route, operation } of operations()) {
      const handler = handlers.get(operation.operationId ?? '');
      const where = `${route} (${handler?.label ?? operation.operationId})`;
      if (!handler) problems.push(`${where}: its operationId matches no controller method`);
      if (handler?.takesBody && !operation.requestBody?.content?.['application/json']?.schema?.$ref && !operation.requestBody?.content?.['multipart/form-data'] && !operation.requestBody?.content?.['message/rfc822'])
        problems.push(`${where}: its @Body() has no schema: type it with a class-validator DTO class (libs/contracts, or a *.dto.ts beside the controller), not an interface or inline type`);
      const successes = Object.entries(operation.responses).filter(([status]) => status.startsWith('2'));
      if (successes.length === 0) problems.push(`${where}: no success answer: ${HOW_TO_ANSWER}`);
      for (const [status, response] of successes) {
        if (status === '204') continue;
        // JSON, or the media type a file or export route declares (octet-stream, text/csv).
        const schema = Object.values(response.content ?? {})[0]?.schema;
        if (!schema?.$ref && !schema?.type) problems.push(`${where}: its ${status} answer has no schema: ${HOW_TO_ANSWER}`);
      }
      const errors = ['400', '429', ...(operation.security ? ['401', '403'] : []), ...(operation.parameters?.some((parameter) => parameter.in === 'path') ? ['404'] : [])];
      for (const status of errors) {
        if (!operation.responses[status]) problems.push(`${where}: no ${status} answer (documentResponses in apps/gateway/src/http/openapi-from-validation.ts adds it: is the route documented through SwaggerModule?)`);
      }
      for (const [status, response] of Object.entries(operation.responses).filter(([status]) => Number(status) >= 400)) {
        if (response.content?.['application/json']?.schema?.$ref !== '#/components/schemas/ErrorResponse') problems.push(`${where}: its ${status} answer is not the ErrorResponse schema`);
      }
      for (const parameter of operation.parameters ?? []) {
        if (!parameter.schema?.type && !parameter.schema?.$ref) problems.push(`${where}: parameter ${parameter.name} has no type: declare it in the route's class-validator query DTO or with UuidParam`);
      }
    }
    expect(problems).toEqual([]);
    expect(operations().length).toBeGreaterThan(90);
  });

  it('generates the success schemas from the committed api-response-schemas.generated.ts, up to date with the contracts', async () => {
    const { stderr } = await run(process.execPath, [`${ROOT}scripts/openapi-schemas.mjs`, '--check'], { cwd: ROOT }).catch((error: { stderr: string }) => ({ stderr: error.stderr }));
    expect(stderr).toBe('');
  }, 120_000);

  it('serves the AsyncAPI document of the public NATS interface at /api/asyncapi.json, without a token: docs/asyncapi.yaml', async () => {
    const response = await fetch(`${gateway.url}/api/asyncapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual(parseYaml(await readFile(`${ROOT}docs/asyncapi.yaml`, 'utf8')));
  });

  it('describes real answers: a session, a ticket, a comment, lists, and the error envelope', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema({ $id: 'api', components: document.components });
    const mismatches: string[] = [];
    let checked = 0;
    const check = async (method: string, path: string, response: globalThis.Response) => {
      const schema = document.paths[path]?.[method]?.responses[String(response.status)]?.content?.['application/json']?.schema;
      if (!schema) return mismatches.push(`${method.toUpperCase()} ${path} answered ${response.status}, which the document does not declare`);
      const validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components', '"api#/components')) as Schema);
      const body: unknown = await response.json();
      checked += 1;
      if (!validate(body)) mismatches.push(`${method.toUpperCase()} ${path} ${response.status}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(body).slice(0, 300)}`);
    };
    const token = admin.accessToken;

    await check('post', '/api/v1/auth/login', await gateway.call('/auth/login', { body: { email: admin.user.email, password: 'correct horse battery staple' } }));
    await check('get', '/api/v1/me', await gateway.call('/me', { token }));
    const created = await gateway.call('/tickets', { token, body: { subject: 'Schema check', description: 'Does the answer match?', tags: ['docs'] } });
    const ticketId = ((await created.clone().json()) as { id: string }).id;
    await check('post', '/api/v1/tickets', created);
    await check('get', '/api/v1/tickets/{id}', await gateway.call(`/tickets/${ticketId}`, { token }));
    await check('post', '/api/v1/tickets/{id}/comments', await gateway.call(`/tickets/${ticketId}/comments`, { token, body: { body: 'A reply', internal: false } }));
    await check('get', '/api/v1/tickets/{id}/comments', await gateway.call(`/tickets/${ticketId}/comments`, { token }));
    await check('get', '/api/v1/tickets/{id}/events', await gateway.call(`/tickets/${ticketId}/events`, { token }));
    await check('get', '/api/v1/tickets', await gateway.call('/tickets', { token }));
    await check('get', '/api/v1/users', await gateway.call('/users', { token }));
    await check('get', '/api/v1/organization', await gateway.call('/organization', { token }));
    await check('post', '/api/v1/api-tokens', await gateway.call('/api-tokens', { token, body: { name: 'schema check', scopes: ['tickets:read'] } }));
    await check('get', '/api/v1/api-tokens', await gateway.call('/api-tokens', { token }));
    await check('get', '/api/v1/api-tokens', await gateway.call('/api-tokens?limit=1', { token }));
    await check('get', '/api/v1/integrations/nats', await gateway.call('/integrations/nats', { token }));
    await check('patch', '/api/v1/tickets/{id}', await gateway.call(`/tickets/${ticketId}`, { method: 'PATCH', token, body: { priority: 'high', tags: ['docs', 'schema'] } }));
    const other = await gateway.call('/tickets', { token, body: { subject: 'Linked', description: 'The other end' } });
    const otherId = ((await other.json()) as { id: string }).id;
    await check('post', '/api/v1/tickets/{id}/links', await gateway.call(`/tickets/${ticketId}/links`, { token, body: { kind: 'related', targetId: otherId } }));
    await check('get', '/api/v1/tickets/{id}/links', await gateway.call(`/tickets/${ticketId}/links`, { token }));
    await check('post', '/api/v1/tickets/{id}/followers', await gateway.call(`/tickets/${ticketId}/followers`, { method: 'POST', token }));
    await check('get', '/api/v1/tickets/{id}/followers', await gateway.call(`/tickets/${ticketId}/followers`, { token }));
    await check('post', '/api/v1/tickets/{id}/participants', await gateway.call(`/tickets/${ticketId}/participants`, { token, body: { email: 'copied@example.com', name: 'Copied Person' } }));
    await check('get', '/api/v1/tickets/{id}/participants', await gateway.call(`/tickets/${ticketId}/participants`, { token }));
    await check('patch', '/api/v1/tickets', await gateway.call('/tickets', { method: 'PATCH', token, body: { ids: [ticketId, randomUUID()], changes: { status: 'pending' } } }));
    await check('post', '/api/v1/teams', await gateway.call('/teams', { token, body: { name: 'Second line' } }));
    await check('get', '/api/v1/teams', await gateway.call('/teams', { token }));
    await check('get', '/api/v1/teams', await gateway.call('/teams?limit=1', { token }));
    await check('post', '/api/v1/sla-policies', await gateway.call('/sla-policies', { token, body: { name: 'Urgent', priority: 'urgent', firstResponseMinutes: 30, resolutionMinutes: 240, businessHoursOnly: false } }));
    await check('get', '/api/v1/sla-policies', await gateway.call('/sla-policies', { token }));
    await check('get', '/api/v1/sla-policies', await gateway.call('/sla-policies?limit=1', { token }));
    await check('post', '/api/v1/ticket-fields', await gateway.call('/ticket-fields', { token, body: { key: 'plan', label: 'Plan', type: 'dropdown', options: ['free', 'pro'] } }));
    await check('get', '/api/v1/ticket-fields', await gateway.call('/ticket-fields', { token }));
    await check('post', '/api/v1/views', await gateway.call('/views', { token, body: { name: 'Urgent ones', query: { priority: ['urgent'] } } }));
    await check('get', '/api/v1/views', await gateway.call('/views', { token }));
    await check('post', '/api/v1/canned-responses', await gateway.call('/canned-responses', { token, body: { name: 'Thanks', body: 'Thank you for writing in.' } }));
    await check('get', '/api/v1/canned-responses', await gateway.call('/canned-responses', { token }));
    await check('get', '/api/v1/macros', await gateway.call('/macros', { token }));
    await check('get', '/api/v1/triggers', await gateway.call('/triggers', { token }));
    await check('get', '/api/v1/automations', await gateway.call('/automations', { token }));
    // Errors: a conflict (linking twice), a refused rule (a link to itself), validation (a list of messages), no token, not found.
    await check('post', '/api/v1/tickets/{id}/links', await gateway.call(`/tickets/${ticketId}/links`, { token, body: { kind: 'related', targetId: otherId } }));
    await check('post', '/api/v1/tickets/{id}/links', await gateway.call(`/tickets/${ticketId}/links`, { token, body: { kind: 'related', targetId: ticketId } }));
    await check('post', '/api/v1/tickets', await gateway.call('/tickets', { token, body: { subject: '' } }));
    await check('get', '/api/v1/tickets', await gateway.call('/tickets'));
    await check('get', '/api/v1/tickets/{id}', await gateway.call(`/tickets/${randomUUID()}`, { token }));
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(30);
  });

  it('lints clean with the committed redocly.yaml', async () => {
    const file = `${workDir}/openapi.json`;
    await writeFile(file, JSON.stringify(document));
    const result = await run(process.execPath, [`${ROOT}node_modules/@redocly/cli/bin/cli.js`, 'lint', file, '--config', `${ROOT}redocly.yaml`, '--format', 'stylish'], {
      cwd: ROOT,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    }).catch((error: { stdout: string; stderr: string; code: number }) => error);
    expect(`${result.stdout}`).not.toMatch(/\berror\b/);
    expect('code' in result ? result.code : 0).toBe(0);
  }, 120_000);

  it('generates a typed client that the integration example type-checks against, and runs it with an API token', async () => {
    await cp(`${EXAMPLE}/helpdesk-script.ts`, `${workDir}/helpdesk-script.ts`);
    await cp(`${EXAMPLE}/tsconfig.json`, `${workDir}/tsconfig.json`);
    await writeFile(`${workDir}/api-schema.d.ts`, astToString(await openapiTS(document as never)));
    await expect(typeCheck(workDir)).resolves.toBe('');

    const response = await gateway.call('/api-tokens', { token: admin.accessToken, body: { name: 'integration', scopes: ['tickets:read', 'tickets:write'] } });
    const { token } = (await response.json()) as CreatedApiTokenView;
    const lines: string[] = [];
    // Loaded by path: its types come from the generated api-schema.d.ts, which only this test writes.
    const { runIntegration } = (await import(`${EXAMPLE}/helpdesk-script.ts`)) as { runIntegration: RunIntegration };
    const result = await runIntegration(gateway.url, token, (line) => lines.push(line));
    expect(result.comment.ticketId).toBe(result.ticket.id);
    expect(result.openTickets.map((ticket) => ticket.id)).toContain(result.ticket.id);
    expect(lines[0]).toBe(`created ticket #${result.ticket.number} (${result.ticket.status}, urgent)`);
  }, 180_000);

  it('fails the type-check when the document loses a route or a schema the example depends on', async () => {
    const withoutCommenting = structuredClone(document);
    delete withoutCommenting.paths['/api/v1/tickets/{id}/comments']!.post;
    await writeFile(`${workDir}/api-schema.d.ts`, astToString(await openapiTS(withoutCommenting as never)));
    expect(await typeCheck(workDir)).toMatch(/helpdesk-script\.ts.*error TS/);

    const commentRenamed = JSON.parse(JSON.stringify(document).replaceAll('"#/components/schemas/CommentView"', '"#/components/schemas/Comment"')) as OpenApiDocument;
    commentRenamed.components.schemas.Comment = commentRenamed.components.schemas.CommentView!;
    delete commentRenamed.components.schemas.CommentView;
    await writeFile(`${workDir}/api-schema.d.ts`, astToString(await openapiTS(commentRenamed as never)));
    expect(await typeCheck(workDir)).toMatch(/CommentView/);
  }, 180_000);
});

type RunIntegration = (
  baseUrl: string,
  apiToken: string,
  log: (line: string) => void,
) => Promise<{ ticket: { id: string; number: number; status: string }; comment: { ticketId: string }; openTickets: Array<{ id: string }> }>;

/** tsc's complaints about the example, or '' when it type-checks. */
async function typeCheck(directory: string): Promise<string> {
  return run(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-p', `${directory}/tsconfig.json`], { cwd: directory }).then(
    () => '',
    (error: { stdout: string }) => error.stdout || String(error),
  );
}

/** Each route's controller method by operationId, and whether it reads a @Body(). */
function routeHandlers(gateway: GatewayHarness): Map<string, { label: string; takesBody: boolean }> {
  const handlers = new Map<string, { label: string; takesBody: boolean }>();
  for (const module of gateway.service.app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      const controller = metatype as unknown as { name: string; prototype: Record<string, unknown> };
      for (const method of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = Object.getOwnPropertyDescriptor(controller.prototype, method)?.value as unknown;
        if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<string, unknown>;
        const takesBody = Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.BODY));
        handlers.set(operationId(controller.name, method), { label: `${controller.name}.${method}`, takesBody });
      }
    }
  }
  return handlers;
}
