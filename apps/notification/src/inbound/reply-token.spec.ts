import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAILBOX_LIMITS } from '@helpdesk/contracts';
import { ReplyTokens, replyAddress, splitReplyAddress } from './reply-token.js';

const ORG = randomUUID();
const claims = { ticketNumber: 1042, recipientUserId: randomUUID() };

describe('ReplyTokens', () => {
  const key = randomBytes(32);
  const tokens = new ReplyTokens([key]);

  it('gives back the ticket number and recipient of a token it issued, in any letter case', () => {
    const token = tokens.issue(ORG, claims);
    expect(token).toMatch(/^[a-z2-7]{45}$/);
    expect(tokens.verify(ORG, token)).toEqual(claims);
    expect(tokens.verify(ORG, token.toUpperCase())).toEqual(claims);
    expect(tokens.verify(ORG, tokens.issue(ORG, { ticketNumber: 0xffffffff, recipientUserId: claims.recipientUserId }))?.ticketNumber).toBe(0xffffffff);
  });

  it('refuses a token of another organization, an altered one, one signed with another key, and garbage', () => {
    const token = tokens.issue(ORG, claims);
    expect(tokens.verify(randomUUID(), token)).toBeNull();
    for (const position of [0, 7, 14, 21, 28, 35, 42, token.length - 1]) {
      const altered = token.slice(0, position) + (token[position] === 'a' ? 'b' : 'a') + token.slice(position + 1);
      expect(tokens.verify(ORG, altered), `changed at ${position}`).toBeNull();
    }
    expect(new ReplyTokens([randomBytes(32)]).verify(ORG, token)).toBeNull();
    expect(tokens.verify(ORG, '')).toBeNull();
    expect(tokens.verify(ORG, 'not-base32!')).toBeNull();
    expect(tokens.verify(ORG, token.slice(0, -1))).toBeNull();
  });

  it('still accepts tokens sent before a key rotation, and issues new ones with the new key', () => {
    const before = tokens.issue(ORG, claims);
    const rotated = new ReplyTokens([randomBytes(32), key]);
    expect(rotated.verify(ORG, before)).toEqual(claims);
    expect(tokens.verify(ORG, rotated.issue(ORG, claims))).toBeNull();
  });

  it('refuses to issue for what is not a ticket number or a user id', () => {
    expect(() => tokens.issue(ORG, { ticketNumber: 0, recipientUserId: claims.recipientUserId })).toThrow(/ticket number/);
    expect(() => tokens.issue(ORG, { ticketNumber: 1, recipientUserId: 'someone' })).toThrow(/user id/);
  });
});

describe('reply addresses', () => {
  const token = new ReplyTokens([randomBytes(32)]).issue(ORG, claims);

  it('puts the token in the plus part of the mailbox address and takes it out again', () => {
    const address = replyAddress('support@acme.test', token);
    expect(address).toBe(`support+${token}@acme.test`);
    expect(splitReplyAddress(address!)).toEqual({ mailboxAddress: 'support@acme.test', token });
    expect(splitReplyAddress('Support@ACME.test')).toEqual({ mailboxAddress: 'support@acme.test', token: null });
  });

  it('gives no address when the local part would pass 64 octets (threading then rests on References)', () => {
    expect(replyAddress(`${'a'.repeat(18)}@acme.test`, token)).not.toBeNull();
    expect(replyAddress(`${'a'.repeat(19)}@acme.test`, token)).toBeNull();
    // The limit the mailbox list and the reply mailbox choice rely on.
    expect(replyAddress(`${'a'.repeat(MAILBOX_LIMITS.replyAddressLocalPart)}@acme.test`, token)).not.toBeNull();
    expect(replyAddress(`${'a'.repeat(MAILBOX_LIMITS.replyAddressLocalPart + 1)}@acme.test`, token)).toBeNull();
  });
});
