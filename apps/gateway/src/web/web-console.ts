import httpProxy from '@fastify/http-proxy';
import fastifyStatic from '@fastify/static';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayConfig } from '../gateway.config.js';

/**
 * The console's CSP: scripts only from this origin, never inline. Styles allow 'unsafe-inline'
 * because Mantine writes its theme variables into <style> elements at run time (a nonce would need
 * index.html rewritten per response). 'self' in connect-src also covers ws:/wss: to this origin.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const REALTIME_PATH_PREFIX = '/socket.io';

/** Paths that belong to the API, probes, metrics, sockets or assets: a miss there is a 404, never the app. */
const NOT_CLIENT_ROUTES = /^(?:api|assets)(?:\/|$)|^(?:health|metrics|socket\.io)/i;
/** A file at the top of the built directory (favicon.svg, robots.txt, index.html), as Vite copies them from public/. */
const TOP_LEVEL_FILE = /^[^/\\.][^/\\]*\.[A-Za-z0-9]+$/;
/** Hashed names change with their content, so a browser may keep them for good. */
const ASSET_MAX_AGE = '365d';

/**
 * Serves the built web console at `/` and, when REALTIME_PROXY_URL is set, proxies /socket.io to
 * realtime so the console's socket stays on this origin. Without a build the gateway still runs
 * (API only) and the console's routes say how to build it.
 */
export async function serveWebConsole(app: NestFastifyApplication, config: GatewayConfig): Promise<void> {
  const logger = new Logger('WebConsole');
  const fastify = app.getHttpAdapter().getInstance();
  if (config.REALTIME_PROXY_URL) {
    await app.register(httpProxy, {
      upstream: config.REALTIME_PROXY_URL,
      prefix: REALTIME_PATH_PREFIX,
      rewritePrefix: REALTIME_PATH_PREFIX,
      websocket: true,
      // Engine.IO compresses its own payloads; the gateway's compression would only buffer polling answers.
      config: { compress: false },
    });
    logger.log(`Proxying ${REALTIME_PATH_PREFIX} to ${config.REALTIME_PROXY_URL}`);
  }

  const root = config.WEB_ROOT;
  const built = existsSync(join(root, 'index.html'));
  if (!built) {
    logger.warn(`No web console at ${join(root, 'index.html')}: the API runs, the console's pages answer 503. Build it with "npm run build", or set WEB_ROOT.`);
  } else {
    // Index and top-level files: revalidated on every load (ETag/Last-Modified), so a deploy shows at once.
    await app.register(fastifyStatic, { root, serve: false, preCompressed: true, cacheControl: false, index: false, dotfiles: 'ignore' });
    await app.register(fastifyStatic, {
      root: join(root, 'assets'),
      prefix: '/assets/',
      decorateReply: false,
      preCompressed: true,
      maxAge: ASSET_MAX_AGE,
      immutable: true,
      index: false,
      redirect: false,
      dotfiles: 'ignore',
    });
  }

  fastify.get('/*', (request: FastifyRequest<{ Params: { '*': string } }>, reply: FastifyReply) => {
    const path = request.params['*'];
    if (NOT_CLIENT_ROUTES.test(path)) return reply.callNotFound();
    if (!built) {
      return reply
        .code(503)
        .header('Cache-Control', 'no-store')
        .type('text/plain; charset=utf-8')
        .send('The web console is not built. Run "npm run build" (it builds apps/web into dist/web), or set WEB_ROOT to a built console. The API is at /api/v1.\n');
    }
    reply.header('Cache-Control', 'no-cache').header('Content-Security-Policy', CONSOLE_CSP);
    // Every other path is a client route: the app's router draws it.
    return reply.sendFile(TOP_LEVEL_FILE.test(path) ? path : 'index.html');
  });
}
