import type { ConnectorObject, ObjectType } from '../model.js';

const ACCOUNT_DISABLED = 0x2;
const SECURITY_ENABLED = 0x80000000;
const BUILTIN_LOCAL_GROUP = 0x1;
/** A group must have fewer members than this (concept-azure-ad-connect-sync-default-configuration.md). */
export const MAX_GROUP_MEMBERS = 250_000;

function first(object: ConnectorObject, name: string): string | undefined {
  return object.attrs[name]?.[0];
}

function classes(object: ConnectorObject): string[] {
  return (object.attrs.objectClass ?? []).map((c) => c.toLowerCase());
}

/** user or group; undefined for everything else (computers, contacts, OUs ...: never in Domain Services). */
export function objectTypeOf(object: ConnectorObject): ObjectType | undefined {
  const c = classes(object);
  // synchronization.md: computer objects are not synchronized to Domain Services.
  if (c.includes('computer')) return undefined;
  if (c.includes('user')) return 'user';
  if (c.includes('group')) return 'group';
  return undefined;
}

export function isAccountEnabled(object: ConnectorObject): boolean {
  return (Number(first(object, 'userAccountControl') ?? 0) & ACCOUNT_DISABLED) === 0;
}

export function isSecurityEnabled(object: ConnectorObject): boolean {
  return ((Number(first(object, 'groupType') ?? 0) >>> 0) & SECURITY_ENABLED) !== 0;
}

/** concept-azure-ad-connect-sync-user-and-contacts.md: an SMTP proxy address with '@', or a mail with '@'. */
export function isMailEnabled(object: ConnectorObject): boolean {
  const proxies = object.attrs.proxyAddresses ?? [];
  if (proxies.length === 0) return (first(object, 'mail') ?? '').includes('@');
  return proxies.some((p) => /^smtp:/i.test(p) && p.includes('@'));
}

/**
 * Why Entra Connect leaves an object out (its scoping filter and `cloudFiltered` flow in
 * `In from AD - User Join` / `Group Join`, entra.md 1.1); undefined when it is synced.
 */
export function filteredBecause(object: ConnectorObject): string | undefined {
  const type = objectTypeOf(object);
  if (!type) return classes(object).includes('computer') ? 'computers are not synchronized to Domain Services' : 'not a user or group';
  if ((first(object, 'isCriticalSystemObject') ?? '').toUpperCase() === 'TRUE') return 'isCriticalSystemObject';
  const sam = first(object, 'sAMAccountName');
  const nick = first(object, 'mailNickname') ?? '';
  const recipientType = Number(first(object, 'msExchRecipientTypeDetails') ?? 0);
  // '\0ACNF:' in the RDN marks a replication-conflict object.
  if (/\\0ACNF:|\nCNF:/i.test(object.dn.split(/(?<!\\),/)[0] ?? '')) return 'replication-conflict object';
  if (type === 'user') {
    if ((first(object, 'adminDescription') ?? '').startsWith('User_')) return 'adminDescription starts with User_';
    if (sam === undefined) return 'no sAMAccountName';
    if (sam === 'SUPPORT_388945a0') return 'SUPPORT_388945a0';
    if (nick.startsWith('SystemMailbox{')) return 'system mailbox';
    if (sam.startsWith('AAD_')) return 'AAD_ account';
    if (sam.startsWith('MSOL_')) return 'MSOL_ account';
    if ((nick.startsWith('CAS_') && nick.includes('}')) || (sam.startsWith('CAS_') && sam.includes('}'))) return 'CAS_ system mailbox';
    if ((recipientType & 0x21c07000) !== 0) return 'Exchange system recipient';
    return undefined;
  }
  if ((first(object, 'adminDescription') ?? '').startsWith('Group_')) return 'adminDescription starts with Group_';
  if (sam === 'MSOL_AD_Sync_RichCoexistence') return 'MSOL_AD_Sync_RichCoexistence';
  if ((recipientType & 0x40000000) !== 0) return 'Exchange role group';
  if ((Number(first(object, 'groupType') ?? 0) & BUILTIN_LOCAL_GROUP) !== 0) return 'built-in group';
  if (!isSecurityEnabled(object) && !isMailEnabled(object)) return 'distribution group that is not mail-enabled';
  if ((object.links.member?.length ?? 0) >= MAX_GROUP_MEMBERS) return `more than ${MAX_GROUP_MEMBERS} members`;
  return undefined;
}

/** Entra Connect OU filtering: inside one of the included OUs (all of the domain when none). */
export function inIncludedOus(object: ConnectorObject, includeOUs: readonly string[] | undefined): boolean {
  if (!includeOUs || includeOUs.length === 0) return true;
  const dn = object.dn.toLowerCase().replace(/\s*,\s*/g, ',');
  return includeOUs.some((ou) => {
    const base = ou.toLowerCase().replace(/\s*,\s*/g, ',');
    return dn === base || dn.endsWith(`,${base}`);
  });
}
