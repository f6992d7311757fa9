import { constants, createCipheriv, createDecipheriv, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';

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

export function sealEnvelope(publicKey: KeyObject | string, payload: Buffer): HashEnvelope {
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(payload), cipher.final()]);
  const wrapped = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, key);
  key.fill(0);
  return { v: 1, alg: ENVELOPE_ALGORITHM, key: wrapped.toString('base64'), iv: iv.toString('base64'), data: data.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
}

/** Opens an envelope with the private key; throws when it is not one, or was not sealed for this key. */
export function openEnvelope(privateKey: KeyObject | string, envelope: HashEnvelope): Buffer {
  if (envelope?.v !== 1 || envelope.alg !== ENVELOPE_ALGORITHM) throw new Error('not a password hash envelope');
  const key = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(envelope.key, 'base64'));
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(envelope.iv, 'base64'));
    decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(envelope.data, 'base64')), decipher.final()]);
  } finally {
    key.fill(0);
  }
}
