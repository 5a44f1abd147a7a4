import { createServer, type Server, type Socket } from 'node:net';
import { freePort } from '@helpdesk/testing';

/**
 * Where a failure is answered. `connection` is a server going down: new sessions get it as their
 * greeting and open ones (a client's connection pool) at their next command, and are closed.
 */
export type SmtpStage = 'connection' | 'mail' | 'rcpt' | 'data';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  headers: Map<string, string>;
  subject: string;
  text: string;
  html: string;
}

interface Failure {
  stage: SmtpStage;
  reply: string;
  remaining: number;
}

interface MimePart {
  headers: Map<string, string>;
  body: string;
}

/** Header names lower-cased, folded lines joined. */
function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function decodeWords(value: string): string {
  return value.replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, encoding: string, text: string) =>
    encoding.toLowerCase() === 'b' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')),
  ).replace(/\?=\s+=\?/g, '');
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** The part's content as a mail client shows it: transfer encoding undone, SMTP's CRLF line ends read as LF. */
function decodeBody(part: MimePart): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const body = part.body.replace(/\r\n$/, '');
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8').replace(/\r\n/g, '\n');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body).replace(/\r\n/g, '\n');
  return body.replace(/\r\n/g, '\n');
}

function splitPart(raw: string): MimePart {
  const end = raw.indexOf('\r\n\r\n');
  return end < 0 ? { headers: parseHeaders(raw), body: '' } : { headers: parseHeaders(raw.slice(0, end)), body: raw.slice(end + 4) };
}

/** Leaf parts of a message, depth first. */
function leafParts(part: MimePart): MimePart[] {
  const boundary = /boundary="?([^";]+)"?/i.exec(part.headers.get('content-type') ?? '')?.[1];
  if (!boundary) return [part];
  const sections = part.body.split(`--${boundary}`).slice(1);
  return sections.filter((section) => !section.startsWith('--')).flatMap((section) => leafParts(splitPart(section.replace(/^\r\n/, ''))));
}

function parseMail(from: string, to: string[], raw: string): ReceivedMail {
  const message = splitPart(raw);
  const parts = leafParts(message);
  const ofType = (type: string) => {
    const part = parts.find((candidate) => (candidate.headers.get('content-type') ?? 'text/plain').toLowerCase().startsWith(type));
    return part ? decodeBody(part) : '';
  };
  return { from, to, raw, headers: message.headers, subject: decodeWords(message.headers.get('subject') ?? ''), text: ofType('text/plain'), html: ofType('text/html') };
}

/**
 * A real SMTP server on a local port that keeps what it receives: just enough of RFC 5321 for
 * nodemailer (EHLO/HELO, MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT), with failures on demand
 * (421 from a server going down, 550 at RCPT for an unknown mailbox).
 */
export class SmtpSink {
  readonly mails: ReceivedMail[] = [];
  private failures: Failure[] = [];
  private readonly sockets = new Set<Socket>();
  private holdFrom = Number.POSITIVE_INFINITY;
  /** Messages fully transmitted but not answered yet (see holdAfter). */
  held = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<SmtpSink> {
    const port = await freePort();
    let sink!: SmtpSink;
    const server = createServer((socket) => sink.serve(socket));
    sink = new SmtpSink(server, port);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return sink;
  }

  /** Mails whose envelope includes this recipient. */
  mailsTo(address: string): ReceivedMail[] {
    return this.mails.filter((mail) => mail.to.includes(address.toLowerCase()));
  }

  /** The next `times` sessions (default: all) answer `code` at `stage`. */
  failWith(stage: SmtpStage, code: number, times = Number.POSITIVE_INFINITY): void {
    const text = code >= 500 ? 'Requested action not taken: mailbox unavailable' : 'Service not available, closing transmission channel';
    this.failures.push({ stage, reply: `${code} ${text}`, remaining: times });
  }

  /** Answers normally again. */
  recover(): void {
    this.failures = [];
  }

  /**
   * Once `count` mails are accepted, every further message is received but never answered: the
   * sender is left waiting for the 250 that would make the sink responsible for it, as with a server
   * that stalls. Such a message is not kept, since the sender cannot know it arrived.
   */
  holdAfter(count: number): void {
    this.holdFrom = count;
  }

  /** Stops holding; held sessions stay unanswered until their client goes away. */
  release(): void {
    this.holdFrom = Number.POSITIVE_INFINITY;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private takeFailure(stage: SmtpStage): string | undefined {
    const failure = this.failures.find((candidate) => candidate.stage === stage && candidate.remaining > 0);
    if (!failure) return undefined;
    failure.remaining -= 1;
    return failure.reply;
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    const reply = (line: string) => socket.write(`${line}\r\n`);
    const refusal = this.takeFailure('connection');
    if (refusal) {
      reply(refusal);
      socket.end();
      return;
    }
    reply('220 sink.test ESMTP test sink');

    let buffer = '';
    let inData = false;
    let from = '';
    let to: string[] = [];
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          const raw = Buffer.from(buffer.slice(0, end + 2), 'latin1').toString('utf8').replace(/^\.\./gm, '.');
          buffer = buffer.slice(end + 5);
          inData = false;
          if (this.mails.length >= this.holdFrom) {
            this.held += 1;
            socket.once('close', () => (this.held -= 1));
            return;
          }
          const failure = this.takeFailure('data');
          if (failure) {
            reply(failure);
          } else {
            this.mails.push(parseMail(from, to, raw));
            reply(`250 OK queued as ${this.mails.length}`);
          }
          continue;
        }
        const end = buffer.indexOf('\r\n');
        if (end < 0) return;
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const verb = line.slice(0, 4).toUpperCase();
        const goingDown = verb === 'QUIT' ? undefined : this.takeFailure('connection');
        if (goingDown) {
          reply(goingDown);
          socket.end();
          return;
        }
        const address = () => /<([^>]*)>/.exec(line)?.[1]?.toLowerCase() ?? '';
        if (verb === 'EHLO') {
          reply('250-sink.test');
          reply('250-8BITMIME');
          reply('250 SMTPUTF8');
        } else if (verb === 'HELO' || verb === 'NOOP') {
          reply('250 OK');
        } else if (verb === 'RSET') {
          from = '';
          to = [];
          reply('250 OK');
        } else if (verb === 'MAIL') {
          const failure = this.takeFailure('mail');
          if (failure) reply(failure);
          else {
            from = address();
            to = [];
            reply('250 OK');
          }
        } else if (verb === 'RCPT') {
          const failure = this.takeFailure('rcpt');
          if (failure) reply(failure);
          else {
            to.push(address());
            reply('250 OK');
          }
        } else if (verb === 'DATA') {
          inData = true;
          reply('354 End data with <CR><LF>.<CR><LF>');
        } else if (verb === 'QUIT') {
          reply('221 Bye');
          socket.end();
          return;
        } else {
          reply('502 Command not implemented');
        }
      }
    });
  }
}
