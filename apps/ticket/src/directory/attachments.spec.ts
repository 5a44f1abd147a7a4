import { randomUUID } from 'node:crypto';
import {
  subjects,
  type AttachmentAddedData,
  type AttachmentAllowanceView,
  type AttachmentDownloadView,
  type AttachmentView,
  type CommentView,
  type EventEnvelope,
  type Page,
  type Principal,
  type TicketHistoryEntry,
  type TicketView,
} from '@helpdesk/contracts';
import { MetricsService } from '@helpdesk/common';
import { waitFor } from '@helpdesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../testing/ticket-harness.js';

const SHA256 = 'a'.repeat(64);

describe('attachments', () => {
  let harness: TicketHarness;
  let admin: Principal;
  let agent: Principal;
  let requester: Principal;
  let otherCustomer: Principal;
  let outsider: Principal;
  let ticket: TicketView;

  const metadata = (fields: Record<string, unknown> = {}) => ({ filename: 'invoice.pdf', contentType: 'application/pdf', size: 52_431, sha256: SHA256, objectKey: `tickets/${randomUUID()}`, ...fields });
  const add = (principal: Principal, fields: Record<string, unknown> = {}, ticketId = ticket.id) => harness.send<AttachmentView>(subjects.attachments.add, { principal, ticketId, ...metadata(fields) });
  const list = async (principal: Principal, ticketId = ticket.id) => (await harness.send<Page<AttachmentView>>(subjects.attachments.list, { principal, ticketId, limit: 100 })).items;
  const get = (principal: Principal, attachmentId: string) => harness.send<AttachmentDownloadView>(subjects.attachments.get, { principal, attachmentId });
  const comment = (principal: Principal, internal: boolean, ticketId = ticket.id) => harness.send<CommentView>(subjects.comments.create, { principal, ticketId, body: 'See the attached file', internal });

  beforeAll(async () => {
    harness = await TicketHarness.start('directory_attachments');
    ({ admin } = await harness.signup('Acme Support'));
    agent = await harness.addUser(admin.orgId, 'agent');
    requester = await harness.addUser(admin.orgId, 'customer');
    otherCustomer = await harness.addUser(admin.orgId, 'customer');
    ({ admin: outsider } = await harness.signup('Globex Helpdesk'));
    ticket = await harness.send<TicketView>(subjects.tickets.create, { principal: requester, subject: 'The invoice is wrong', description: 'See attached' });
  });

  afterAll(() => harness?.stop());

  it('records the metadata with a safe filename, in the ticket history and as attachment.added, without the object key', async () => {
    const objectKey = `tickets/${randomUUID()}`;
    const attachment = await add(agent, { filename: '../../etc/passwd', contentType: 'Text/Plain', sha256: 'ABCDEF'.padEnd(64, '0'), objectKey, size: 0 });
    expect(attachment).toEqual({
      id: expect.any(String),
      ticketId: ticket.id,
      commentId: null,
      filename: 'passwd',
      contentType: 'text/plain',
      size: 0,
      sha256: 'abcdef'.padEnd(64, '0'),
      uploadedBy: agent.userId,
      createdAt: expect.any(String),
    });

    const { items: history } = await harness.send<Page<TicketHistoryEntry>>(subjects.tickets.history, { principal: admin, ticketId: ticket.id, limit: 100 });
    expect(history.at(-1)).toMatchObject({ action: 'attachment.added', actorId: agent.userId, changes: { attachment: { from: null, to: { id: attachment.id, filename: 'passwd', commentId: null, internal: false } } } });

    const event = await waitFor(
      'attachment.added in the stream',
      async () => (await harness.storedEvents()).map((stored) => stored.envelope).find((envelope): envelope is EventEnvelope<AttachmentAddedData> => envelope.type === 'attachment.added' && (envelope.data as AttachmentAddedData).attachment.id === attachment.id),
      10_000,
    );
    expect(event).toMatchObject({ orgId: admin.orgId, aggregateId: ticket.id, actor: { userId: agent.userId, role: 'agent' } });
    expect(event.data).toEqual({ attachment, internal: false, ticket: { id: ticket.id, number: ticket.number, requesterId: requester.userId, assigneeId: null, teamId: null } });
    expect(JSON.stringify(event)).not.toContain(objectKey);
  });

  it('gives the object key only to attachments.get, for whoever may see the ticket', async () => {
    const objectKey = `tickets/${randomUUID()}`;
    const attachment = await add(requester, { filename: 'screenshot.png', contentType: 'image/png', objectKey });
    expect(attachment).not.toHaveProperty('objectKey');
    const listed = await list(requester);
    expect(listed.find((item) => item.id === attachment.id)).toEqual(attachment);
    expect(listed.every((item) => !('objectKey' in item))).toBe(true);
    for (const principal of [requester, agent, admin]) expect(await get(principal, attachment.id)).toEqual({ ...attachment, objectKey });
  });

  it('lists a ticket\'s attachments oldest first', async () => {
    const fresh = await harness.send<TicketView>(subjects.tickets.create, { principal: requester, subject: 'Three files', description: 'x' });
    for (const filename of ['first.txt', 'second.txt', 'third.txt']) await add(requester, { filename }, fresh.id);
    expect((await list(agent, fresh.id)).map((item) => item.filename)).toEqual(['first.txt', 'second.txt', 'third.txt']);
  });

  it('answers not found to a customer who did not open the ticket, for adding, listing and downloading', async () => {
    const attachment = await add(requester);
    expect(await harness.fail(subjects.attachments.add, { principal: otherCustomer, ticketId: ticket.id, ...metadata() })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await harness.fail(subjects.attachments.list, { principal: otherCustomer, ticketId: ticket.id })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await harness.fail(subjects.attachments.get, { principal: otherCustomer, attachmentId: attachment.id })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('answers not found to another organization, for adding, listing and downloading', async () => {
    const attachment = await add(agent);
    expect(await harness.fail(subjects.attachments.add, { principal: outsider, ticketId: ticket.id, ...metadata() })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await harness.fail(subjects.attachments.list, { principal: outsider, ticketId: ticket.id })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await harness.fail(subjects.attachments.get, { principal: outsider, attachmentId: attachment.id })).toMatchObject({ code: 'NOT_FOUND' });
    const theirTicket = await harness.send<TicketView>(subjects.tickets.create, { principal: outsider, subject: 'Globex issue', description: 'x' });
    const theirComment = await comment(outsider, false, theirTicket.id);
    expect(await harness.fail(subjects.attachments.add, { principal: agent, ticketId: ticket.id, commentId: theirComment.id, ...metadata() })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('attaches files to a comment of the same ticket only', async () => {
    const publicReply = await comment(agent, false);
    expect(await add(requester, { commentId: publicReply.id })).toMatchObject({ commentId: publicReply.id });
    const otherTicket = await harness.send<TicketView>(subjects.tickets.create, { principal: requester, subject: 'Another issue', description: 'x' });
    expect(await harness.fail(subjects.attachments.add, { principal: requester, ticketId: otherTicket.id, commentId: publicReply.id, ...metadata() })).toMatchObject({ code: 'NOT_FOUND', message: 'Comment not found' });
  });

  it('keeps attachments of internal notes from customers: they cannot add, list or download them', async () => {
    const note = await comment(agent, true);
    const internalFile = await add(agent, { filename: 'customer-history.xlsx', commentId: note.id });
    expect(internalFile).toMatchObject({ commentId: note.id });
    expect(await harness.fail(subjects.attachments.add, { principal: requester, ticketId: ticket.id, commentId: note.id, ...metadata() })).toMatchObject({ code: 'NOT_FOUND', message: 'Comment not found' });
    expect((await list(requester)).find((item) => item.id === internalFile.id)).toBeUndefined();
    expect(await harness.fail(subjects.attachments.get, { principal: requester, attachmentId: internalFile.id })).toMatchObject({ code: 'NOT_FOUND' });
    expect((await list(agent)).find((item) => item.id === internalFile.id)).toEqual(internalFile);
    const event = await waitFor(
      'the internal attachment event',
      async () => (await harness.storedEvents()).map((stored) => stored.envelope.data as AttachmentAddedData).find((data) => data.attachment?.id === internalFile.id),
      10_000,
    );
    expect(event.internal).toBe(true);
  });

  it('rejects a file over 10 MiB, a malformed checksum, content type or object key, naming each field', async () => {
    const failure = await harness.fail(subjects.attachments.add, {
      principal: requester,
      ticketId: ticket.id,
      ...metadata({ size: 10 * 1024 * 1024 + 1, sha256: 'not-a-hash', contentType: 'pdf', objectKey: 'has space' }),
    });
    expect(failure.code).toBe('VALIDATION');
    expect(failure.details).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^size must not be greater than 10485760/),
        'sha256 must be 64 hexadecimal characters',
        'contentType must be a MIME type such as application/pdf',
        'objectKey must be printable ASCII without spaces',
      ]),
    );
    expect(await add(requester, { size: 10 * 1024 * 1024 })).toMatchObject({ size: 10 * 1024 * 1024 });
  });
});

describe('the attachment byte quota of an organization', () => {
  let harness: TicketHarness;
  const QUOTA_BYTES = 1024 * 1024;
  const allowance = (principal: Principal, ticketId: string) => harness.send<AttachmentAllowanceView>(subjects.attachments.allowance, { principal, ticketId });
  /** helpdesk_attachment_quota_refusals_total{stage}, as /metrics would serve it. */
  const refusals = async (stage: string) => {
    const metric = await harness.service.app.get(MetricsService).registry.getSingleMetric('helpdesk_attachment_quota_refusals_total')?.get();
    return metric?.values.find((value) => value.labels.stage === stage)?.value ?? 0;
  };
  const add = (principal: Principal, ticketId: string, size: number) =>
    harness.send<AttachmentView>(subjects.attachments.add, { principal, ticketId, filename: 'scan.pdf', contentType: 'application/pdf', size, sha256: SHA256, objectKey: `tickets/${randomUUID()}` });
  const organizationWithTicket = async (name: string) => {
    const { admin } = await harness.signup(name);
    const ticket = await harness.send<TicketView>(subjects.tickets.create, { principal: admin, subject: 'Scans', description: 'Attached' });
    return { admin, ticket };
  };

  beforeAll(async () => {
    harness = await TicketHarness.start('directory_attachment_quota', { ORG_ATTACHMENT_QUOTA_MB: '1' });
  });

  afterAll(() => harness?.stop());

  it('refuses an attachment that would take the organization past its quota, naming it, and leaves other organizations alone', async () => {
    const acme = await organizationWithTicket('Acme Support');
    await add(acme.admin, acme.ticket.id, 600_000);

    const refused = await harness.fail(subjects.attachments.add, { principal: acme.admin, ticketId: acme.ticket.id, filename: 'big.pdf', contentType: 'application/pdf', size: 500_000, sha256: SHA256, objectKey: `tickets/${randomUUID()}` });

    expect(refused).toMatchObject({ code: 'QUOTA_EXCEEDED', message: expect.stringContaining('attachment quota of 1 MB') });
    expect(await add(acme.admin, acme.ticket.id, 400_000)).toMatchObject({ size: 400_000 });
    const globex = await organizationWithTicket('Globex Helpdesk');
    expect(await add(globex.admin, globex.ticket.id, 1_000_000)).toMatchObject({ size: 1_000_000 });
  });

  it('counts attachments added in parallel one after another', async () => {
    const initech = await organizationWithTicket('Initech');

    const outcomes = await Promise.all(Array.from({ length: 4 }, () => add(initech.admin, initech.ticket.id, 400_000).then(() => 'added', (error: { code: string }) => error.code)));

    expect(outcomes.sort()).toEqual(['QUOTA_EXCEEDED', 'QUOTA_EXCEEDED', 'added', 'added']);
  });

  it('tells the gateway what an organization may still store, for a ticket the caller may see', async () => {
    const umbrella = await organizationWithTicket('Umbrella');
    const customer = await harness.addUser(umbrella.admin.orgId, 'customer');
    const theirTicket = await harness.send<TicketView>(subjects.tickets.create, { principal: customer, subject: 'My scan', description: 'x' });
    expect(await allowance(umbrella.admin, umbrella.ticket.id)).toEqual({ ticketId: umbrella.ticket.id, storedBytes: 0, quotaBytes: QUOTA_BYTES, remainingBytes: QUOTA_BYTES });

    await add(umbrella.admin, umbrella.ticket.id, 700_000);

    const afterUpload = { storedBytes: 700_000, quotaBytes: QUOTA_BYTES, remainingBytes: QUOTA_BYTES - 700_000 };
    expect(await allowance(umbrella.admin, umbrella.ticket.id)).toEqual({ ticketId: umbrella.ticket.id, ...afterUpload });
    expect(await allowance(customer, theirTicket.id)).toEqual({ ticketId: theirTicket.id, ...afterUpload });
  });

  it('answers not found, and no quota, for a ticket the caller cannot see', async () => {
    const hooli = await organizationWithTicket('Hooli');
    const requester = await harness.addUser(hooli.admin.orgId, 'customer');
    const otherCustomer = await harness.addUser(hooli.admin.orgId, 'customer');
    const customersTicket = await harness.send<TicketView>(subjects.tickets.create, { principal: requester, subject: 'Mine', description: 'x' });
    const outsider = await organizationWithTicket('Pied Piper');

    expect(await harness.fail(subjects.attachments.allowance, { principal: otherCustomer, ticketId: customersTicket.id })).toMatchObject({ code: 'NOT_FOUND', message: 'Ticket not found', details: undefined });
    expect(await harness.fail(subjects.attachments.allowance, { principal: outsider.admin, ticketId: hooli.ticket.id })).toMatchObject({ code: 'NOT_FOUND', message: 'Ticket not found', details: undefined });
    expect(await harness.fail(subjects.attachments.allowance, { principal: { ...hooli.admin, userId: randomUUID() }, ticketId: hooli.ticket.id })).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('refuses before the upload once nothing remains, and counts each refusal by where it happened', async () => {
    const soylent = await organizationWithTicket('Soylent');
    await add(soylent.admin, soylent.ticket.id, QUOTA_BYTES - 10);
    const [commitBefore, uploadBefore] = [await refusals('at_commit'), await refusals('before_upload')];

    expect(await allowance(soylent.admin, soylent.ticket.id)).toMatchObject({ remainingBytes: 10 });
    expect(await harness.fail(subjects.attachments.add, { principal: soylent.admin, ticketId: soylent.ticket.id, filename: 'a.pdf', contentType: 'application/pdf', size: 11, sha256: SHA256, objectKey: `tickets/${randomUUID()}` })).toMatchObject({ code: 'QUOTA_EXCEEDED' });
    await add(soylent.admin, soylent.ticket.id, 10);
    const refused = await harness.fail(subjects.attachments.allowance, { principal: soylent.admin, ticketId: soylent.ticket.id });

    expect(refused).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      message: 'The organization has used up its attachment quota of 1 MB (1.0 MB stored)',
      details: { quota: 'ORG_ATTACHMENT_QUOTA_MB', quotaMb: 1 },
    });
    expect([(await refusals('at_commit')) - commitBefore, (await refusals('before_upload')) - uploadBefore]).toEqual([1, 1]);
    const other = await organizationWithTicket('Wonka');
    expect(await allowance(other.admin, other.ticket.id)).toMatchObject({ remainingBytes: QUOTA_BYTES });
  });
});

describe('attachments beside a transaction holding the ticket (the trigger engine)', () => {
  let harness: TicketHarness;

  beforeAll(async () => {
    harness = await TicketHarness.start('directory_attachments_locks');
  });

  afterAll(() => harness?.stop());

  it('waits for it instead of deadlocking, when that transaction then writes a row of the organization', async () => {
    const { admin } = await harness.signup('Locking Support');
    const ticket = await harness.send<TicketView>(subjects.tickets.create, { principal: admin, subject: 'Locked', description: 'Held by a trigger' });
    // The trigger engine's order: the ticket row first (FOR UPDATE), then rows that reference the organization.
    const holder = await harness.dataSource.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await holder.query(`SELECT id FROM helpdesk.tickets WHERE id = $1 FOR UPDATE`, [ticket.id]);
      const adding = harness.send<AttachmentView>(subjects.attachments.add, { principal: admin, ticketId: ticket.id, filename: 'a.txt', contentType: 'text/plain', size: 10, sha256: SHA256, objectKey: `tickets/${randomUUID()}` });
      // The upload now waits on the ticket row (its foreign key), having checked the quota under the organization's row lock.
      await waitFor('the upload to wait on the ticket row', async () => {
        const waiting = (await harness.dataSource.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO%attachments%'`)) as Array<{ n: number }>;
        return waiting[0]!.n === 1;
      });
      // What a trigger writes next (history, outbox) references the organization: a key-share lock on its row. The quota's
      // lock used to be FOR UPDATE, which refuses key-share: each transaction then waited on the other, and PostgreSQL killed one.
      await holder.query(`SELECT id FROM helpdesk.organizations WHERE id = $1 FOR KEY SHARE`, [admin.orgId]);
      await holder.commitTransaction();
      const attachment = await adding;
      expect(attachment.ticketId).toBe(ticket.id);
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
  });
});
