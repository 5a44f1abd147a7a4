import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secrets at rest (IMAP passwords). A ciphertext reads
 * `v1.<key id>.<iv>.<auth tag>.<ciphertext>` (base64url parts): the key id says which key made it,
 * so a rotated key still opens what it encrypted while new secrets use the current key.
 */
const VERSION = 'v1';
const IV_BYTES = 12;

export class DataEncryptionError extends Error {}

interface DataKey {
  id: string;
  key: Buffer;
}

/** A key's id: not secret, and stable for the same key bytes. */
export function dataKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

function parseKey(base64: string): DataKey {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32) throw new DataEncryptionError('A data encryption key must be 32 bytes in base64');
  return { id: dataKeyId(key), key };
}

export class DataEncryption {
  private readonly current?: DataKey;
  private readonly keys = new Map<string, Buffer>();

  /** `current` encrypts and decrypts; `previous` only decrypt (what they encrypted before a rotation). */
  constructor(current: string | undefined, previous: readonly string[] = []) {
    for (const encoded of previous) {
      const key = parseKey(encoded);
      this.keys.set(key.id, key.key);
    }
    if (current) {
      this.current = parseKey(current);
      this.keys.set(this.current.id, this.current.key);
    }
  }

  get canEncrypt(): boolean {
    return this.current !== undefined;
  }

  encrypt(plaintext: string): string {
    if (!this.current) throw new DataEncryptionError('DATA_ENCRYPTION_KEY is not set: secrets cannot be stored');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    // The key id is authenticated too, so a ciphertext cannot be relabelled to another key.
    cipher.setAAD(Buffer.from(`${VERSION}.${this.current.id}`));
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.current.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), sealed.toString('base64url')].join('.');
  }

  /** The key id a ciphertext was made with, or undefined when it is not one of ours. */
  keyIdOf(ciphertext: string): string | undefined {
    const parts = ciphertext.split('.');
    return parts.length === 5 && parts[0] === VERSION ? parts[1] : undefined;
  }

  decrypt(ciphertext: string): string {
    const [version, keyId, iv, tag, sealed, ...rest] = ciphertext.split('.');
    if (version !== VERSION || !keyId || !iv || !tag || sealed === undefined || rest.length > 0) throw new DataEncryptionError('Not a data encryption ciphertext');
    const key = this.keys.get(keyId);
    if (!key) throw new DataEncryptionError(`The data encryption key ${keyId} is not configured (DATA_ENCRYPTION_KEY or DATA_ENCRYPTION_OLD_KEYS)`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(`${VERSION}.${keyId}`));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new DataEncryptionError(`The ciphertext does not open with key ${keyId}: corrupted or tampered`);
    }
  }
}
