import { describe, expect, it } from 'vitest';
import { Passwords } from './passwords.js';

const PASSWORD = 'correct horse battery staple';
// Written by the `argon2` package (0.45.1) that hashed every password stored before: existing users must still log in.
const STORED_HASH = '$argon2id$v=19$m=65536,p=4,t=3$D+vuGaH1G74iRKTHla7ZbA$TW6yt1gLizwql+WWN87MUnlEU4JXo/X9XO9Q5mQqwik';
// The same hash with its parameters in the PHC order (m, t, p), as older versions of that package wrote them.
const STORED_HASH_PHC_ORDER = '$argon2id$v=19$m=65536,t=3,p=4$D+vuGaH1G74iRKTHla7ZbA$TW6yt1gLizwql+WWN87MUnlEU4JXo/X9XO9Q5mQqwik';

describe('Passwords', () => {
  const passwords = new Passwords();

  it('accepts the right password against a hash stored by the previous argon2 package, in either parameter order', async () => {
    expect(await passwords.matches(STORED_HASH, PASSWORD)).toBe(true);
    expect(await passwords.matches(STORED_HASH_PHC_ORDER, PASSWORD)).toBe(true);
  });

  it('refuses a wrong password against a stored hash', async () => {
    expect(await passwords.matches(STORED_HASH, 'correct horse battery stapler')).toBe(false);
  });

  it('hashes new passwords as argon2id with the cost of the stored ones, salted, and checks them', async () => {
    const first = await passwords.hash(PASSWORD);
    const second = await passwords.hash(PASSWORD);
    expect(first.split('$')[1]).toBe('argon2id');
    expect(first.split('$')[3]!.split(',').sort()).toEqual(['m=65536', 'p=4', 't=3']);
    expect(second).not.toBe(first);
    expect(await passwords.matches(first, PASSWORD)).toBe(true);
    expect(await passwords.matches(first, 'Tr0ub4dor&3')).toBe(false);
  });

  it('answers false without a hash to check against', async () => {
    expect(await passwords.matches(null, PASSWORD)).toBe(false);
  });
});
