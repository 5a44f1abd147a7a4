import { context, propagation, ROOT_CONTEXT, trace, type Context, type Span } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { recordFailure, SpanKind, startSpan } from './tracing.js';

/** W3C Trace Context Level 2: tells the client which trace its request became. */
export const TRACERESPONSE_HEADER = 'traceresponse';

interface RequestTrace {
  span: Span;
  context: Context;
}

/**
 * A SERVER span per HTTP request, child of the client's `traceparent` when it sends one, made the
 * active span for the route's work. By hooks rather than OpenTelemetry's HTTP/Fastify
 * instrumentations: those patch modules as they load, which for our ESM build needs a loader hook
 * (`--import`) in every process and traces probes and Socket.IO polling as well.
 * The context is entered twice: at onRequest, for the hooks and middleware that follow at once,
 * and at preHandler, because the body is read in the socket's own async context, which loses it.
 * Only registered when tracing is on.
 */
export function traceHttpRequests(fastify: FastifyInstance): void {
  const traces = new WeakMap<FastifyRequest, RequestTrace>();
  fastify.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions.url;
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = startSpan(
      route ? `${request.method} ${route}` : request.method,
      SpanKind.SERVER,
      // The route pattern, never the path or query: those may hold tokens (signed links), and spans leave the platform.
      { [ATTR_HTTP_REQUEST_METHOD]: request.method, ...(route ? { [ATTR_HTTP_ROUTE]: route } : {}) },
      parent,
    );
    const active = trace.setSpan(parent, span);
    traces.set(request, { span, context: active });
    const { traceId, spanId, traceFlags } = span.spanContext();
    reply.header(TRACERESPONSE_HEADER, `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`);
    context.with(active, done);
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    const requestTrace = traces.get(request);
    if (requestTrace) context.with(requestTrace.context, done);
    else done();
  });
  const end = (request: FastifyRequest, statusCode: number | undefined): RequestTrace | undefined => {
    const requestTrace = traces.get(request);
    if (!requestTrace) return undefined;
    traces.delete(request);
    if (statusCode !== undefined) requestTrace.span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
    // Only server errors fail the span: a 4xx is the client's mistake, answered as designed.
    if (statusCode === undefined || statusCode >= 500) recordFailure(requestTrace.span, statusCode === undefined ? 'request aborted' : `HTTP ${statusCode}`, statusCode === undefined ? 'aborted' : String(statusCode));
    requestTrace.span.end();
    return requestTrace;
  };
  fastify.addHook('onResponse', (request, reply, done) => {
    const requestTrace = end(request, reply.statusCode);
    // The access log line (the next onResponse hook) carries the trace id.
    if (requestTrace) context.with(requestTrace.context, done);
    else done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    end(request, undefined);
    done();
  });
}
