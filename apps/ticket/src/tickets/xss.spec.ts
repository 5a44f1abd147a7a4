import { subjects, type CommentView, type Principal, type TicketView } from '@helpdesk/contracts';
import { XSS_PAYLOADS } from '@helpdesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../testing/ticket-harness.js';

const DANGEROUS_MARKUP = /<\s*(script|svg|math|iframe|object|embed|style|img|form|meta|base|template|noscript)\b|\son[a-z]+\s*=|(href|src)\s*=\s*["']?\s*(javascript|vbscript|data):|style\s*=/i;

describe('every XSS payload of the corpus, written through the ticket service', () => {
  let harness: TicketHarness;
  let customer: Principal;
  let ticketId: string;

  beforeAll(async () => {
    harness = await TicketHarness.start('xss');
    const { admin } = await harness.signup();
    customer = await harness.addUser(admin.orgId, 'customer');
    ticketId = (await harness.send<TicketView>(subjects.tickets.create, { principal: customer, subject: 'XSS target', description: 'x' })).id;
  });

  afterAll(() => harness?.stop());

  it.each(XSS_PAYLOADS.map((payload) => [payload]))('comes back neutralized: %s', async (payload) => {
    const ticket = await harness
      .send<TicketView>(subjects.tickets.create, { principal: customer, subject: `Help ${payload}`.slice(0, 250), description: payload })
      .catch((error: { code: string }) => error);
    if ('code' in ticket) {
      expect(ticket.code).toBe('VALIDATION');
    } else {
      expect(ticket.description).not.toMatch(DANGEROUS_MARKUP);
      expect(ticket.subject).not.toMatch(/<[a-z/!?]/i);
    }
    const comment = await harness.send<CommentView>(subjects.comments.create, { principal: customer, ticketId, body: `Re: ${payload}` }).catch((error: { code: string }) => error);
    if ('code' in comment) expect(comment.code).toBe('VALIDATION');
    else expect(comment.body).not.toMatch(DANGEROUS_MARKUP);
  });
});
