import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InboundSmtpListener, type InboundEnvelope, type InboundSmtpOptions } from './inbound-smtp-listener.js';

const MAILBOXES: Record<string, { id: string }> = { 'support@acme.test': { id: 'mailbox-acme' }, 'billing@acme.test': { id: 'mailbox-acme-billing' } };

interface Delivery {
  mailboxId: string;
  raw: string;
  envelope: InboundEnvelope;
}

describe('InboundSmtpListener', () => {
  let listener: InboundSmtpListener<{ id: string }> | undefined;
  let certificateDir: string;
  let tls: { cert: Buffer; key: Buffer };

  beforeAll(() => {
    certificateDir = mkdtempSync(join(tmpdir(), 'helpdesk-smtp-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', join(certificateDir, 'key.pem'), '-out', join(certificateDir, 'cert.pem')], { stdio: 'ignore' });
    tls = { cert: readFileSync(join(certificateDir, 'cert.pem')), key: readFileSync(join(certificateDir, 'key.pem')) };
  });
  afterEach(async () => {
    await listener?.close();
    listener = undefined;
  });
  afterAll(() => rmSync(certificateDir, { recursive: true, force: true }));

  async function start(overrides: Partial<InboundSmtpOptions<{ id: string }>> = {}): Promise<{ port: number; deliveries: Delivery[] }> {
    const deliveries: Delivery[] = [];
    listener = new InboundSmtpListener({
      host: '127.0.0.1',
      port: 0,
      maxBytes: 64 * 1024,
      findMailbox: async (address) => MAILBOXES[address] ?? null,
      deliver: async (mailbox, raw, envelope) => void deliveries.push({ mailboxId: mailbox.id, raw: raw.toString('utf8'), envelope }),
      ...overrides,
    });
    return { port: await listener.listen(), deliveries };
  }

  function client(port: number, options: { requireTLS?: boolean } = {}) {
    return createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: !options.requireTLS, requireTLS: options.requireTLS, tls: { rejectUnauthorized: false } });
  }

  it('accepts mail for a mailbox address and hands the raw message to its mailbox, once per mailbox', async () => {
    const { port, deliveries } = await start();
    const info = await client(port).sendMail({
      from: 'Customer <customer@example.test>',
      to: ['Support@ACME.test', 'billing@acme.test'],
      subject: 'Printer on fire',
      text: 'It is on fire.',
      messageId: '<fire-1@example.test>',
    });
    expect(info.accepted).toEqual(['Support@acme.test', 'billing@acme.test']);
    expect(deliveries.map((delivery) => [delivery.mailboxId, delivery.envelope.to])).toEqual([
      ['mailbox-acme', ['support@acme.test']],
      ['mailbox-acme-billing', ['billing@acme.test']],
    ]);
    expect(deliveries[0]!.envelope).toMatchObject({ from: 'customer@example.test', tls: false });
    expect(deliveries[0]!.raw).toContain('Message-ID: <fire-1@example.test>');
    expect(deliveries[0]!.raw).toContain('It is on fire.');
  });

  it('refuses unknown recipients with 550 before the message is sent, and delivers to the known ones', async () => {
    const { port, deliveries } = await start();
    await expect(client(port).sendMail({ from: 'spammer@example.test', to: 'nobody@elsewhere.test', subject: 'hi', text: 'hi' })).rejects.toMatchObject({
      responseCode: 550,
      response: expect.stringContaining('No mailbox here for <nobody@elsewhere.test>'),
    });
    expect(deliveries).toHaveLength(0);
    const info = await client(port).sendMail({ from: 'customer@example.test', to: ['nobody@elsewhere.test', 'support@acme.test'], subject: 'hi', text: 'hi' });
    expect(info.rejected).toEqual(['nobody@elsewhere.test']);
    expect(deliveries.map((delivery) => delivery.envelope.to)).toEqual([['support@acme.test']]);
  });

  it('refuses a message over INBOUND_MAX_BYTES with 552 and delivers nothing', async () => {
    const { port, deliveries } = await start({ maxBytes: 16 * 1024 });
    await expect(client(port).sendMail({ from: 'customer@example.test', to: 'support@acme.test', subject: 'big', text: 'x'.repeat(40 * 1024) })).rejects.toMatchObject({ responseCode: 552 });
    expect(deliveries).toHaveLength(0);
  });

  it('answers 451 when the pipeline fails, so the sending server keeps the mail and retries', async () => {
    const { port } = await start({
      deliver: async () => {
        throw new Error('object store unavailable');
      },
    });
    await expect(client(port).sendMail({ from: 'customer@example.test', to: 'support@acme.test', subject: 'hi', text: 'hi' })).rejects.toMatchObject({ responseCode: 451 });
  });

  it('offers STARTTLS only when a certificate is configured', async () => {
    const plain = await start();
    await expect(client(plain.port, { requireTLS: true }).sendMail({ from: 'customer@example.test', to: 'support@acme.test', subject: 'hi', text: 'hi' })).rejects.toThrow(/STARTTLS/);
    await listener!.close();
    const secured = await start({ tls });
    await client(secured.port, { requireTLS: true }).sendMail({ from: 'customer@example.test', to: 'support@acme.test', subject: 'over TLS', text: 'hi' });
    expect(secured.deliveries.map((delivery) => delivery.envelope.tls)).toEqual([true]);
  });
});
