import { timingSafeEqual } from 'node:crypto';
import type { AttributeMap, StoredEntry } from '../directory/entry.js';
import type { AttributeValue } from '../directory/schema.js';
import { meetsComplexity } from './crypto/complexity.js';
import { kerberosKeys, kerberosSalt } from './crypto/kerberos.js';
import { ntHash } from './crypto/ntHash.js';
import { openSecret, sealSecret } from './crypto/secretBox.js';
import { decodeUnicodePwd } from './crypto/unicodePwd.js';
import { realm } from './domain.js';
import type { Dsa } from './dsa.js';
import { AdErrors } from './errors.js';
import { integer8, toFileTime } from './time.js';
import { UF, uacOf } from './uac.js';

/**
 * What the DC keeps of a password: the NT hash and the Kerberos AES keys, sealed with the
 * domain's key (AES-256-GCM, bound to the object's GUID). Never the password itself.
 */
export interface StoredCredentials {
  nt: string;
  aes256: string;
  aes128: string;
  salt: string;
  iterations: number;
}

/** The domain-wide password and lockout policy, read from the domain object as AD keeps it. */
export interface DomainPolicy {
  minPwdLength: number;
  complexity: boolean;
  /** negative 100-ns interval; 0 or INT64_MIN = never */
  maxPwdAge: bigint;
  lockoutThreshold: number;
  lockoutDuration: bigint;
  lockOutObservationWindow: bigint;
}

const policies = new WeakMap<Dsa, { usn: number; policy: DomainPolicy }>();

/** The policy as of the last committed change (re-read only when the USN moved). */
export function domainPolicy(dsa: Dsa): DomainPolicy {
  const usn = dsa.store.highestUsn();
  const cached = policies.get(dsa);
  if (cached && cached.usn === usn && !dsa.store.writing) return cached.policy;
  const policy = readDomainPolicy(dsa);
  if (!dsa.store.writing) policies.set(dsa, { usn, policy });
  return policy;
}

// MS-ADTS 3.1.1.4.5.x / MS-SAMR 3.1.1.7.2: pwdProperties bit 0x1 is DOMAIN_PASSWORD_COMPLEX.
function readDomainPolicy(dsa: Dsa): DomainPolicy {
  const head = dsa.store.byDn(dsa.domain.dn);
  const int = (name: string, fallback: string): string => String(head?.attrs[name]?.[0] ?? fallback);
  return {
    minPwdLength: Number(int('minPwdLength', '7')),
    complexity: (Number(int('pwdProperties', '1')) & 1) === 1,
    maxPwdAge: integer8(int('maxPwdAge', '-36288000000000')),
    lockoutThreshold: Number(int('lockoutThreshold', '0')),
    lockoutDuration: integer8(int('lockoutDuration', '-18000000000')),
    lockOutObservationWindow: integer8(int('lockOutObservationWindow', '-18000000000')),
  };
}

/** AD's password policy check; its error is 53 with ERROR_PASSWORD_RESTRICTION (0000052D). */
export function checkPasswordPolicy(policy: Pick<DomainPolicy, 'minPwdLength' | 'complexity'>, password: string, account: AttributeMap | StoredEntry['attrs']): void {
  if ([...password].length < policy.minPwdLength) throw AdErrors.passwordRestriction();
  const sAMAccountName = account.sAMAccountName?.[0];
  const displayName = account.displayName?.[0];
  if (policy.complexity && !meetsComplexity(password, { sAMAccountName: sAMAccountName ? String(sAMAccountName) : undefined, displayName: displayName ? String(displayName) : undefined })) {
    throw AdErrors.passwordRestriction();
  }
}

/** Derives and seals the credentials of `password` for the account; the caller is in a write. */
export function storePassword(dsa: Dsa, guid: string, account: AttributeMap | StoredEntry['attrs'], password: string): void {
  const uac = uacOf(account.userAccountControl?.[0]);
  const salt = kerberosSalt({
    realm: realm(dsa.domain),
    sAMAccountName: String(account.sAMAccountName?.[0] ?? ''),
    userPrincipalName: account.userPrincipalName?.[0] === undefined ? undefined : String(account.userPrincipalName[0]),
    isComputer: (uac & (UF.WORKSTATION_TRUST_ACCOUNT | UF.SERVER_TRUST_ACCOUNT)) !== 0,
  });
  const keys = kerberosKeys(password, salt);
  storeCredentials(dsa, guid, {
    nt: ntHash(password).toString('hex'),
    aes256: keys.aes256.toString('hex'),
    aes128: keys.aes128.toString('hex'),
    salt,
    iterations: keys.iterations,
  });
}

export function storeCredentials(dsa: Dsa, guid: string, credentials: StoredCredentials | undefined): void {
  dsa.store.putSecret(guid, credentials && sealSecret(dsa.secretKey, Buffer.from(JSON.stringify(credentials)), guid));
}

export function readCredentials(dsa: Dsa, guid: string): StoredCredentials | undefined {
  const sealed = dsa.store.secret(guid);
  if (!sealed) return undefined;
  return JSON.parse(openSecret(dsa.secretKey, sealed, guid).toString('utf8')) as StoredCredentials;
}

/** Checks a password by hashing it and comparing NT hashes; the DC never holds cleartext. */
export function verifyPassword(dsa: Dsa, entry: StoredEntry, password: string): boolean {
  const credentials = readCredentials(dsa, entry.guid);
  if (!credentials) return false;
  return timingSafeEqual(ntHash(password), Buffer.from(credentials.nt, 'hex'));
}

/** The cleartext a unicodePwd value carries (MS-ADTS 3.1.1.3.1.5.1), or AD's 53 when malformed. */
export function unicodePwdValue(value: AttributeValue): string {
  const password = decodeUnicodePwd(value);
  if (password === undefined) throw AdErrors.passwordNotOverTls();
  return password;
}

/** userPassword with dSHeuristics fUserPwdSupport: plain UTF-8, no quotes (MS-ADTS 3.1.1.3.1.5.2). */
export function userPasswordValue(value: AttributeValue): string {
  return typeof value === 'string' ? value : value.toString('utf8');
}

/** pwdLastSet after a password write: now, as a FILETIME string. */
export function pwdLastSetNow(dsa: Dsa): string {
  return toFileTime(dsa.now()).toString();
}
