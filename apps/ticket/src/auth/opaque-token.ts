import { createHash, randomBytes } from 'node:crypto';

const TOKEN_BYTES = 32;

/** A bearer secret as handed out (refresh tokens, reset and invitation links), with the only form of it that is stored. */
export interface OpaqueToken {
  token: string;
  hash: string;
}

export function newOpaqueToken(): OpaqueToken {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  return { token, hash: hashToken(token) };
}

/** SHA-256, hex. The tokens carry 256 random bits, so a fast unsalted hash already makes a copy of the table useless. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
