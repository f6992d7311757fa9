import { randomBytes } from 'node:crypto';
import { newGuid, sidFromString, sidToString, sidWithRid } from '../directory/binary.js';
import type { AttributeMap, StoredEntry } from '../directory/entry.js';
import type { ObjectClass } from '../directory/schema.js';
import { categoryDn } from './domain.js';
import type { Dsa } from './dsa.js';
import { AdErrors } from './errors.js';
import { WellKnownRid } from './principal.js';
import { isTombstone } from './tombstones.js';
import { NEVER, generalizedTime } from './time.js';
import { GROUP_TYPE, UF, accountTypeOfGroup, accountTypeOfUac, uacOf } from './uac.js';

// What AD fills in when an object is added, after Samba's samldb module
// (source4/dsdb/samdb/ldb_modules/samldb.c) and MS-SAMR 3.1.1.8.

/** The first RID handed to an object the domain creates after provisioning. */
const FIRST_RID = 1103;

export type AccountKind = 'user' | 'computer' | 'group' | 'other';

export function accountKind(objectClasses: readonly unknown[]): AccountKind {
  const names = objectClasses.map((c) => String(c).toLowerCase());
  if (names.includes('computer')) return 'computer';
  if (names.includes('user')) return 'user';
  if (names.includes('group')) return 'group';
  return 'other';
}

export interface AddDefaults {
  rdnValue: string;
  structural: ObjectClass;
  hasPassword: boolean;
  system: boolean;
  ncHead?: boolean;
}

/** Fills in the attributes AD sets on add; `attrs` already holds what the client gave. */
export function fillAddDefaults(dsa: Dsa, attrs: AttributeMap, options: AddDefaults): void {
  const now = dsa.now();
  const when = generalizedTime(now);
  const kind = accountKind(attrs.objectClass ?? []);

  if (attrs.objectGUID && !options.system) throw AdErrors.systemOnlyAttribute();
  attrs.objectGUID ??= [newGuid()];
  attrs.name = [options.rdnValue];
  // IT_WRITE (4), plus IT_NC_HEAD (1) on a naming-context head (MS-ADTS 2.2.18).
  attrs.instanceType = [options.ncHead ? '5' : '4'];
  attrs.whenCreated = [when];
  attrs.whenChanged = [when];
  const category = categoryOf(dsa, options.structural);
  if (category) attrs.objectCategory = [categoryDn(dsa.domain, category)];

  if (kind === 'other') return;

  attrs.objectSid = [objectSid(dsa, attrs, options.system)];
  attrs.sAMAccountName ??= [generatedAccountName()];

  if (kind === 'group') {
    const groupType = Number(String(attrs.groupType?.[0] ?? GROUP_TYPE.ACCOUNT | GROUP_TYPE.SECURITY_ENABLED) ) | 0;
    attrs.groupType = [String(groupType)];
    attrs.sAMAccountType = [String(accountTypeOfGroup(groupType >>> 0))];
    return;
  }

  let uac: number;
  if (attrs.userAccountControl) uac = uacOf(attrs.userAccountControl[0]);
  else if (kind === 'computer') uac = UF.WORKSTATION_TRUST_ACCOUNT | (options.hasPassword ? 0 : UF.PASSWD_NOTREQD);
  else uac = UF.NORMAL_ACCOUNT | (options.hasPassword ? 0 : UF.ACCOUNTDISABLE | UF.PASSWD_NOTREQD);
  // LOCKOUT and PASSWORD_EXPIRED are never stored: msDS-User-Account-Control-Computed shows them.
  uac &= ~(UF.LOCKOUT | UF.PASSWORD_EXPIRED);
  attrs.userAccountControl = [String(uac)];
  attrs.sAMAccountType = [String(accountTypeOfUac(uac))];
  attrs.primaryGroupID ??= [String(defaultPrimaryGroup(uac))];
  attrs.accountExpires ??= [NEVER];
  attrs.pwdLastSet ??= ['0'];
  for (const counter of ['badPwdCount', 'badPasswordTime', 'lastLogon', 'lastLogoff', 'logonCount', 'codePage', 'countryCode']) {
    attrs[counter] ??= ['0'];
  }
}

