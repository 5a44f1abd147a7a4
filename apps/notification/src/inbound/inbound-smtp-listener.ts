import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/** An error smtp-server answers with the given SMTP reply code. */
function smtpError(responseCode: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode });
}

/** The SMTP envelope of a delivered message: the bounce address and this mailbox's recipients, and whether it came over TLS. */
export interface InboundEnvelope {
  from: string | null;
  to: string[];
  tls: boolean;
}

export interface InboundSmtpOptions<Mailbox extends { id: string }> {
  host: string;
  port: number;
  /** `INBOUND_MAX_BYTES`: announced in EHLO (SIZE) and enforced while the message streams in. */
  maxBytes: number;
  /** PEM certificate and key: STARTTLS is offered only with both. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** The mailbox that receives mail for an address, or null when no organization owns it. */
  findMailbox(address: string): Promise<Mailbox | null>;
  /** Hands the raw message to the pipeline for one mailbox; must be idempotent (the sender retries after a 4xx). */
  deliver(mailbox: Mailbox, raw: Buffer, envelope: InboundEnvelope): Promise<void>;
  onError?(error: Error): void;
}

/**
 * The SMTP way in (DESIGN section 13): an MX or relay hands mail for the mailbox addresses to this
 * listener. Only known addresses are accepted (550 otherwise, before any data is sent); a message
 * over the size limit gets 552; a message accepted with 250 has been handed to the pipeline, and a
 * pipeline failure answers 451 so the sending server keeps it and tries again later.
 */
export class InboundSmtpListener<Mailbox extends { id: string }> {
  private readonly server: SMTPServer;
  /** The mailbox found at RCPT TO, by the address object smtp-server then keeps in the envelope: no second lookup at DATA. */
  private readonly mailboxes = new WeakMap<SMTPServerAddress, Mailbox>();

  constructor(private readonly options: InboundSmtpOptions<Mailbox>) {
    this.server = new SMTPServer({
      name: options.host === '0.0.0.0' ? undefined : options.host,
      banner: 'helpdesk inbound mail',
      size: options.maxBytes,
      // An MX receives from anyone: no AUTH, and no reverse DNS lookups for every connection.
      authOptional: true,
      disabledCommands: options.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
      ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
      disableReverseLookup: true,
      logger: false,
      onRcptTo: (address, session, callback) => {
        this.mailboxOf(address).then(
          (mailbox) => (this.mailboxes.set(address, mailbox), callback()),
          (error: Error) => callback(error),
        );
      },
      onData: (stream, session, callback) => {
        this.receive(stream, session).then(() => callback(), (error: Error) => callback(error));
      },
    });
    this.server.on('error', (error) => options.onError?.(error));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** The mailbox of a recipient; refuses the recipient (550, or 451 when the lookup fails) otherwise. */
  private async mailboxOf(address: SMTPServerAddress): Promise<Mailbox> {
    const recipient = address.address.trim().toLowerCase();
    let mailbox: Mailbox | null;
    try {
      mailbox = await this.options.findMailbox(recipient);
    } catch (error) {
      this.options.onError?.(error as Error);
      throw smtpError(451, 'Temporary failure looking up the recipient, try again later');
    }
    if (!mailbox) throw smtpError(550, `No mailbox here for <${recipient}>`);
    return mailbox;
  }

  private async receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    if (stream.sizeExceeded) throw smtpError(552, `Message exceeds the size limit of ${this.options.maxBytes} bytes`);
    const raw = Buffer.concat(chunks);
    // A mail to two of our addresses is delivered once to each mailbox, with the recipients it had there.
    const byMailbox = new Map<string, { mailbox: Mailbox; to: string[] }>();
    for (const recipient of session.envelope.rcptTo) {
      const mailbox = this.mailboxes.get(recipient) ?? (await this.mailboxOf(recipient));
      const entry = byMailbox.get(mailbox.id) ?? { mailbox, to: [] };
      entry.to.push(recipient.address.toLowerCase());
      byMailbox.set(mailbox.id, entry);
    }
    const from = session.envelope.mailFrom ? session.envelope.mailFrom.address || null : null;
    try {
      for (const { mailbox, to } of byMailbox.values()) await this.options.deliver(mailbox, raw, { from, to, tls: session.secure });
    } catch (error) {
      this.options.onError?.(error as Error);
      throw smtpError(451, 'Temporary failure storing the message, try again later');
    }
  }
}
