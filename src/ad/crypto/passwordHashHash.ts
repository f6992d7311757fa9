import { pbkdf2Sync, randomBytes } from 'node:crypto';

/** Entra ID's "hash of the hash" (OrgId hash) that password hash sync sends instead of the NT hash. */

const SALT_LENGTH = 10;
const HASH_LENGTH = 32;

// Microsoft Learn "Implement password hash synchronization" (how-to-connect-password-hash-synchronization);
// format and uppercase-hex detail as in DSInternals OrgIdHash.cs:
// PBKDF2(UTF-16(ToUpper(ToHex(ntHash))), salt(10), 1000, HMAC-SHA256, 32) formatted "v1;PPH1_MD4,<salt>,<iter>,<hash>;".
export function entraPasswordHashHash(ntHash: Buffer, salt: Buffer = randomBytes(SALT_LENGTH), iterations = 1000): string {
  const input = Buffer.from(ntHash.toString('hex').toUpperCase(), 'utf16le');
  const hash = pbkdf2Sync(input, salt, iterations, HASH_LENGTH, 'sha256');
  return `v1;PPH1_MD4,${salt.toString('hex')},${iterations},${hash.toString('hex')};`;
}
