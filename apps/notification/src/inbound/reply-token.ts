import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** What a reply token vouches for: mail to it answers this ticket, and was addressed to this user. */
export interface ReplyTokenClaims {
  ticketNumber: number;
  recipientUserId: string;
}

const MAC_BYTES = 8;
const TOKEN_BYTES = 4 + 16 + MAC_BYTES;
/** RFC 5321: a local part (here `<local>+<token>`) is at most 64 octets. */
const MAX_LOCAL_PART = 64;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The signed token in the `Reply-To` plus-address of every outgoing ticket mail (DESIGN section 13):
 * `support+<token>@acme.test`. It carries the ticket number and the recipient's user id and an
 * HMAC over them and the organization, so a reply to it is threaded without trusting the subject,
 * and only the recipient it was issued to (checked against the sender by the pipeline) may act
 * through it. Lower-case base32, because mail systems may change the case of a local part; 45
 * characters, so most mailbox addresses still fit the 64-octet local part.
 * The key is derived from `DATA_ENCRYPTION_KEY` (HKDF, its own purpose); after a key rotation the
 * previous keys still verify tokens already sent.
 */
export class ReplyTokens {
  private readonly keys: Buffer[];

  /** `keys`: the current key first, then the previous ones (raw key material, as in DATA_ENCRYPTION_KEY). */
  constructor(keys: Buffer[]) {
    if (keys.length === 0) throw new Error('ReplyTokens needs at least one key');
    this.keys = keys.map((key) => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'helpdesk reply-token v1', 32)));
  }

  issue(orgId: string, claims: ReplyTokenClaims): string {
    if (!Number.isInteger(claims.ticketNumber) || claims.ticketNumber < 1 || claims.ticketNumber > 0xffffffff) throw new Error(`Not a ticket number: ${claims.ticketNumber}`);
    if (!UUID.test(claims.recipientUserId)) throw new Error(`Not a user id: ${claims.recipientUserId}`);
    const payload = Buffer.alloc(20);
    payload.writeUInt32BE(claims.ticketNumber, 0);
    Buffer.from(claims.recipientUserId.replaceAll('-', ''), 'hex').copy(payload, 4);
    return base32(Buffer.concat([payload, this.mac(this.keys[0]!, orgId, payload)]));
  }

  /** The claims of a genuine token issued for this organization, else null (forged, altered, another organization's, or malformed). */
  verify(orgId: string, token: string): ReplyTokenClaims | null {
    const bytes = fromBase32(token.toLowerCase());
    if (!bytes || bytes.length !== TOKEN_BYTES) return null;
    const payload = bytes.subarray(0, 20);
    const mac = bytes.subarray(20);
    if (!this.keys.some((key) => timingSafeEqual(this.mac(key, orgId, payload), mac))) return null;
    const hex = payload.subarray(4).toString('hex');
    return {
      ticketNumber: payload.readUInt32BE(0),
      recipientUserId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
    };
  }

  private mac(key: Buffer, orgId: string, payload: Buffer): Buffer {
    return createHmac('sha256', key).update(orgId).update('\n').update(payload).digest().subarray(0, MAC_BYTES);
  }
}

/** `support@acme.test` with a token gives `support+<token>@acme.test`; null when that would exceed the local part's 64 octets. */
export function replyAddress(mailboxAddress: string, token: string): string | null {
  const at = mailboxAddress.lastIndexOf('@');
  if (at <= 0) return null;
  const local = `${mailboxAddress.slice(0, at)}+${token}`;
  return Buffer.byteLength(local) <= MAX_LOCAL_PART ? `${local}${mailboxAddress.slice(at)}` : null;
}

/** The mailbox address and the token of a plus-address (`support+tok@acme.test` gives `support@acme.test` and `tok`). */
export function splitReplyAddress(address: string): { mailboxAddress: string; token: string | null } {
  const at = address.lastIndexOf('@');
  const local = at > 0 ? address.slice(0, at) : address;
  const plus = local.indexOf('+');
  if (plus <= 0) return { mailboxAddress: address.toLowerCase(), token: null };
  return { mailboxAddress: `${local.slice(0, plus)}${address.slice(at)}`.toLowerCase(), token: local.slice(plus + 1) || null };
}

// RFC 4648 base32 without padding, lower case: a dozen lines, not worth a dependency.
function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

function fromBase32(text: string): Buffer | null {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of text) {
    const index = BASE32.indexOf(char);
    if (index < 0) return null;
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  // Non-zero padding bits would let several spellings stand for one token.
  if ((value & ((1 << bits) - 1)) !== 0) return null;
  return Buffer.from(out);
}
