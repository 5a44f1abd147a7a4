import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Inject, Logger } from '@nestjs/common';
import type { ErrorEnvelope, HttpErrorBody } from '@helpdesk/contracts';
import type { FastifyReply } from 'fastify';
import { ClsService } from 'nestjs-cls';
import { throwError, type Observable } from 'rxjs';
import { CommandError } from './command-error.js';
import { isDependencyOutage } from './dependency-outage.js';
import { errorCodeForHttpStatus, httpStatusForErrorCode } from './http-status.js';
import { INVALID_INPUT_MESSAGE, isInvalidInputError } from './invalid-input.js';

/**
 * The one place where failures become answers: the error envelope for NATS commands, the
 * `{ statusCode, error, message, requestId }` body for HTTP. Unexpected errors are logged with their
 * stack here and answered without internals.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(@Inject(ClsService) private readonly cls: ClsService) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() === 'rpc') return throwError(() => this.toEnvelope(exception));
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const body = this.toHttpBody(exception);
    void reply.status(body.statusCode).send(body);
  }

  /** The envelope a NATS command answers; also the gateway's public NATS commands' error reply. */
  toEnvelope(exception: unknown): ErrorEnvelope {
    if (exception instanceof CommandError) return exception.toEnvelope();
    if (exception instanceof HttpException) {
      const { message, details } = this.describeHttpException(exception);
      const envelope: ErrorEnvelope = { code: errorCodeForHttpStatus(exception.getStatus()), message };
      return details === undefined ? envelope : { ...envelope, details };
    }
    if (isDependencyOutage(exception)) return { code: 'UNAVAILABLE', message: this.outageMessage(exception) };
    if (isInvalidInputError(exception)) return { code: 'VALIDATION', message: this.invalidInputMessage(exception) };
    this.logUnexpected(exception);
    return { code: 'INTERNAL', message: 'Internal error' };
  }

  private toHttpBody(exception: unknown): HttpErrorBody {
    const requestId = this.cls.isActive() ? this.cls.getId() : undefined;
    if (exception instanceof CommandError) {
      const statusCode = httpStatusForErrorCode(exception.code);
      if (statusCode >= HttpStatus.INTERNAL_SERVER_ERROR) this.logger.warn(`${exception.code}: ${exception.message}`);
      const body: HttpErrorBody = { statusCode, error: reasonPhrase(statusCode), message: exception.message, requestId };
      // Validation messages read as a list, like the gateway's own validation errors; other details travel as they are.
      if (Array.isArray(exception.details)) body.message = exception.details as string[];
      else if (exception.details !== undefined) body.details = exception.details;
      return body;
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const { message, details } = this.describeHttpException(exception);
      return { statusCode, error: reasonPhrase(statusCode), message: Array.isArray(details) ? (details as string[]) : message, requestId };
    }
    if (isDependencyOutage(exception)) {
      const statusCode = HttpStatus.SERVICE_UNAVAILABLE;
      return { statusCode, error: reasonPhrase(statusCode), message: this.outageMessage(exception), requestId };
    }
    if (isInvalidInputError(exception)) {
      const statusCode = HttpStatus.BAD_REQUEST;
      return { statusCode, error: reasonPhrase(statusCode), message: this.invalidInputMessage(exception), requestId };
    }
    this.logUnexpected(exception);
    const statusCode = HttpStatus.INTERNAL_SERVER_ERROR;
    return { statusCode, error: reasonPhrase(statusCode), message: 'Internal server error', requestId };
  }

  private describeHttpException(exception: HttpException): { message: string; details?: unknown } {
    const response = exception.getResponse();
    if (typeof response === 'string') return { message: response };
    const { message } = response as { message?: unknown };
    if (Array.isArray(message)) {
      // Several rules of one field may share a message (a ticket number's type and range): say it once.
      const problems = [...new Set(message)];
      return { message: problems.join('; '), details: problems };
    }
    return { message: typeof message === 'string' ? message : exception.message };
  }

  /** A dependency outage is logged without a stack (it is not a bug) and answered without internals. */
  private outageMessage(exception: unknown): string {
    this.logger.warn(`A backing service is unavailable: ${exception instanceof Error ? exception.message : String(exception)}`);
    return 'A backing service is temporarily unavailable; retry shortly';
  }

  /**
   * A value PostgreSQL refused: the client's fault, answered 400 without the driver's words. Logged as a
   * warning with them, so the field that lacks a validation rule can be found and given one.
   */
  private invalidInputMessage(exception: unknown): string {
    this.logger.warn(`PostgreSQL refused a value from a request: ${exception instanceof Error ? exception.message : String(exception)}`);
    return INVALID_INPUT_MESSAGE;
  }

  /**
   * A bug, not a refusal or an outage: marked critical so the admins hear of it (as the replaced
   * platform's mail_admins did for every 500). The alert carries the message and request id only;
   * the stack stays in this service's log.
   */
  private logUnexpected(exception: unknown): void {
    const requestId = this.cls.isActive() ? this.cls.getId() : undefined;
    const message = exception instanceof Error ? exception.message : `Non-error thrown: ${String(exception)}`;
    this.logger.error({ message, critical: true, ...(requestId ? { requestId } : {}) }, exception instanceof Error ? exception.stack : undefined);
  }
}

function reasonPhrase(status: number): string {
  const name = HttpStatus[status];
  return name ? name.toLowerCase().split('_').map((word) => word[0]!.toUpperCase() + word.slice(1)).join(' ') : 'Error';
}
