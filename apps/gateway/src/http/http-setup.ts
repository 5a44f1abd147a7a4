import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import etag from '@fastify/etag';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import { RequestMethod } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyServerOptions } from 'fastify';
import { GatewayConfig } from '../gateway.config.js';
import { serveWebConsole } from '../web/web-console.js';
import { API_RESPONSE_SCHEMAS } from './api-response-schemas.generated.js';
import { ASYNCAPI_DOCUMENT } from './asyncapi-document.generated.js';
import { documentResponses, documentValidatedClasses } from './openapi-from-validation.js';
import { parseQueryString } from './query-string.js';

export const API_PREFIX = 'api/v1';
const DOCS_PATH = 'api/docs';
/** The AsyncAPI document of the public NATS interface (docs/asyncapi.yaml), public like the OpenAPI document. */
export const ASYNCAPI_PATH = '/api/asyncapi.json';
/** Probes stay at the root, outside the versioned API (metrics have their own port). */
const UNVERSIONED = [
  { path: 'health', method: RequestMethod.ALL },
  { path: 'health/{*path}', method: RequestMethod.ALL },
];

function trustProxy(setting: string): FastifyServerOptions['trustProxy'] {
  if (setting === 'true') return true;
  if (setting === 'false') return false;
  if (/^\d+$/.test(setting)) {
    const hops = Number(setting);
    return (_address: string, hop: number) => hop < hops;
  }
  return setting.split(',').map((entry) => entry.trim());
}

export function gatewayFastifyOptions(config: GatewayConfig): FastifyServerOptions {
  return { trustProxy: trustProxy(config.TRUST_PROXY), bodyLimit: config.MAX_JSON_BODY_BYTES, routerOptions: { querystringParser: parseQueryString } };
}

/** `TicketsController.list` is `tickets_list`: unique, and readable as a generated client's method name. */
export function operationId(controllerKey: string, methodKey: string): string {
  const controller = controllerKey.replace(/Controller$/, '');
  return `${controller[0]!.toLowerCase()}${controller.slice(1)}_${methodKey}`;
}

/** Host names without port, for the ALLOWED_HOSTS check. */
function hostName(host: string | undefined): string {
  return (host ?? '').replace(/:\d+$/, '').toLowerCase();
}

/**
 * The gateway's public face: security headers (strict CSP for JSON, a looser one only where the
 * docs page needs it), CORS for CORS_ALLOWED_ORIGINS, compression over 1 KB, cookies, the Host
 * check in production, the /api/v1 prefix, OpenAPI at /api/docs, AsyncAPI at /api/asyncapi.json, and the web console at /.
 */
