import { sidFromString } from '../directory/binary.js';
import type { StoredEntry } from '../directory/entry.js';
import { parseDn } from '../directory/dn.js';
import type { AttributeValue } from '../directory/schema.js';
import { subschemaDn } from './domain.js';
import type { Dsa } from './dsa.js';
import { domainPolicy } from './passwords.js';
import { sidOf } from './samldb.js';
import { NEVER, integer8, toFileTime } from './time.js';
import { tokenGroupSids } from './tokens.js';
import { TRUST_ACCOUNT, UF, uacOf } from './uac.js';

// Constructed attributes (MS-ADTS 3.1.1.4.5): computed on read, returned only when named,
// after Samba's operational module (source4/dsdb/samdb/ldb_modules/operational.c).

type Constructor = (dsa: Dsa, entry: StoredEntry) => AttributeValue[];

const INT64_MIN = -(2n ** 63n);

const constructors: Record<string, Constructor> = {
  createTimeStamp: (_dsa, e) => [...(e.attrs.whenCreated ?? [])],
  modifyTimeStamp: (_dsa, e) => [...(e.attrs.whenChanged ?? [])],
  // Samba: the object's class chain without its auxiliary classes, top first.
  structuralObjectClass: (dsa, e) => (e.attrs.objectClass ?? []).filter((c) => dsa.schema.objectClass(String(c))?.kind !== 'auxiliary'),
  subSchemaSubEntry: (dsa) => [subschemaDn(dsa.domain)],
  parentGUID: (_dsa, e) => (e.parent ? [Buffer.from(e.parent, 'hex')] : []),
  canonicalName: (dsa, e) => [canonicalName(dsa, e.dn)],
  // The RID of a group, which its primary members carry in primaryGroupID.
  primaryGroupToken: (_dsa, e) => {
    const sid = sidOf(e);
    return sid && (e.attrs.objectClass ?? []).some((c) => String(c).toLowerCase() === 'group') ? [sid.slice(sid.lastIndexOf('-') + 1)] : [];
  },
  // Only the computed bits (0 for a usable account), as Samba answers. Samba also answers on
  // objects that have no userAccountControl (8388608 on a group or OU); here only accounts do.
  'msDS-User-Account-Control-Computed': (dsa, e) => (e.attrs.userAccountControl ? [String(computedUac(dsa, e))] : []),
  'msDS-UserPasswordExpiryTimeComputed': (dsa, e) => (e.attrs.userAccountControl ? [passwordExpiryTime(dsa, e)] : []),
  'msDS-PrincipalName': (dsa, e) => (e.attrs.sAMAccountName ? [`${dsa.domain.netbiosName}\\${String(e.attrs.sAMAccountName[0])}`] : []),
  tokenGroups: (dsa, e) => (e.attrs.objectSid ? tokenGroupSids(dsa, e).map((sid) => sidFromString(sid)) : []),
  tokenGroupsNoGCAcceptable: (dsa, e) => (e.attrs.objectSid ? tokenGroupSids(dsa, e).map((sid) => sidFromString(sid)) : []),
  // The global and universal groups only: what a GC would know (MS-ADTS 3.1.1.4.5.19).
  tokenGroupsGlobalAndUniversal: (dsa, e) => (e.attrs.objectSid ? tokenGroupSids(dsa, e, { globalAndUniversal: true }).map((sid) => sidFromString(sid)) : []),
};

export function isConstructedHere(name: string): boolean {
  return name in constructors;
}

export function constructedValues(dsa: Dsa, entry: StoredEntry, name: string): AttributeValue[] {
  return constructors[name]?.(dsa, entry) ?? [];
}

/** ADS_NAME_TYPE_CANONICAL: `contoso.com/Corp/Users/Dan Riley`; a '/' in a name is `\/` as Windows writes it (Samba 4.17 leaves it bare). */
export function canonicalName(dsa: Dsa, dn: string): string {
  const rdns = parseDn(dn);
  const domainDepth = parseDn(dsa.domain.dn).length;
  const path = rdns.slice(0, rdns.length - domainDepth).reverse().map((rdn) => rdn[0]!.value.replace(/\//g, '\\/'));
  return [dsa.domain.dnsName, ...path].join('/') + (path.length === 0 ? '/' : '');
}

// MS-ADTS 3.1.1.4.5.17: LOCKOUT and PASSWORD_EXPIRED are computed, never stored; the attribute
// holds those bits alone (Samba operational.c construct_msds_user_account_control_computed).
export function computedUac(dsa: Dsa, entry: StoredEntry): number {
  let computed = 0;
  if (isLockedOut(dsa, entry)) computed |= UF.LOCKOUT;
  if (isPasswordExpired(dsa, entry)) computed |= UF.PASSWORD_EXPIRED;
  return computed;
}

export function isLockedOut(dsa: Dsa, entry: StoredEntry): boolean {
  const uac = uacOf(entry.attrs.userAccountControl?.[0]);
  if (uac & TRUST_ACCOUNT) return false;
  const lockoutTime = integer8(entry.attrs.lockoutTime?.[0]);
  if (lockoutTime === 0n) return false;
  const duration = domainPolicy(dsa).lockoutDuration;
  // A duration of 0 (or INT64_MIN, "forever") locks out until an administrator unlocks (Samba).
  if (duration >= 0n || duration === INT64_MIN) return true;
  return toFileTime(dsa.now()) + duration <= lockoutTime;
}

export function isPasswordExpired(dsa: Dsa, entry: StoredEntry): boolean {
  const uac = uacOf(entry.attrs.userAccountControl?.[0]);
  if (uac & (UF.SMARTCARD_REQUIRED | UF.DONT_EXPIRE_PASSWD | TRUST_ACCOUNT)) return false;
  const pwdLastSet = integer8(entry.attrs.pwdLastSet?.[0]);
  if (pwdLastSet === 0n) return true;
  const maxAge = domainPolicy(dsa).maxPwdAge;
  if (maxAge === INT64_MIN || maxAge === 0n) return false;
  return toFileTime(dsa.now()) - pwdLastSet > -maxAge;
}

// Samba operational.c get_msds_user_password_expiry_time_computed.
function passwordExpiryTime(dsa: Dsa, entry: StoredEntry): string {
  const uac = uacOf(entry.attrs.userAccountControl?.[0]);
  if (uac & (UF.SMARTCARD_REQUIRED | UF.DONT_EXPIRE_PASSWD | TRUST_ACCOUNT)) return NEVER;
  const pwdLastSet = integer8(entry.attrs.pwdLastSet?.[0]);
  if (pwdLastSet === 0n) return '0';
  if (pwdLastSet < 0n) return NEVER;
  const maxAge = domainPolicy(dsa).maxPwdAge;
  if (maxAge === INT64_MIN || maxAge === 0n) return NEVER;
  return String(pwdLastSet - maxAge);
}

