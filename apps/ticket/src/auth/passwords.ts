import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

/**
 * argon2id (the library's default algorithm) at the cost the hashes stored so far were written with
 * (64 MiB, 3 passes, 4 lanes). Verification reads the parameters from each stored hash.
 */
const HASH_OPTIONS = { memoryCost: 65_536, timeCost: 3, parallelism: 4 } as const;

/** Hashes a password for storage (signup, seeding and password changes share the parameters). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, HASH_OPTIONS);
}

/** argon2id hashing, and checks that take the same time whether or not there is a hash to check against. */
@Injectable()
export class Passwords {
  private readonly dummyHash = hashPassword(randomBytes(16).toString('hex'));

  hash(password: string): Promise<string> {
    return hashPassword(password);
  }

  /** Without a hash (no account, or no password yet) it still runs one full verification, against a dummy, and answers false. */
  async matches(passwordHash: string | null, password: string): Promise<boolean> {
    if (passwordHash === null) {
      await verify(await this.dummyHash, password);
      return false;
    }
    return verify(passwordHash, password);
  }
}
