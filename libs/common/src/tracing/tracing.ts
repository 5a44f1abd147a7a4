import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
} from '@opentelemetry/api';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { ServiceIdentity } from '../service-identity.js';

/** Semantic-convention names still "incubating" (absent from the package's stable entry point, whose constants we use elsewhere). */
export const MESSAGING_SYSTEM = 'messaging.system';
export const MESSAGING_DESTINATION = 'messaging.destination.name';
export const MESSAGING_OPERATION = 'messaging.operation.type';
export const MESSAGING_MESSAGE_ID = 'messaging.message.id';
const SERVICE_INSTANCE_ID = 'service.instance.id';

/** The W3C Trace Context headers, as carried in HTTP, NATS command headers and JetStream event headers. */
export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

/** What the propagator writes and reads: `traceparent` and, when there is one, `tracestate`. */
export type TraceCarrier = Record<string, string>;

/** Read and write NATS headers (MsgHdrs) through the OpenTelemetry propagator. */
export interface HeaderAccess {
  get(key: string): string;
  set(key: string, value: string): void;
}
const natsHeaderSetter: TextMapSetter<HeaderAccess> = { set: (headers, key, value) => headers.set(key, value) };
const natsHeaderGetter: TextMapGetter<Pick<HeaderAccess, 'get'> | undefined> = {
  // MsgHdrs answers "" for a missing header.
  get: (headers, key) => headers?.get(key) || undefined,
  keys: () => [TRACEPARENT_HEADER, TRACESTATE_HEADER],
};

interface TracingState {
  tracer: Tracer;
  shutdown(): Promise<void>;
}

/**
 * Set once at start-up, when OTEL_EXPORTER_OTLP_ENDPOINT (or its traces-only form) is set. Every hot
 * path checks `tracing.enabled` first, so with tracing off a request costs one property read, and
 * the SDK is never loaded.
 */
export const tracing: { enabled: boolean; state?: TracingState } = { enabled: false };

export interface TracingSettings {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  OTEL_SDK_DISABLED?: boolean;
}

/** Whether these settings turn tracing on: an OTLP endpoint is configured and the SDK is not disabled. */
export function tracingRequested(settings: TracingSettings): boolean {
  return !settings.OTEL_SDK_DISABLED && Boolean(settings.OTEL_EXPORTER_OTLP_ENDPOINT || settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Starts the OpenTelemetry trace SDK for this process when the settings ask for it, exporting over
 * OTLP/HTTP (JSON). The exporter, sampler and batch processor read the standard OTEL_* variables
 * themselves (endpoint, headers, timeout, OTEL_TRACES_SAMPLER, OTEL_BSP_*); OTEL_SERVICE_NAME and
 * OTEL_RESOURCE_ATTRIBUTES override the resource we describe. Answers whether tracing is on.
 */
export async function startTracing(identity: ServiceIdentity, settings: TracingSettings): Promise<boolean> {
  if (tracing.enabled || !tracingRequested(settings)) return tracing.enabled;
  // Loaded only here: with tracing off the process never loads the SDK.
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes, defaultResource, detectResources, envDetector }, { W3CTraceContextPropagator }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/core'),
  ]);
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: identity.service, [ATTR_SERVICE_VERSION]: identity.version, [SERVICE_INSTANCE_ID]: identity.instanceId }))
    // Last, so OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win.
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
  // Trace context only: W3C baggage from a client has no business travelling through our services.
  provider.register({ propagator: new W3CTraceContextPropagator() });
  tracing.state = { tracer: provider.getTracer('helpdesk', identity.version), shutdown: () => provider.shutdown() };
  tracing.enabled = true;
  return true;
}

/** Exports what is buffered and stops the SDK (the service's shutdown calls it last). */
export async function stopTracing(): Promise<void> {
  const state = tracing.state;
  if (!state) return;
  tracing.enabled = false;
  tracing.state = undefined;
  await state.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
}

function tracer(): Tracer {
  return tracing.state!.tracer;
}

/** A context whose parent is the remote span these headers name (W3C traceparent), or the root context. */
export function contextFromHeaders(headers: Pick<HeaderAccess, 'get'> | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, headers, natsHeaderGetter);
}

/** A context whose parent is the remote span this carrier names. */
export function contextFromCarrier(carrier: TraceCarrier | null | undefined): Context {
  return carrier ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
}

/** Writes the span of `parent` (the active context by default) into NATS headers. */
export function injectIntoHeaders(headers: HeaderAccess, parent: Context = context.active()): void {
  propagation.inject(parent, headers, natsHeaderSetter);
}

/** The active span's trace context as a plain carrier, for storing with a row (the outbox); undefined when tracing is off or no span is active. */
export function activeTraceCarrier(): TraceCarrier | undefined {
  if (!tracing.enabled || !trace.getActiveSpan()) return undefined;
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return carrier[TRACEPARENT_HEADER] ? carrier : undefined;
}

/** Starts a span (not made active); only call when `tracing.enabled`. */
export function startSpan(name: string, kind: SpanKind, attributes: Attributes, parent: Context = context.active()): Span {
  return tracer().startSpan(name, { kind, attributes }, parent);
}

/** Runs `work` with `span` as the active span. */
export function withSpan<T>(span: Span, work: () => T, parent: Context = context.active()): T {
  return context.with(trace.setSpan(parent, span), work);
}

/** Marks the span failed with the error's message (not its stack: spans leave the platform). */
export function recordFailure(span: Span, error: unknown, errorType?: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  if (errorType) span.setAttribute('error.type', errorType);
}

/**
 * Runs `work` inside a new span that ends when it settles, failed if it throws. With tracing off it
 * only calls `work`.
 */
export async function inSpan<T>(name: string, kind: SpanKind, attributes: Attributes, parent: Context | undefined, work: () => Promise<T>): Promise<T> {
  if (!tracing.enabled) return work();
  const span = startSpan(name, kind, attributes, parent ?? context.active());
  try {
    return await withSpan(span, work, parent ?? context.active());
  } catch (error) {
    recordFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** The ids a log line carries while a span is active. */
export function activeSpanIds(): { traceId: string; spanId: string } | undefined {
  if (!tracing.enabled) return undefined;
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

export { SpanKind, SpanStatusCode };
export type { Span, Context };
