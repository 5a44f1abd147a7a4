import { ExponentialBackoff, type IBackoff } from 'cockatiel';
import { ImapFlow } from 'imapflow';
import { inboundCrashPoint } from './inbound-crash-points.js';

export interface ImapSettings {
  host: string;
  port: number;
  /** Implicit TLS (IMAPS, usually port 993); without it the connection is upgraded with STARTTLS when the server offers it. */
  tls: boolean;
  user: string;
  password: string;
  folder: string;
}

/** One unread message of the folder, as the server stores it. */
export interface ImapMessage {
  uid: number;
  source: Buffer;
}

/** What the reader last did, for the mailbox's status in the API and console. */
export interface ImapReaderStatus {
  lastPollAt: Date | null;
  lastError: string | null;
  /** Connection or processing failures since the last success: tells a passing glitch from a mailbox that keeps failing. */
  consecutiveFailures: number;
  messagesRead: number;
}

export interface ImapReaderOptions {
  /** Between two reads of the folder when the server offers no IDLE, and at the latest even with it. */
  pollSeconds: number;
  /** Reconnect delays: exponential with jitter from initialDelay, at most maxDelay (milliseconds). */
  backoff?: { initialDelay: number; maxDelay: number };
  connectionTimeoutMs?: number;
  onStatus?(status: ImapReaderStatus): void;
  onError?(error: Error): void;
}

/**
 * Reads one mailbox's folder over IMAP and hands every unread message to `deliver`, oldest first.
 * A message is flagged `\Seen` only after `deliver` resolved (its ticket change committed), so a
 * crash or a failed delivery leaves it unread and it is read again; deliver must therefore be
 * idempotent (the pipeline records each (mailbox, Message-ID) once). New mail is noticed through
 * IDLE where the server offers it (imapflow idles whenever the connection is quiet, else it polls
 * with NOOP) and by reading the folder every `pollSeconds` regardless. A lost connection is
 * re-established with backoff for as long as the reader runs. A failed delivery ends the session
 * the same way, so a message that can never be delivered must be settled by the pipeline (kept
 * and recorded as failed), not thrown back here.
 */
