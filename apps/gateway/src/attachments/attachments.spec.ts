import { MetricsService } from '@helpdesk/common';
import type { AttachmentView, Page, TicketView } from '@helpdesk/contracts';
import { Objm, type ObjectStore } from '@nats-io/obj';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type SignedUpAdmin, type TestCaller } from '../testing/gateway-harness.js';

// A real 1x1 PNG, as an image editor writes it.
const PIXEL_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
// A Windows executable starts with the DOS header 'MZ'.
const EXECUTABLE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(510, 0x90)]);
const SVG_WITH_SCRIPT = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"><script>alert(1)</script></svg>');
// A valid GIF header whose bytes also read as JavaScript: GIF89a/*...*/=1;alert(...)
const GIF_JS_POLYGLOT = Buffer.concat([Buffer.from('GIF89a/*'), Buffer.from([0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00]), Buffer.from('*/=1;alert(document.domain);//')]);

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('attachments over HTTP', () => {
  let gateway: GatewayHarness;
  let nats: NatsConnection;
  let acme: SignedUpAdmin;
  let globex: SignedUpAdmin;
  let requester: TestCaller;
  let otherCustomer: TestCaller;
  let ticket: TicketView;

  const openTicket = async (caller: TestCaller) => {
    const response = await gateway.call('/tickets', { token: caller.accessToken, body: { subject: 'The invoice is wrong', description: 'Details attached' } });
    expect(response.status).toBe(201);
    return (await response.json()) as TicketView;
  };

  const upload = (caller: TestCaller | undefined, ticketId: string, filename: string, bytes: Buffer, fields: Record<string, string> = {}) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob([bytes], { type: 'application/octet-stream' }), filename);
    return gateway.call(`/tickets/${ticketId}/attachments`, { token: caller?.accessToken, body: form });
  };

  const uploaded = async (caller: TestCaller, ticketId: string, filename: string, bytes: Buffer) => {
    const response = await upload(caller, ticketId, filename, bytes);
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()) as AttachmentView;
  };

  const download = (caller: TestCaller | undefined, attachmentId: string) => gateway.call(`/attachments/${attachmentId}`, { token: caller?.accessToken });

  /** What the object store holds for an organization (live objects only). */
  const storedKeys = async (orgId: string) => {
    const bucket = await attachmentsBucket();
    if (!bucket) return [];
    return (await bucket.list()).filter((object) => !object.deleted && object.name.startsWith(`${orgId}/`)).map((object) => object.name);
  };

  /** Bytes held by the bucket's stream, chunks of unfinished objects included. */
  const storedBytes = async () => (await (await attachmentsBucket())?.status())?.streamInfo.state.bytes ?? 0;

  /** The bucket, once the gateway has created it. */
  const attachmentsBucket = async (): Promise<ObjectStore | undefined> => {
    for await (const status of new Objm(nats).list()) {
      if (status.bucket === gateway.config.ATTACHMENTS_BUCKET) return new Objm(nats).open(status.bucket);
    }
    return undefined;
  };

  beforeAll(async () => {
    gateway = await GatewayHarness.start('gateway_attachments');
    nats = await connect({ servers: gateway.ticket.nats.url });
    acme = await gateway.signup('Acme Support');
    globex = await gateway.signup('Globex Helpdesk');
    requester = await gateway.addUser(acme.principal.orgId, 'customer');
    otherCustomer = await gateway.addUser(acme.principal.orgId, 'customer');
    ticket = await openTicket(requester);
  });

  afterAll(async () => {
    await nats?.close();
    await gateway?.stop();
  });

  it('stores an uploaded PNG and serves it back byte for byte as a download that is never rendered', async () => {
    const attachment = await uploaded(acme, ticket.id, 'pixel.png', PIXEL_PNG);

    const response = await download(acme, attachment.id);

    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(PIXEL_PNG)).toBe(true);
    expect(Object.fromEntries(['content-type', 'content-length', 'content-disposition', 'x-content-type-options', 'cache-control', 'content-security-policy'].map((name) => [name, response.headers.get(name)]))).toEqual({
      'content-type': 'image/png',
      'content-length': String(PIXEL_PNG.length),
      'content-disposition': `attachment; filename="pixel.png"; filename*=UTF-8''pixel.png`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
      'content-security-policy': "default-src 'none'; sandbox",
    });
  });

  it('answers 201 with the metadata, whose size and sha256 are those of the bytes sent, and lists it on the ticket', async () => {
    const response = await upload(acme, ticket.id, 'pixel.png', PIXEL_PNG);

    expect(response.status).toBe(201);
    const attachment = (await response.json()) as AttachmentView;
    expect(attachment).toEqual({
      id: expect.any(String),
      ticketId: ticket.id,
      commentId: null,
      filename: 'pixel.png',
      contentType: 'image/png',
      size: PIXEL_PNG.length,
      sha256: sha256(PIXEL_PNG),
      uploadedBy: acme.user.id,
      createdAt: expect.any(String),
    });
    const list = await gateway.call(`/tickets/${ticket.id}/attachments`, { token: acme.accessToken });
    expect(list.status).toBe(200);
    expect(((await list.json()) as Page<AttachmentView>).items.map((item) => item.id)).toContain(attachment.id);
  });

  it('lets the customer who opened the ticket attach a file to it and download it', async () => {
    const attachment = await uploaded(requester, ticket.id, 'screenshot.png', PIXEL_PNG);

    const response = await download(requester, attachment.id);

    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(PIXEL_PNG)).toBe(true);
  });

  it('refuses an executable renamed .png with 415, and stores nothing', async () => {
    const before = await storedKeys(acme.principal.orgId);

    const response = await upload(acme, ticket.id, 'holiday.png', EXECUTABLE);

    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({
      statusCode: 415,
      error: 'Unsupported Media Type',
      message: 'The file content does not match its .png extension',
      requestId: expect.any(String),
    });
    expect(await storedKeys(acme.principal.orgId)).toEqual(before);
  });

  it('refuses HTML files with 415 whatever their content', async () => {
    const response = await upload(acme, ticket.id, 'invoice.html', Buffer.from('<!doctype html><script>fetch("/api/v1/me")</script>'));

    expect(response.status).toBe(415);
    expect(((await response.json()) as { message: string }).message).toMatch(/^Files with the \.html extension are not accepted/);
  });

  it('refuses a .txt file that starts with a script tag with 415', async () => {
    const response = await upload(acme, ticket.id, 'notes.txt', Buffer.from('\uFEFF  <script>alert(document.cookie)</script>\nJust notes'));

    expect(response.status).toBe(415);
    expect(((await response.json()) as { message: string }).message).toBe('A .txt file must not start with HTML, SVG or XML markup');
  });

  it('refuses an SVG renamed .png with 415', async () => {
    const response = await upload(acme, ticket.id, 'logo.png', SVG_WITH_SCRIPT);

    expect(response.status).toBe(415);
    expect(((await response.json()) as { message: string }).message).toBe('The file content does not match its .png extension');
  });

  it('stores a GIF that is also JavaScript as the GIF its bytes say it is, and serves it only as a sniff-proof download', async () => {
    const attachment = await uploaded(acme, ticket.id, 'smile.gif', GIF_JS_POLYGLOT);

    const response = await download(acme, attachment.id);

    expect(attachment.contentType).toBe('image/gif');
    expect(response.headers.get('content-type')).toBe('image/gif');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; /);
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(Buffer.from(await response.arrayBuffer()).equals(GIF_JS_POLYGLOT)).toBe(true);
  });

  it('refuses a file one byte over 10 MB with 413 and leaves no bytes of it in the bucket', async () => {
    const tooLarge = Buffer.alloc(10 * 1024 * 1024 + 1);
    PIXEL_PNG.copy(tooLarge);
    const keysBefore = await storedKeys(acme.principal.orgId);
    const bytesBefore = await storedBytes();

    const response = await upload(acme, ticket.id, 'huge.png', tooLarge);

    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'The file is larger than the upload limit of 10 MB',
      requestId: expect.any(String),
    });
    expect(await storedKeys(acme.principal.orgId)).toEqual(keysBefore);
    // The chunks streamed before the limit was hit are purged too, not just left without a name.
    expect((await storedBytes()) - bytesBefore).toBeLessThan(64 * 1024);
  });

  it('accepts a file of exactly 10 MB', async () => {
    const atLimit = Buffer.alloc(10 * 1024 * 1024);
    PIXEL_PNG.copy(atLimit);

    const attachment = await uploaded(acme, ticket.id, 'large.png', atLimit);

    expect(attachment.size).toBe(atLimit.length);
    expect(attachment.sha256).toBe(sha256(atLimit));
  });

  it('keeps only the last segment of a path-like file name', async () => {
    const attachment = await uploaded(acme, ticket.id, '../../etc/passwd.txt', Buffer.from('root:x:0:0:root:/root:/bin/bash\n'));

    const response = await download(acme, attachment.id);

    expect(attachment).toMatchObject({ filename: 'passwd.txt', contentType: 'text/plain' });
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="passwd.txt"; filename*=UTF-8''passwd.txt`);
    expect(await response.text()).toBe('root:x:0:0:root:/root:/bin/bash\n');
  });

  it('serves text uncompressed, with its exact Content-Length, even to clients that accept gzip', async () => {
    const log = Buffer.from('2024-05-01T10:00:00Z INFO request served in 12 ms\n'.repeat(400));
    const attachment = await uploaded(acme, ticket.id, 'server.log', log);

    const response = await gateway.call(`/attachments/${attachment.id}`, { token: acme.accessToken, headers: { 'accept-encoding': 'gzip, br' } });

    expect(response.headers.get('content-encoding')).toBeNull();
    expect(response.headers.get('content-length')).toBe(String(log.length));
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(Buffer.from(await response.arrayBuffer()).equals(log)).toBe(true);
  });

  it('answers 400 when the form has no file field', async () => {
    const form = new FormData();
    form.append('commentId', randomUUID());

    const response = await gateway.call(`/tickets/${ticket.id}/attachments`, { token: acme.accessToken, body: form });

    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toBe('Attach the file in the multipart field "file"');
  });

  it("answers another organization's admin 404 on upload, list and download, and stores nothing for them", async () => {
    const attachment = await uploaded(acme, ticket.id, 'pixel.png', PIXEL_PNG);

    const uploadResponse = await upload(globex, ticket.id, 'pixel.png', PIXEL_PNG);
    const listResponse = await gateway.call(`/tickets/${ticket.id}/attachments`, { token: globex.accessToken });
    const downloadResponse = await download(globex, attachment.id);

    expect([uploadResponse.status, listResponse.status, downloadResponse.status]).toEqual([404, 404, 404]);
    expect(await storedKeys(globex.principal.orgId)).toEqual([]);
  });

  it('answers a customer who did not open the ticket 404 on upload, list and download', async () => {
    const attachment = await uploaded(requester, ticket.id, 'pixel.png', PIXEL_PNG);

    const uploadResponse = await upload(otherCustomer, ticket.id, 'pixel.png', PIXEL_PNG);
    const listResponse = await gateway.call(`/tickets/${ticket.id}/attachments`, { token: otherCustomer.accessToken });
    const downloadResponse = await download(otherCustomer, attachment.id);

    expect([uploadResponse.status, listResponse.status, downloadResponse.status]).toEqual([404, 404, 404]);
  });

  it('answers 401 without an access token', async () => {
    const attachment = await uploaded(acme, ticket.id, 'pixel.png', PIXEL_PNG);

    const uploadResponse = await upload(undefined, ticket.id, 'pixel.png', PIXEL_PNG);
    const listResponse = await gateway.call(`/tickets/${ticket.id}/attachments`);
    const downloadResponse = await download(undefined, attachment.id);

    expect([uploadResponse.status, listResponse.status, downloadResponse.status]).toEqual([401, 401, 401]);
  });
});

describe("uploads against the organization's attachment quota", () => {
  // The object store's default chunk size (@nats-io/obj): a chunk reaches the stream only once full, or at the end of the file.
  const CHUNK_BYTES = 128 * 1024;
  const QUOTA_BYTES = 1024 * 1024;
  let gateway: GatewayHarness;
  let nats: NatsConnection;

  const png = (size: number) => {
    const bytes = Buffer.alloc(size);
    PIXEL_PNG.copy(bytes);
    return bytes;
  };

  const upload = (caller: TestCaller, ticketId: string, bytes: Buffer) => {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'image/png' }), 'scan.png');
    return gateway.call(`/tickets/${ticketId}/attachments`, { token: caller.accessToken, body: form });
  };

  /** Chunk messages ever written to the bucket's stream (purged ones included), by its last sequence number. */
  const lastSequence = async () => {
    for await (const status of new Objm(nats).list()) {
      if (status.bucket === gateway.config.ATTACHMENTS_BUCKET) return (await (await new Objm(nats).open(status.bucket)).status()).streamInfo.state.last_seq;
    }
    return 0;
  };

  /** The gateway's helpdesk_attachment_quota_refusals_total{stage="upload"}. */
  const streamingRefusals = async () =>
    (await gateway.service.app.get(MetricsService).registry.getSingleMetric('helpdesk_attachment_quota_refusals_total')?.get())?.values.find((value) => value.labels.stage === 'upload')?.value ?? 0;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('gateway_attachment_quota', {}, { ORG_ATTACHMENT_QUOTA_MB: '1' });
    nats = await connect({ servers: gateway.ticket.nats.url });
  });

  afterAll(async () => {
    await nats?.close();
    await gateway?.stop();
  });

  it('stops storing a file as soon as it passes what the quota leaves, answers 429 QUOTA_EXCEEDED, and still takes files that fit', async () => {
    const acme = await gateway.signup('Acme Support');
    const ticket = (await (await gateway.call('/tickets', { token: acme.accessToken, body: { subject: 'Scans', description: 'Attached' } })).json()) as TicketView;
    expect((await upload(acme, ticket.id, png(900_000))).status).toBe(201);
    const remaining = QUOTA_BYTES - 900_000;
    const [sequenceBefore, refusalsBefore] = [await lastSequence(), await streamingRefusals()];

    const refused = await upload(acme, ticket.id, png(QUOTA_BYTES));

    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: "This upload would exceed the organization's attachment quota of 1 MB (0.9 MB stored)",
      details: { quota: 'ORG_ATTACHMENT_QUOTA_MB', quotaMb: 1 },
      requestId: expect.any(String),
    });
    // Whole chunks only, so the bucket never held more of the refused file than the quota left room for.
    expect(((await lastSequence()) - sequenceBefore) * CHUNK_BYTES).toBeLessThanOrEqual(remaining);
    expect((await streamingRefusals()) - refusalsBefore).toBe(1);

    const fits = await upload(acme, ticket.id, png(remaining));
    expect(fits.status, await fits.clone().text()).toBe(201);
    expect(((await fits.json()) as AttachmentView).size).toBe(remaining);
  });

  it('refuses an organization with nothing left before reading the file, leaving the bucket untouched and other organizations alone', async () => {
    const initech = await gateway.signup('Initech');
    const ticket = (await (await gateway.call('/tickets', { token: initech.accessToken, body: { subject: 'Scans', description: 'Attached' } })).json()) as TicketView;
    expect((await upload(initech, ticket.id, png(QUOTA_BYTES))).status).toBe(201);
    const sequenceBefore = await lastSequence();

    const refused = await upload(initech, ticket.id, PIXEL_PNG);

    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { message: string }).message).toBe('The organization has used up its attachment quota of 1 MB (1.0 MB stored)');
    expect(await lastSequence()).toBe(sequenceBefore);
    const globex = await gateway.signup('Globex Helpdesk');
    const theirTicket = (await (await gateway.call('/tickets', { token: globex.accessToken, body: { subject: 'Scans', description: 'Attached' } })).json()) as TicketView;
    expect((await upload(globex, theirTicket.id, PIXEL_PNG)).status).toBe(201);
  });
});
