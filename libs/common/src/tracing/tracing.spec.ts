import { propagation, trace } from '@opentelemetry/api';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { OTLP_SPAN_KIND, OtlpReceiver, waitFor } from '@helpdesk/testing';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger.js';
import { activeSpanIds, activeTraceCarrier, contextFromHeaders, injectIntoHeaders, inSpan, SpanKind, startTracing, stopTracing, tracing, tracingRequested } from './tracing.js';

const identity = { service: 'ticket' as const, instanceId: 'abcd1234', version: '0.1.0' };

describe('tracing switched by OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  afterEach(async () => {
    await stopTracing();
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    delete process.env.OTEL_BSP_SCHEDULE_DELAY;
  });

  it('is on only with an endpoint and without OTEL_SDK_DISABLED', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: true })).toBe(false);
  });

  it('without an endpoint starts no SDK: no tracer provider, context manager or propagator is registered', async () => {
    expect(await startTracing(identity, {})).toBe(false);
    expect(tracing.enabled).toBe(false);
    expect(tracing.state).toBeUndefined();
    // The API's global provider still delegates to its no-op: nothing was registered.
    expect((trace.getTracerProvider() as unknown as { getDelegate(): object }).getDelegate().constructor.name).toBe('NoopTracerProvider');
    const headers = natsHeaders();
    await inSpan('nothing', SpanKind.INTERNAL, {}, undefined, async () => {
      injectIntoHeaders(headers);
      expect(activeSpanIds()).toBeUndefined();
      expect(activeTraceCarrier()).toBeUndefined();
    });
    expect(headers.has('traceparent')).toBe(false);
    expect(propagation.fields()).toEqual([]);
  });

  it('with an endpoint exports spans over OTLP, carries traceparent in NATS headers and puts the ids in log lines', async () => {
    const receiver = await OtlpReceiver.start();
    try {
      // The exporter reads the standard variables itself, as it does in a service started from its environment.
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.endpoint;
      process.env.OTEL_BSP_SCHEDULE_DELAY = '50';
      expect(await startTracing(identity, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint })).toBe(true);
      const stream = new PassThrough();
      const lines: string[] = [];
      stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().trim().split('\n')));
      const logger = createLogger({ service: 'ticket', config: { NODE_ENV: 'test', LOG_LEVEL: 'error' }, stream });

      const headers = natsHeaders();
      let caller: { traceId: string; spanId: string } | undefined;
      await inSpan('caller', SpanKind.CLIENT, {}, undefined, async () => {
        caller = activeSpanIds();
        injectIntoHeaders(headers);
        logger.error('inside the caller');
      });
      expect(headers.get('traceparent')).toBe(`00-${caller!.traceId}-${caller!.spanId}-01`);
      let carrier: Record<string, string> | undefined;
      await inSpan('handler', SpanKind.SERVER, {}, contextFromHeaders(headers), async () => {
        carrier = activeTraceCarrier();
      });
      expect(carrier?.traceparent).toMatch(new RegExp(`^00-${caller!.traceId}-[0-9a-f]{16}-01$`));
      expect(JSON.parse(lines[0]!)).toMatchObject({ message: 'inside the caller', traceId: caller!.traceId, spanId: caller!.spanId });
      // Outside any span, no ids.
      logger.error('outside');
      expect(JSON.parse(lines[1]!)).not.toHaveProperty('traceId');

      const spans = await waitFor('both spans exported', async () => (receiver.trace(caller!.traceId).length === 2 ? receiver.trace(caller!.traceId) : undefined), 10_000);
      const handler = spans.find((span) => span.name === 'handler')!;
      expect(handler).toMatchObject({ service: 'ticket', kind: OTLP_SPAN_KIND.server, parentSpanId: caller!.spanId });
      expect(spans.find((span) => span.name === 'caller')).toMatchObject({ kind: OTLP_SPAN_KIND.client, parentSpanId: undefined });
    } finally {
      await stopTracing();
      await receiver.stop();
    }
  });
});
