/** What the development CA and the server certificates it issues are made with. */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type forge from 'node-forge';

export const ORGANIZATION = 'dsemu';
export const DAY_MS = 24 * 60 * 60 * 1000;
/** A certificate this close to its end is issued again. */
export const RENEW_BEFORE_MS = 30 * DAY_MS;

export function generateRsaKey(): { keyPem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { keyPem: privateKey, publicPem: publicKey };
}

/** 16 random bytes, positive as a DER INTEGER. */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString('hex');
}

export function addYears(date: Date, years: number): Date {
  const result = new Date(date.getTime());
  result.setUTCFullYear(result.getUTCFullYear() + years);
  return result;
}

export function expiresWithin(cert: forge.pki.Certificate, now: Date, ms: number): boolean {
  return cert.validity.notAfter.getTime() - now.getTime() < ms;
}

/** RFC 5280 ub-common-name: a CN is at most 64 characters. */
export function truncateCommonName(name: string): string {
  return name.slice(0, 64);
}

export function normalizePem(pem: string): string {
  return pem.replace(/\r\n/g, '\n');
}