/** MS-SAMR 3.1.1.8.1: computers default to Domain Computers, DCs to Domain Controllers. */
function defaultPrimaryGroup(uac: number): number {
  if (uac & UF.SERVER_TRUST_ACCOUNT) return WellKnownRid.domainControllers;
  if (uac & UF.WORKSTATION_TRUST_ACCOUNT) return WellKnownRid.domainComputers;
  return WellKnownRid.domainUsers;
}

const categories = new WeakMap<ObjectClass, string | null>();

function categoryOf(dsa: Dsa, structural: ObjectClass): string | undefined {
  let category = categories.get(structural);
  if (category === undefined) {
    const chain = dsa.schema.classChain(structural.name);
    category = null;
    for (let i = chain.length - 1; i >= 0 && category === null; i--) category = chain[i]!.category || null;
    categories.set(structural, category);
  }
  return category ?? undefined;
}

const domainSids = new WeakMap<Dsa, Buffer>();

function domainSidOf(dsa: Dsa): Buffer {
  let sid = domainSids.get(dsa);
  if (!sid) domainSids.set(dsa, (sid = sidFromString(dsa.domain.sid)));
  return sid;
}

/** A new SID from the domain SID and the next RID; the emulator itself may give well-known ones. */
function objectSid(dsa: Dsa, attrs: AttributeMap, system: boolean): Buffer {
  const given = attrs.objectSid?.[0];
  if (given !== undefined) {
    if (!system) throw AdErrors.systemOnlyAttribute();
    const sid = typeof given === 'string' ? sidFromString(given) : given;
    for (const _ of dsa.store.lookup('objectSid', sid)) throw AdErrors.entryAlreadyExists();
    return sid;
  }
  const rid = dsa.store.getMeta<number>('nextRid') ?? FIRST_RID;
  dsa.store.putMeta('nextRid', rid + 1);
  return sidWithRid(domainSidOf(dsa), rid);
}

/** AD names an account added without sAMAccountName like `$5K3000-QDV6KBK7OM2G`. */
function generatedAccountName(): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUV';
  const bytes = randomBytes(18);
  const pick = (n: number, from: number): string => Array.from({ length: n }, (_, i) => alphabet[bytes[from + i]! & 31]).join('');
  return `$${pick(6, 0)}-${pick(12, 6)}`;
}

/** Refuses a second account with the same sAMAccountName, or a second userPrincipalName, as AD does. */
export function assertUniqueNames(dsa: Dsa, attrs: AttributeMap, self?: StoredEntry): void {
  const sam = attrs.sAMAccountName?.[0];
  if (sam !== undefined && (!self || differs(self, 'sAMAccountName', String(sam)))) {
    for (const guid of dsa.store.lookup('sAMAccountName', sam)) if (guid !== self?.guid && isLive(dsa, guid)) throw AdErrors.accountNameExists();
  }
  const upn = attrs.userPrincipalName?.[0];
  if (upn !== undefined && (!self || differs(self, 'userPrincipalName', String(upn)))) {
    for (const guid of dsa.store.lookup('userPrincipalName', upn)) {
      if (guid !== self?.guid && isLive(dsa, guid)) throw AdErrors.upnNotUnique(dsa.schema.attribute('userPrincipalName')!);
    }
  }
}

/** Tombstones keep their sAMAccountName, but do not hold it against new objects. */
function isLive(dsa: Dsa, guid: string): boolean {
  const entry = dsa.store.byGuid(guid);
  return entry !== undefined && !isTombstone(entry);
}

function differs(entry: StoredEntry, name: string, value: string): boolean {
  return String(entry.attrs[name]?.[0] ?? '').toLowerCase() !== value.toLowerCase();
}

export function sidOf(entry: StoredEntry): string | undefined {
  const sid = entry.attrs.objectSid?.[0];
  return sid === undefined ? undefined : sidToString(Buffer.isBuffer(sid) ? sid : Buffer.from(sid, 'latin1'));
}
