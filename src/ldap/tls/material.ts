/**
 * What a domain controller serves LDAPS and StartTLS with, and the PEM and key handling the
 * development certificate and a user's certificate file share.
 */
import type { KeyObject } from 'node:crypto';

export interface TlsMaterial {
  key: string;
  cert: string;
  /** PEM of the issuing CA(s), for clients to trust */
  ca: string;
  /** where the CA PEM is on disk, when there is a file */
  caFile?: string;
}

export interface PemBlock {
  type: string;
  pem: string;
}

export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  const pattern = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
  for (const match of text.matchAll(pattern)) {
    blocks.push({ type: match[1] ?? '', pem: `${match[0]}\n` });
  }
  return blocks;
}

export function exportKey(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
