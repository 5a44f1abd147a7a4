import type { ErrorCode, ErrorEnvelope } from '@helpdesk/contracts';

/**
 * A command failed for a reason the caller should see. Thrown by handlers (and sent as the error
 * envelope) and rethrown on the calling side with the same code, so both ends speak one language.
 */
export class CommandError extends Error {
  override readonly name = 'CommandError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  static fromEnvelope(envelope: ErrorEnvelope): CommandError {
    return new CommandError(envelope.code, envelope.message, envelope.details);
  }

  toEnvelope(): ErrorEnvelope {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}
