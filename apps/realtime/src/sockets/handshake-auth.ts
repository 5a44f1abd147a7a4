import { type AccessTokens, CommandError } from '@helpdesk/common';
import type { RealtimeRefusalCode } from '@helpdesk/contracts';
import type { ExtendedError } from 'socket.io';
import type { RealtimeSocket } from './socket-types.js';

export const MISSING_TOKEN_MESSAGE = 'An access token is required in the handshake (auth.token)';

/** A handshake refusal: the client's `connect_error` carries the message and `data.code`. */
export function refusal(message: string, code: RealtimeRefusalCode): ExtendedError {
  const error: ExtendedError = new Error(message);
  error.data = { code };
  return error;
}

/**
 * Socket.IO middleware: a connection is accepted only with a valid access token in `auth.token`.
 * A refusal reaches the client as `connect_error` with the reason as its message.
 */
export function authenticateHandshake(tokens: AccessTokens, onRefused: () => void) {
  return (socket: RealtimeSocket, next: (error?: ExtendedError) => void): void => {
    const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
    if (typeof token !== 'string' || token.length === 0) {
      onRefused();
      return next(refusal(MISSING_TOKEN_MESSAGE, 'UNAUTHORIZED'));
    }
    let verified: ReturnType<AccessTokens['verify']>;
    try {
      verified = tokens.verify(token);
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      onRefused();
      return next(refusal(error.message, 'UNAUTHORIZED'));
    }
    const { expiresAt, ...principal } = verified;
    socket.data = { principal, expiresAt, sentPresence: new Map(), replaying: false };
    next();
  };
}
