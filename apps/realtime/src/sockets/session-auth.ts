import { Inject, Injectable } from '@nestjs/common';
import { AccessTokens, CommandClient, CommandError } from '@helpdesk/common';
import { subjects, type ErrorCode, type MeReply, type Principal, type RealtimeRefusalCode } from '@helpdesk/contracts';
import type { ExtendedError } from 'socket.io';
import { RealtimeMetrics } from './realtime-metrics.js';
import type { RealtimeSocket } from './socket-types.js';

export const MISSING_TOKEN_MESSAGE = 'An access token is required in the handshake (auth.token)';
export const ACCOUNT_UNCHECKED_MESSAGE = 'Your account could not be checked just now: connect again in a moment';

/** The ticket service's answers that mean the account is gone or not this organization's; any other failure means it could not be asked. */
const ACCOUNT_REFUSALS: readonly ErrorCode[] = ['UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND'];

/** A handshake refusal: the client's `connect_error` carries the message and `data.code`. */
export function refusal(message: string, code: RealtimeRefusalCode): ExtendedError {
  const error: ExtendedError = new Error(message);
  error.data = { code };
  return error;
}

/** What a `session:reauthenticate` comes to; `revoke`: the connection must end (deactivated, or its rooms no longer fit the role). */
export type RenewalVerdict = { ok: true; expiresAt: Date } | { ok: false; error: ErrorCode; revoke: boolean };

/**
 * Who is on a connection: a valid access token, of an account the ticket service says is still
 * active, with the role it has now (not the one in the token). Checked at the handshake and again
 * at every token renewal, so a deactivated or demoted agent stops receiving staff events then
 * rather than when the last token expires.
 */
@Injectable()
export class SessionAuth {
  constructor(
    @Inject(AccessTokens) private readonly tokens: AccessTokens,
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(RealtimeMetrics) private readonly metrics: RealtimeMetrics,
  ) {}

  /** Socket.IO middleware: a refusal reaches the client as `connect_error` with the reason as its message. */
  handshake() {
    return (socket: RealtimeSocket, next: (error?: ExtendedError) => void): void => {
      void this.admit(socket).then(next);
    };
  }

  /** Checks a fresh token for a connection of `connected`: the same user and organization, still active, with the same role. */
  async renewal(connected: Principal, token: unknown): Promise<RenewalVerdict> {
    if (typeof token !== 'string' || token.length === 0) return { ok: false, error: 'VALIDATION', revoke: false };
    let expiresAt: Date;
    try {
      const verified = this.tokens.verify(token);
      // A client mistake, not a change of the account: the connection goes on until its own token expires.
      if (verified.userId !== connected.userId || verified.orgId !== connected.orgId) return { ok: false, error: 'FORBIDDEN', revoke: false };
      expiresAt = verified.expiresAt;
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      return { ok: false, error: 'UNAUTHORIZED', revoke: false };
    }
    let account: Principal;
    try {
      account = await this.currentAccount(connected);
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      // Not renewed when the ticket service cannot tell: the connection ends with its current token unless a retry succeeds.
      if (!ACCOUNT_REFUSALS.includes(error.code)) return { ok: false, error: error.code, revoke: false };
      return { ok: false, error: 'UNAUTHORIZED', revoke: true };
    }
    // The rooms were chosen for the role: a new connection gets those of the new one.
    if (account.role !== connected.role) return { ok: false, error: 'FORBIDDEN', revoke: true };
    return { ok: true, expiresAt };
  }

  private async admit(socket: RealtimeSocket): Promise<ExtendedError | undefined> {
    const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
    if (typeof token !== 'string' || token.length === 0) return this.refuse('unauthorized', refusal(MISSING_TOKEN_MESSAGE, 'UNAUTHORIZED'));
    let claimed: ReturnType<AccessTokens['verify']>;
    try {
      claimed = this.tokens.verify(token);
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      return this.refuse('unauthorized', refusal(error.message, 'UNAUTHORIZED'));
    }
    let principal: Principal;
    try {
      principal = await this.currentAccount(claimed);
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      if (!ACCOUNT_REFUSALS.includes(error.code)) return this.refuse('unavailable', refusal(ACCOUNT_UNCHECKED_MESSAGE, 'UNAVAILABLE'));
      return this.refuse('unauthorized', refusal(error.message, 'UNAUTHORIZED'));
    }
    socket.data = { principal, expiresAt: claimed.expiresAt, sentPresence: new Map(), replayAllowedAt: 0 };
    return undefined;
  }

  /** The account as the ticket service knows it now: `auth.me` refuses an unknown or deactivated user, and answers the current role. */
  private async currentAccount({ orgId, userId, role }: Principal): Promise<Principal> {
    const { user } = await this.commands.request<MeReply>(subjects.auth.me, { principal: { orgId, userId, role } });
    return { orgId: user.organizationId, userId: user.id, role: user.role };
  }

  private refuse(reason: 'unauthorized' | 'unavailable', error: ExtendedError): ExtendedError {
    this.metrics.refusedConnections.inc({ reason });
    return error;
  }
}
