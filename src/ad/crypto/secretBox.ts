import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { pooledRandomBytes } from '../../directory/binary.js';

/** Encryption at rest of secrets (hashes, keys) with a per-domain key, bound to the owning object by AAD. */

const VERSION = 1;
const KEY_LENGTH = 32;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const HEADER_LENGTH = 1 + IV_LENGTH + TAG_LENGTH;

function checkKey(key: Buffer): void {
  if (key.length !== KEY_LENGTH) throw new RangeError(`secret key must be ${KEY_LENGTH} bytes, got ${key.length}`);
}

/** A fresh random 256-bit domain secret key. */
export function newSecretKey(): Buffer {
  return randomBytes(KEY_LENGTH);
}

/** AES-256-GCM seal; `context` (e.g. the object GUID) is authenticated so the blob cannot be moved to another object. Layout: version(1) | iv(12) | tag(16) | ciphertext. */
export function sealSecret(key: Buffer, plaintext: Buffer, context: string): Buffer {
  checkKey(key);
  const iv = pooledRandomBytes(IV_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), ciphertext]);
}

/** Opens a blob made by sealSecret; throws if the key, the context or any byte is wrong. */
export function openSecret(key: Buffer, sealed: Buffer, context: string): Buffer {
  checkKey(key);
  if (sealed.length < HEADER_LENGTH) throw new Error('sealed secret is truncated');
  if (sealed[0] !== VERSION) throw new Error(`unknown sealed secret version ${sealed[0]}`);
  const iv = sealed.subarray(1, 1 + IV_LENGTH);
  const tag = sealed.subarray(1 + IV_LENGTH, HEADER_LENGTH);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(HEADER_LENGTH)), decipher.final()]);
}
