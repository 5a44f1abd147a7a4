import { readFileSync } from 'node:fs';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Mailboxes, type InboundMailbox } from '../mailboxes/mailboxes.service.js';
import { NotificationConfig } from '../notification.config.js';
import { InboundIntake } from './inbound-intake.js';
import { InboundSmtpListener } from './inbound-smtp-listener.js';

/** Runs the inbound SMTP listener on INBOUND_SMTP_PORT (off with 0) for as long as the service runs. */
@Injectable()
export class InboundSmtpService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(InboundSmtpService.name);
  private listener?: InboundSmtpListener<InboundMailbox>;
  /** The port it listens on, once started. */
  port?: number;

  constructor(
    @Inject(NotificationConfig) private readonly config: NotificationConfig,
    @Inject(Mailboxes) private readonly mailboxes: Mailboxes,
    @Inject(InboundIntake) private readonly intake: InboundIntake,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { INBOUND_SMTP_PORT: port, INBOUND_SMTP_HOST: host, INBOUND_SMTP_TLS_CERT_FILE: certFile, INBOUND_SMTP_TLS_KEY_FILE: keyFile } = this.config;
    if (port === 0) return;
    if (Boolean(certFile) !== Boolean(keyFile)) throw new Error('INBOUND_SMTP_TLS_CERT_FILE and INBOUND_SMTP_TLS_KEY_FILE go together: set both for STARTTLS, or neither');
    this.listener = new InboundSmtpListener({
      host,
      port,
      maxBytes: this.config.INBOUND_MAX_BYTES,
      tls: certFile && keyFile ? { cert: readFileSync(certFile), key: readFileSync(keyFile) } : undefined,
      findMailbox: (address) => this.mailboxes.findByAddress(address),
      deliver: async (mailbox, raw, envelope) => {
        // The envelope names the reply address even when the headers do not (Bcc, a forwarding relay).
        const result = await this.intake.receive(mailbox, raw, envelope.to);
        this.logger.log({ message: `Inbound mail by SMTP: ${result.outcome}`, orgId: mailbox.organizationId, mailboxId: mailbox.id, ticketId: result.ticketId });
      },
      onError: (error) => this.logger.warn(`Inbound SMTP: ${error.message}`),
    });
    this.port = await this.listener.listen();
    this.logger.log(`Inbound SMTP listening on ${host}:${this.port}${certFile ? ' (STARTTLS offered)' : ''}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.close();
  }
}
