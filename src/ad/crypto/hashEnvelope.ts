import { constants, createCipheriv, createDecipheriv, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { pooledRandomBytes } from '../../directory/binary.js';

// Password hash sync for Domain Services (how-to-connect-password-hash-synchronization.md,
// "Password hash sync process for Domain Services"): a random AES-256 key and IV encrypt the
// user's hashes, and the AES key is wrapped with the managed domain's public key; only the
// managed domain holds the private key. Here: AES-256-GCM, RSA-OAEP with SHA-256.

export const ENVELOPE_ALGORITHM = 'RSA-OAEP-256+A256GCM';

/** What travels from the agent to the managed DC: nothing in it is readable without the private key. */
export interface HashEnvelope {
  v: 1;
  alg: typeof ENVELOPE_ALGORITHM;
  /** the AES key, wrapped with the managed domain's RSA public key */
  key: string;
  iv: string;
  data: string;
  tag: string;
}

/** The managed domain's key pair (RSA 2048), PEM. */
export function newEnvelopeKeyPair(): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
}

/**
 * A random AES-256 key and its wrapped form. A sync pass seals every user's hashes with its own
 * random IV under one such key, so the managed DC unwraps (an RSA private-key operation) once a
 * pass instead of once a user. `close()` wipes the key.
 */
export class EnvelopeKey {
  private readonly key = randomBytes(32);
  readonly wrapped: string;

  constructor(publicKey: KeyObject | string) {
    this.wrapped = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, this.key).toString('base64');
  }

  seal(payload: Buffer): HashEnvelope {
    const iv = pooledRandomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(payload), cipher.final()]);
    return { v: 1, alg: ENVELOPE_ALGORITHM, key: this.wrapped, iv: iv.toString('base64'), data: data.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
  }

  close(): void {
    this.key.fill(0);
  }
}

/** One envelope under its own fresh key. */
export function sealEnvelope(publicKey: KeyObject | string, payload: Buffer): HashEnvelope {
  const key = new EnvelopeKey(publicKey);
  try {
    return key.seal(payload);
  } finally {
    key.close();
  }
}

/** Unwrapped keys by their wrapped form: the last few passes' (see EnvelopeKey). */
const unwrapped = new WeakMap<object, Map<string, Buffer>>();
const KEYS_KEPT = 8;

function unwrap(privateKey: KeyObject | string, wrapped: string): Buffer {
  const holder = typeof privateKey === 'string' ? undefined : privateKey;
  const cache = holder ? (unwrapped.get(holder) ?? new Map<string, Buffer>()) : undefined;
  if (holder && cache && !unwrapped.has(holder)) unwrapped.set(holder, cache);
  const known = cache?.get(wrapped);
  if (known) return known;
  const key = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(wrapped, 'base64'));
  if (cache) {
    if (cache.size >= KEYS_KEPT) cache.delete(cache.keys().next().value!);
    cache.set(wrapped, key);
  }
  return key;
}

/** Opens an envelope with the private key; throws when it is not one, or was not sealed for this key. */
export function openEnvelope(privateKey: KeyObject | string, envelope: HashEnvelope): Buffer {
  if (envelope?.v !== 1 || envelope.alg !== ENVELOPE_ALGORITHM) throw new Error('not a password hash envelope');
  const key = unwrap(privateKey, envelope.key);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(envelope.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(envelope.data, 'base64')), decipher.final()]);
}