export class ImapMailboxReader {
  private readonly state: ImapReaderStatus = { lastPollAt: null, lastError: null, consecutiveFailures: 0, messagesRead: 0 };
  private client?: ImapFlow;
  private running?: Promise<void>;
  private stopping = false;
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly settings: ImapSettings,
    private readonly deliver: (message: ImapMessage) => Promise<void>,
    private readonly options: ImapReaderOptions,
  ) {}

  get status(): ImapReaderStatus {
    return { ...this.state };
  }

  start(): void {
    this.stopping = false;
    this.running ??= this.run().finally(() => (this.running = undefined));
  }

  /** Stops reading: the message being delivered is finished (and flagged) first, then the connection is closed. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp();
    await this.running;
  }

  private async run(): Promise<void> {
    const backoffFactory = new ExponentialBackoff({ initialDelay: this.options.backoff?.initialDelay ?? 1_000, maxDelay: this.options.backoff?.maxDelay ?? 60_000 });
    let backoff: IBackoff<unknown> | undefined;
    while (!this.stopping) {
      try {
        await this.session(() => (backoff = undefined));
      } catch (error) {
        this.fail(error);
      }
      if (this.stopping) break;
      backoff = backoff ? backoff.next(undefined) : backoffFactory.next();
      await this.sleep(backoff.duration);
    }
  }

  /** One connection: read what is unread, then wait for new mail or the poll interval, until the connection fails or the reader stops. */
  private async session(connected: () => void): Promise<void> {
    const client = new ImapFlow({
      host: this.settings.host,
      port: this.settings.port,
      secure: this.settings.tls,
      auth: { user: this.settings.user, pass: this.settings.password },
      logger: false,
      connectionTimeout: this.options.connectionTimeoutMs ?? 30_000,
      // IDLE soon after a read (default 15 s): new mail then arrives as EXISTS, not at the next poll.
      autoIdleDelay: 1_000,
    });
    this.client = client;
    // Without a listener an 'error' event would crash the process; the failure surfaces through 'close' and the next command.
    client.on('error', (error: Error) => this.options.onError?.(error));
    const closed = new Promise<void>((resolve) => client.once('close', resolve));
    client.on('exists', () => this.wakeUp());
    try {
      await client.connect();
      await client.mailboxOpen(this.settings.folder);
      connected();
      while (!this.stopping && client.usable) {
        // The lock only while reading: imapflow idles (IDLE, or NOOP where the server has none) only when no lock is held.
        const lock = await client.getMailboxLock(this.settings.folder);
        try {
          await this.readUnseen(client);
        } finally {
          lock.release();
        }
        this.succeed();
        await Promise.race([this.sleep(this.options.pollSeconds * 1_000), closed]);
      }
      if (!this.stopping) throw new Error(`The IMAP server ${this.settings.host}:${this.settings.port} closed the connection`);
    } finally {
      this.client = undefined;
      // A polite LOGOUT, but a server that stopped answering must not hold up stop() or the reconnect.
      if (client.usable) await Promise.race([client.logout().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      client.close();
    }
  }

  private async readUnseen(client: ImapFlow): Promise<void> {
    const uids = (await client.search({ seen: false }, { uid: true })) || [];
    for (const uid of [...uids].sort((a, b) => a - b)) {
      if (this.stopping) return;
      const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
      if (!message || !message.source) continue; // expunged by another client meanwhile
      await this.deliver({ uid, source: message.source });
      inboundCrashPoint('after-commit');
      await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
      this.state.messagesRead += 1;
    }
  }

  private succeed(): void {
    this.state.lastPollAt = new Date();
    this.state.lastError = null;
    this.state.consecutiveFailures = 0;
    this.options.onStatus?.(this.status);
  }

  private fail(error: unknown): void {
    this.state.lastError = describeImapError(error, this.settings.user);
    this.state.consecutiveFailures += 1;
    this.options.onStatus?.(this.status);
  }

  private wakeUp(): void {
    for (const finish of [...this.sleepers]) finish();
  }

  /** Waits, cut short by new mail (IDLE's EXISTS) or stop(). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopping) return resolve(); // stop() came while a read was under way: nothing left to wake
      const finish = () => {
        clearTimeout(timer);
        this.sleepers.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.sleepers.add(finish);
    });
  }
}

/** imapflow's errors say "Command failed" and keep the server's words apart: an admin needs those. */
function describeImapError(error: unknown, user: string): string {
  if (!(error instanceof Error)) return String(error);
  const details = error as Error & { authenticationFailed?: boolean; responseText?: string; code?: string };
  if (details.authenticationFailed) return `The IMAP server refused the login of ${user}${details.responseText ? `: ${details.responseText}` : ''}`;
  if (details.responseText) return `${error.message}: ${details.responseText}`;
  return details.code && !error.message.includes(details.code) ? `${error.message} (${details.code})` : error.message;
}

/**
 * Logs in and opens the folder, as the reader will: the problem in an admin's words (login refused,
 * server unreachable, folder missing), or null when the mailbox can be read. Bounded by `timeoutMs`
 * altogether, so a server that accepts the connection and then says nothing cannot hold a save.
 */
export async function checkImapConnection(settings: ImapSettings, timeoutMs: number): Promise<string | null> {
  const where = `${settings.host}:${settings.port}`;
  const client = new ImapFlow({
    host: settings.host,
    port: settings.port,
    secure: settings.tls,
    auth: { user: settings.user, pass: settings.password },
    logger: false,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  client.on('error', () => undefined); // reported through the failed command below
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`The IMAP server ${where} did not answer within ${Math.round(timeoutMs / 1000)} s`), timeoutMs);
  });
  const attempt = async (): Promise<string | null> => {
    try {
      await client.connect();
    } catch (error) {
      const details = error as Error & { authenticationFailed?: boolean; code?: string };
      if (details.authenticationFailed) return describeImapError(error, settings.user);
      return `The IMAP server ${where} cannot be reached: ${describeImapError(error, settings.user)}`;
    }
    try {
      await client.mailboxOpen(settings.folder, { readOnly: true });
      return null;
    } catch (error) {
      return `The folder "${settings.folder}" cannot be opened on the IMAP server: ${describeImapError(error, settings.user)}`;
    }
  };
  try {
    return await Promise.race([attempt(), timedOut]);
  } finally {
    clearTimeout(timer);
    if (client.usable) await Promise.race([client.logout().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    client.close();
  }
}