export async function configureGatewayHttp(app: NestFastifyApplication, config: GatewayConfig): Promise<void> {
  app.setGlobalPrefix(API_PREFIX, { exclude: UNVERSIONED });
  const fastify = app.getHttpAdapter().getInstance();

  if (config.NODE_ENV === 'production') {
    const allowed = new Set(config.ALLOWED_HOSTS.map((host) => host.toLowerCase()));
    fastify.addHook('onRequest', async (request, reply) => {
      // Kubelet probes address pods by IP, so probes are exempt.
      if (request.url.startsWith('/health')) return;
      if (!allowed.has(hostName(request.headers.host))) {
        await reply.status(400).send({ statusCode: 400, error: 'Bad Request', message: 'Host not allowed', requestId: request.id });
      }
    });
  }

  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] } },
    frameguard: { action: 'deny' },
    hsts: { maxAge: 31_536_000, includeSubDomains: true },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  await app.register(cors, {
    origin: config.CORS_ALLOWED_ORIGINS.length > 0 ? config.CORS_ALLOWED_ORIGINS : false,
    credentials: true,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    // traceparent/tracestate in, traceresponse out: a browser's tracing joins the gateway's trace (docs/operations.md, Tracing).
    allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'X-Request-Id', 'traceparent', 'tracestate'],
    exposedHeaders: ['ETag', 'Retry-After', 'X-Request-Id', 'traceresponse'],
    maxAge: 600,
  });
  // A route opts out of compression with @RouteConfig({ compress: false }): attachment downloads keep their Content-Length.
  fastify.addHook('onRoute', (route) => {
    if ((route.config as { compress?: unknown } | undefined)?.compress === false) route.compress = false;
  });
  await app.register(compress, { threshold: 1_024, encodings: ['br', 'gzip', 'deflate'] });
  // Multipart bodies are parsed only by the attachment upload, as a stream; these caps bound what one request can make it read.
  await app.register(multipart, { limits: { fileSize: config.MAX_UPLOAD_BYTES, files: 1, fields: 5, parts: 10, fieldSize: 1_024 } });
  await app.register(cookie);
  // Raw inbound mail (POST /api/v1/inbound/email/:mailboxId) is not parsed here: the route streams it, under its own size limit.
  fastify.addContentTypeParser('message/rfc822', (_request, payload, done) => done(null, payload));
  // Conditional GETs: an ETag on every answer, 304 when the client already has it.
  await app.register(etag, { weak: true });
  fastify.addHook('onSend', async (request, reply) => {
    if (reply.hasHeader('Cache-Control') || !request.url.startsWith(`/${API_PREFIX}`)) return;
    // Answers are per user: never in shared caches, and revalidated (cheaply, by ETag) before reuse.
    reply.header('Cache-Control', request.method === 'GET' ? 'private, no-cache' : 'no-store');
  });

  if (config.API_DOCS_ENABLED) {
    documentValidatedClasses();
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Helpdesk API')
        .setDescription('REST API v1 of the helpdesk platform. Errors are { statusCode, error, message, requestId }.')
        .setVersion('1')
        .setOpenAPIVersion('3.1.0')
        .addTag('auth', 'Sign-up, sign-in, sessions, password reset, and the caller\'s own account')
        .addTag('tickets', 'Tickets, their comments, history, participants, links and followers')
        .addTag('attachments', 'Files on tickets: upload, list, download')
        .addTag('ticket-fields', 'Custom ticket fields of the organization')
        .addTag('administration', 'Users, teams, the organization, SLA policies, mailboxes, API tokens and dead letters')
        .addTag('ai', 'AI summaries and suggested replies (staff)')
        .addTag('email', 'Inbound mail, posted by a mail relay with the mailbox\'s own token')
        .addTag('macros', 'Macros and canned responses')
        .addTag('views', 'Saved ticket views')
        .addTag('triggers', 'Rules run when a ticket is created or changed')
        .addTag('automations', 'Rules run on a schedule over tickets matching conditions')
        .addTag('reports', 'Desk reports: created, solved, response and resolution times, SLA compliance, backlog, satisfaction, and their CSV export')
        .addTag('satisfaction', "The public rating page's API: the solved mail's survey link is its only credential")
        .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT or hdp_ API token', description: 'An access token from /auth/login, or an API token (`hdp_…`) limited to the scope each operation names as `x-required-scope`' })
        .build(),
      { operationIdFactory: operationId },
    );
    documentResponses(document as unknown as Parameters<typeof documentResponses>[0], API_RESPONSE_SCHEMAS);
    SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: `${DOCS_PATH}-json`, useGlobalPrefix: false });
    fastify.get(ASYNCAPI_PATH, async (_request, reply) => reply.type('application/json').send(ASYNCAPI_DOCUMENT));
    // Swagger UI loads its own scripts and inline styles: only its pages get a CSP that allows them.
    fastify.addHook('onSend', async (request, reply) => {
      if (request.url.startsWith(`/${DOCS_PATH}`) && !request.url.startsWith(`/${DOCS_PATH}-json`)) {
        reply.header('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'");
      }
    });
  }
  await serveWebConsole(app, config);
}
