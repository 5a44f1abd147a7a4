import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DataEncryption, DataEncryptionError, dataKeyId } from './data-encryption.js';

const newKey = () => randomBytes(32).toString('base64');

describe('DataEncryption (AES-256-GCM with the key id in the ciphertext)', () => {
  it('encrypts to a ciphertext that names its key and does not contain the secret', () => {
    const key = newKey();
    const encryption = new DataEncryption(key);
    const ciphertext = encryption.encrypt('hunter2-imap');
    expect(ciphertext).not.toContain('hunter2');
    expect(encryption.keyIdOf(ciphertext)).toBe(dataKeyId(Buffer.from(key, 'base64')));
    expect(encryption.decrypt(ciphertext)).toBe('hunter2-imap');
    // A fresh IV each time: the same secret never gives the same ciphertext.
    expect(encryption.encrypt('hunter2-imap')).not.toBe(ciphertext);
  });

  it('still decrypts after a rotation when the old key is kept, and encrypts with the new key', () => {
    const oldKey = newKey();
    const ciphertext = new DataEncryption(oldKey).encrypt('before rotation');
    const rotated = new DataEncryption(newKey(), [oldKey]);
    expect(rotated.decrypt(ciphertext)).toBe('before rotation');
    expect(rotated.keyIdOf(rotated.encrypt('after'))).not.toBe(rotated.keyIdOf(ciphertext));
    expect(() => new DataEncryption(newKey()).decrypt(ciphertext)).toThrow(/not configured/);
  });

  it('refuses a tampered ciphertext or one relabelled to another key', () => {
    const first = newKey();
    const second = newKey();
    const encryption = new DataEncryption(first, [second]);
    const parts = encryption.encrypt('secret').split('.');
    const flipped = [...parts];
    flipped[4] = Buffer.from(Buffer.from(parts[4]!, 'base64url').map((byte, index) => (index === 0 ? byte ^ 1 : byte))).toString('base64url');
    expect(() => encryption.decrypt(flipped.join('.'))).toThrow(DataEncryptionError);
    const relabelled = [...parts];
    relabelled[1] = dataKeyId(Buffer.from(second, 'base64'));
    expect(() => encryption.decrypt(relabelled.join('.'))).toThrow(DataEncryptionError);
    expect(() => encryption.decrypt('not-a-ciphertext')).toThrow(DataEncryptionError);
  });

  it('cannot encrypt without a current key', () => {
    expect(new DataEncryption(undefined).canEncrypt).toBe(false);
    expect(() => new DataEncryption(undefined).encrypt('x')).toThrow(/DATA_ENCRYPTION_KEY/);
  });
});
