import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

const SKIP_DERIVED_CONTENT = { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true };

export interface SunkMail {
  to: string[];
  subject: string;
  messageId: string;
  /** The Reply-To address, when the mail has one. */
  replyTo?: string;
  /** performance.now() when the mail was accepted. */
  receivedAt: number;
}

/**
 * A real SMTP server (smtp-server) on a fixed port that the fault drill can take down and bring back
 * on the same port, as a relay outage looks to the notification service.
 */
export class FaultSmtpSink {
  readonly mails: SunkMail[] = [];
  private server?: SMTPServer;

  private constructor(readonly port: number) {}

  static async start(port: number): Promise<FaultSmtpSink> {
    const sink = new FaultSmtpSink(port);
    await sink.resume();
    return sink;
  }

  async resume(): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', (error: Error) => callback(error));
        stream.on('end', () => {
          // Only the header block is parsed: the body is never needed, and parsing it competed with the sender for CPU.
          const raw = Buffer.concat(chunks);
          const headerEnd = raw.indexOf('\r\n\r\n');
          simpleParser(headerEnd < 0 ? raw : raw.subarray(0, headerEnd + 4), SKIP_DERIVED_CONTENT)
            .then((parsed) => {
              const replyTo = parsed.replyTo?.value[0]?.address;
              this.mails.push({
                to: session.envelope.rcptTo.map((recipient) => recipient.address.toLowerCase()),
                subject: parsed.subject ?? '',
                messageId: parsed.messageId ?? '',
                ...(replyTo ? { replyTo } : {}),
                receivedAt: performance.now(),
              });
              callback();
            })
            .catch((error: Error) => callback(error));
        });
      },
    });
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        // A sender killed in the middle of a mail resets its connection, which smtp-server reports
        // here (the drills kill notification replicas on purpose); unheard, it would crash the test process.
        server.on('error', () => undefined);
        resolve();
      });
    });
  }

  /** Stops listening and drops open sessions: the relay is down. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
