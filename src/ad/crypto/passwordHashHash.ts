import { pbkdf2, pbkdf2Sync } from 'node:crypto';
import { pooledRandomBytes } from '../../directory/binary.js';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

/** Entra ID's "hash of the hash" (OrgId hash) that password hash sync sends instead of the NT hash. */

const SALT_LENGTH = 10;
const HASH_LENGTH = 32;

// Microsoft Learn "Implement password hash synchronization" (how-to-connect-password-hash-synchronization);
// format and uppercase-hex detail as in DSInternals OrgIdHash.cs:
// PBKDF2(UTF-16(ToUpper(ToHex(ntHash))), salt(10), 1000, HMAC-SHA256, 32) formatted "v1;PPH1_MD4,<salt>,<iter>,<hash>;".
export function entraPasswordHashHash(ntHash: Buffer, salt: Buffer = pooledRandomBytes(SALT_LENGTH), iterations = 1000): string {
  return formatted(salt, iterations, pbkdf2Sync(pbkdf2Input(ntHash), salt, iterations, HASH_LENGTH, 'sha256'));
}

/** The upper-case hex of the NT hash, as UTF-16 (the hex must be upper case). */
function pbkdf2Input(ntHash: Buffer): Buffer {
  return Buffer.from(ntHash.toString('hex').toUpperCase(), 'utf16le');
}

function formatted(salt: Buffer, iterations: number, hash: Buffer): string {
  return `v1;PPH1_MD4,${salt.toString('hex')},${iterations},${hash.toString('hex')};`;
}

/** The same, off the event loop (libuv's thread pool), for a sync pass over many users. */
export async function entraPasswordHashHashAsync(ntHash: Buffer, salt: Buffer = pooledRandomBytes(SALT_LENGTH), iterations = 1000): Promise<string> {
  const input = pbkdf2Input(ntHash);
  try {
    return formatted(salt, iterations, await pbkdf2Async(input, salt, iterations, HASH_LENGTH, 'sha256'));
  } finally {
    input.fill(0);
  }
}
