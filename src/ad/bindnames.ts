import type { StoredEntry } from '../directory/entry.js';
import type { Dsa } from './dsa.js';
import { resolveObject } from './resolve.js';
import { isTombstone } from './tombstones.js';

/**
 * The account a simple bind names, trying AD's name forms as Samba's cracknames does
 * (crack_auto_name_to_nt4_name): a DN (or <GUID=>/<SID=> form), a UPN (explicit
 * userPrincipalName first, then the implicit `sAMAccountName@<DNS or NetBIOS domain>`), or
 * `DOMAIN\sAMAccountName`. Undefined when no single account matches.
 */
export function resolveBindName(dsa: Dsa, name: string): StoredEntry | undefined {
  if (name.startsWith('<') || name.includes('=')) {
    try {
      return resolveObject(dsa, name);
    } catch {
      return undefined;
    }
  }
  const at = name.lastIndexOf('@');
  if (at > 0) {
    const explicit = uniqueBy(dsa, 'userPrincipalName', name);
    if (explicit) return explicit;
    const suffix = name.slice(at + 1).toLowerCase();
    if (isThisDomain(dsa, suffix)) return account(dsa, name.slice(0, at));
    return undefined;
  }
  const slash = name.indexOf('\\');
  if (slash > 0 && isThisDomain(dsa, name.slice(0, slash).toLowerCase())) return account(dsa, name.slice(slash + 1));
  return undefined;
}

function isThisDomain(dsa: Dsa, name: string): boolean {
  return name === dsa.domain.dnsName.toLowerCase() || name === dsa.domain.netbiosName.toLowerCase();
}

function account(dsa: Dsa, sAMAccountName: string): StoredEntry | undefined {
  const entry = uniqueBy(dsa, 'sAMAccountName', sAMAccountName);
  return entry && (entry.attrs.objectClass ?? []).some((c) => String(c).toLowerCase() === 'user') ? entry : undefined;
}

/** MS-ADTS 5.1.1.1.1: a name that maps to more than one object binds nobody. */
function uniqueBy(dsa: Dsa, attribute: string, value: string): StoredEntry | undefined {
  let found: StoredEntry | undefined;
  for (const guid of dsa.store.lookup(attribute, value)) {
    const entry = dsa.store.byGuid(guid);
    if (!entry || isTombstone(entry)) continue;
    if (found) return undefined;
    found = entry;
  }
  return found;
}
