import { createCipheriv, pbkdf2Sync } from 'node:crypto';

/** The AES keys AD keeps for an account in Primary:Kerberos-Newer-Keys. */
export interface KerberosKeys {
  aes256: Buffer;
  aes128: Buffer;
  salt: string;
  iterations: number;
}

/** The account facts the Kerberos salt depends on. */
export interface KerberosSaltAccount {
  realm: string;
  sAMAccountName: string;
  userPrincipalName?: string;
  isComputer: boolean;
}

const AES_BLOCK = 16;

// RFC 3962 section 4: default string-to-key parameter 00 00 10 00.
const DEFAULT_ITERATIONS = 4096;

/** Rotates a big-endian bit string of `bits` bits right by `by` bits. */
function rotateRight(value: bigint, bits: number, by: number): bigint {
  const shift = BigInt(by % bits);
  const width = BigInt(bits);
  const mask = (1n << width) - 1n;
  return ((value >> shift) | (value << (width - shift))) & mask;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** n-fold of `input` to `outBytes` bytes. */
// RFC 3961 section 5.1: replicate to the LCM with 13-bit right rotations, then add the
// output-sized chunks with ones'-complement (end-around carry) addition.
export function nfold(input: Uint8Array, outBytes: number): Buffer {
  const inBytes = input.length;
  const lcm = (inBytes * outBytes) / gcd(inBytes, outBytes);
  const inBits = inBytes * 8;
  const outBits = outBytes * 8;
  const outMask = (1n << BigInt(outBits)) - 1n;
  const original = BigInt('0x' + Buffer.from(input).toString('hex'));

  let replicated = 0n;
  for (let copy = 0; copy < lcm / inBytes; copy++) {
    replicated = (replicated << BigInt(inBits)) | rotateRight(original, inBits, 13 * copy);
  }

  let sum = 0n;
  for (let chunk = lcm / outBytes - 1; chunk >= 0; chunk--) {
    sum += (replicated >> BigInt(chunk * outBits)) & outMask;
    while (sum > outMask) sum = (sum & outMask) + (sum >> BigInt(outBits));
  }
  return Buffer.from(sum.toString(16).padStart(outBytes * 2, '0'), 'hex');
}

/** DK(key, constant) for the AES enctypes: AES-encrypt the n-folded constant, chaining blocks until the key length is reached. */
// RFC 3961 section 5.1 (DR/DK) with RFC 3962 section 5 (AES E(), random-to-key is identity).
export function deriveKey(baseKey: Buffer, constant: Uint8Array): Buffer {
  const cipher = createCipheriv(`aes-${baseKey.length * 8}-ecb`, baseKey, null);
  cipher.setAutoPadding(false);
  const blocks: Buffer[] = [];
  let block = nfold(constant, AES_BLOCK);
  for (let produced = 0; produced < baseKey.length; produced += AES_BLOCK) {
    block = cipher.update(block);
    blocks.push(block);
  }
  return Buffer.concat(blocks).subarray(0, baseKey.length);
}

/** AES string-to-key: PBKDF2-HMAC-SHA1 then DK(tkey, "kerberos"). The password is taken as UTF-8. */
// RFC 3962 section 4; MS-KILE 3.1.1.2 (the UTF-16 password is converted to UTF-8 first).
export function aesKey(
  password: string,
  salt: string | Buffer,
  bits: 128 | 256,
  iterations = DEFAULT_ITERATIONS,
): Buffer {
  const saltBytes = typeof salt === 'string' ? Buffer.from(salt, 'utf8') : salt;
  const tkey = pbkdf2Sync(Buffer.from(password, 'utf8'), saltBytes, iterations, bits / 8, 'sha1');
  return deriveKey(tkey, Buffer.from('kerberos', 'ascii'));
}

/** Both AES keys for a password and salt, as stored in Primary:Kerberos-Newer-Keys. */
export function kerberosKeys(password: string, salt: string, iterations = DEFAULT_ITERATIONS): KerberosKeys {
  // One PBKDF2 for both: a 16-byte PBKDF2 output is the first 16 bytes of the 32-byte one (RFC 8018 5.2).
  const tkey = pbkdf2Sync(Buffer.from(password, 'utf8'), Buffer.from(salt, 'utf8'), iterations, 32, 'sha1');
  const usage = Buffer.from('kerberos', 'ascii');
  return {
    aes256: deriveKey(tkey, usage),
    aes128: deriveKey(tkey.subarray(0, 16), usage),
    salt,
    iterations,
  };
}

/** The default Kerberos salt of an account. */
// MS-KILE 3.1.1.2, refined by Samba lib/krb5_wrap/krb5_samba.c smb_krb5_salt_principal (UPN users).
export function kerberosSalt(account: KerberosSaltAccount): string {
  const realm = account.realm.toUpperCase();
  if (account.isComputer) {
    const host = account.sAMAccountName.replace(/\$$/, '').toLowerCase();
    return `${realm}host${host}.${realm.toLowerCase()}`;
  }
  const upn = account.userPrincipalName;
  if (upn !== undefined && upn !== '') {
    // krb5_parse_name: the realm starts at the first '@'; components ('/') are concatenated.
    const at = upn.indexOf('@');
    const localPart = at >= 0 ? upn.slice(0, at) : upn;
    return realm + localPart.split('/').join('');
  }
  return realm + account.sAMAccountName;
}
