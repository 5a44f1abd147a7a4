import { type AccessTokens, CommandError } from '@helpdesk/common';
import type { ExtendedError } from 'socket.io';
import type { RealtimeSocket } from './socket-types.js';

export const MISSING_TOKEN_MESSAGE = 'An access token is required in the handshake (auth.token)';

function refusal(message: string): ExtendedError {
  const error: ExtendedError = new Error(message);
  error.data = { code: 'UNAUTHORIZED' };
  return error;
}

/**
 * Socket.IO middleware: a connection is accepted only with a valid access token in `auth.token`.
 * A refusal reaches the client as `connect_error` with the reason as its message.
 */
export function authenticateHandshake(tokens: AccessTokens) {
  return (socket: RealtimeSocket, next: (error?: ExtendedError) => void): void => {
    const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
    if (typeof token !== 'string' || token.length === 0) return next(refusal(MISSING_TOKEN_MESSAGE));
    let verified: ReturnType<AccessTokens['verify']>;
    try {
      verified = tokens.verify(token);
    } catch (error) {
      if (error instanceof CommandError) return next(refusal(error.message));
      throw error;
    }
    const { expiresAt, ...principal } = verified;
    socket.data = { principal, expiresAt };
    next();
  };
}
