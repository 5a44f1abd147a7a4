import { Injectable } from '@nestjs/common';
import { argon2id, hash, verify } from 'argon2';
import { randomBytes } from 'node:crypto';

/** The parameters signup uses too, so a check against the dummy hash costs what a real check costs. */
const HASH_OPTIONS = { type: argon2id } as const;

/** argon2id hashing, and checks that take the same time whether or not there is a hash to check against. */
@Injectable()
export class Passwords {
  private readonly dummyHash = hash(randomBytes(16).toString('hex'), HASH_OPTIONS);

  hash(password: string): Promise<string> {
    return hash(password, HASH_OPTIONS);
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
