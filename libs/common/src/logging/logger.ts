import { ClsServiceManager } from 'nestjs-cls';
import winston from 'winston';
import type { ServiceConfig } from '../config/service-config.js';
import { activeSpanIds } from '../tracing/tracing.js';

const ROTATE_AT_BYTES = 15 * 1024 * 1024;
const ROTATED_FILES_KEPT = 10;

/** Adds the service name and, inside a request or command, its request id (and, when traced, the trace and span ids) to every line. */
const serviceContext = winston.format((info, options?: unknown) => {
  info.service = (options as { service: string }).service;
  const cls = ClsServiceManager.getClsService();
  const requestId = cls.isActive() ? cls.getId() : undefined;
  if (requestId && info.requestId === undefined) info.requestId = requestId;
  const span = activeSpanIds();
  if (span) {
    info.traceId = span.traceId;
    info.spanId = span.spanId;
  }
  return info;
});

const readableLine = winston.format.printf(({ timestamp, level, message, context, requestId, traceId, spanId: _spanId, service, stack, ...meta }) => {
  const scope = context ? ` [${String(context)}]` : '';
  const request = requestId || traceId ? ` (${[requestId, traceId && `trace ${String(traceId)}`].filter(Boolean).join(', ')})` : '';
  const extra = Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta)}` : '';
  const trace = stack ? `\n${String(stack)}` : '';
  return `${String(timestamp)} ${level}${scope}${request}: ${String(message)}${extra}${trace}`;
});

export interface LoggerOptions {
  service: string;
  config: Pick<ServiceConfig, 'NODE_ENV' | 'LOG_LEVEL' | 'LOG_DIR'>;
  /** Extra destination, used by tests to read what the service logged. */
  stream?: NodeJS.WritableStream;
}

export function createLogger({ service, config, stream }: LoggerOptions): winston.Logger {
  const json = winston.format.combine(serviceContext({ service }), winston.format.timestamp(), winston.format.errors({ stack: true }), winston.format.json());
  const readable = winston.format.combine(
    serviceContext({ service }),
    winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
    winston.format.errors({ stack: true }),
    winston.format.colorize(),
    readableLine,
  );
  const transports: winston.transport[] = [
    new winston.transports.Console({ format: config.NODE_ENV === 'production' ? json : readable }),
  ];
  if (config.LOG_DIR) {
    const rotating = { maxsize: ROTATE_AT_BYTES, maxFiles: ROTATED_FILES_KEPT, tailable: true, format: json };
    transports.push(
      new winston.transports.File({ ...rotating, dirname: config.LOG_DIR, filename: `${service}.log` }),
      new winston.transports.File({ ...rotating, dirname: config.LOG_DIR, filename: `${service}.error.log`, level: 'error' }),
    );
  }
  if (stream) transports.push(new winston.transports.Stream({ stream, format: json }));
  return winston.createLogger({ level: config.LOG_LEVEL, transports, exitOnError: false });
}
