import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { answers, freePort, waitFor } from './ports.js';

/** Debian's Dovecot (package dovecot-imapd, installed by the test preparation when missing). */
export const DOVECOT_BINARY = process.env.DOVECOT_BINARY || '/usr/sbin/dovecot';

export interface ImapAccount {
  user: string;
  password: string;
}

/**
 * A real Dovecot IMAP server private to one test file: its own free port, configuration, password
 * file and maildirs in a throwaway directory. Plain IMAP on 127.0.0.1 only (no TLS): what the
 * mailbox reader must cope with is the protocol and the server going away, not certificates.
 */
export class TestImapServer {
  private process?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly directory: string,
  ) {}

  static async start(accounts: ImapAccount[]): Promise<TestImapServer> {
    if (!existsSync(DOVECOT_BINARY)) throw new Error(`Dovecot is not installed at ${DOVECOT_BINARY}: run apt-get install -y dovecot-imapd (npm test does it when it may)`);
    const directory = mkdtempSync(join(tmpdir(), 'helpdesk-imap-'));
    // Dovecot's auth and login processes run as its own unprivileged users and must read these files.
    chmodSync(directory, 0o755);
    for (const sub of ['mail', 'run', 'state']) mkdirSync(join(directory, sub), { recursive: true });
    chmodSync(join(directory, 'mail'), 0o777);
    const passwords = join(directory, 'passwd');
    writeFileSync(passwords, accounts.map((account) => `${account.user}:{PLAIN}${account.password}::::::\n`).join(''), { mode: 0o644 });
    const server = new TestImapServer(await freePort(), directory);
    writeFileSync(server.configFile, server.configuration(passwords));
    await server.startProcess();
    return server;
  }

  get host(): string {
    return '127.0.0.1';
  }

  private get configFile(): string {
    return join(this.directory, 'dovecot.conf');
  }

  private configuration(passwords: string): string {
    const mailRoot = join(this.directory, 'mail');
    return `base_dir = ${join(this.directory, 'run')}
state_dir = ${join(this.directory, 'state')}
log_path = ${join(this.directory, 'dovecot.log')}
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# Refuse a wrong password at once (default: 2 s), so the reader's error path is quick to test.
auth_failure_delay = 0
mail_location = maildir:${mailRoot}/%n
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${passwords}
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${mailRoot}/%n
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${this.port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`;
  }

  private async startProcess(): Promise<void> {
    // -F keeps the master in the foreground, so it is this test's child and dies with it; its own process
    // group lets stop() take down the login and imap processes too, which outlive a stopped master.
    this.process = spawn(DOVECOT_BINARY, ['-F', '-c', this.configFile], { stdio: 'ignore', detached: true });
    await waitFor(`Dovecot on port ${this.port}`, () => answers(this.port), 15_000);
  }

  /** Stops the server abruptly (clients see their connection drop), keeping its mail for restart(). */
  async stop(): Promise<void> {
    const process = this.process;
    this.process = undefined;
    if (!process || process.exitCode !== null) return;
    const exited = new Promise((resolve) => process.once('exit', resolve));
    // The whole group at once, as a crashed or powered-off server: every open session drops.
    globalThis.process.kill(-process.pid!, 'SIGKILL');
    await exited;
    await waitFor(`Dovecot on port ${this.port} to close`, async () => !(await answers(this.port)), 10_000);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.startProcess();
  }

  /** What Dovecot logged: read when a test fails, to tell a client error from a server one. */
  log(): string {
    const path = join(this.directory, 'dovecot.log');
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  }

  /** A client for the test's own checks (APPEND, flags), logged in as the account. */
  async client(account: ImapAccount): Promise<ImapFlow> {
    const client = new ImapFlow({ host: this.host, port: this.port, secure: false, auth: { user: account.user, pass: account.password }, logger: false });
    await client.connect();
    return client;
  }

  /** Delivers a raw message into a folder with IMAP APPEND, as another mail client or an MTA would. */
  async append(account: ImapAccount, raw: string | Buffer, folder = 'INBOX', flags: string[] = []): Promise<void> {
    const client = await this.client(account);
    try {
      await client.append(folder, raw, flags);
    } finally {
      await client.logout();
    }
  }

  /** The flags of every message in a folder, by Message-ID. */
  async flagsByMessageId(account: ImapAccount, folder = 'INBOX'): Promise<Map<string, Set<string>>> {
    const client = await this.client(account);
    const flags = new Map<string, Set<string>>();
    try {
      const lock = await client.getMailboxLock(folder);
      try {
        if ((client.mailbox && client.mailbox.exists) === 0) return flags;
        for await (const message of client.fetch('1:*', { envelope: true, flags: true })) {
          flags.set(message.envelope?.messageId ?? `uid ${message.uid}`, message.flags ?? new Set());
        }
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
    return flags;
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.directory, { recursive: true, force: true });
  }
}
