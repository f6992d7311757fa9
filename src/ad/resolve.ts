import { guidFromString, sidFromString } from '../directory/binary.js';
import type { StoredEntry } from '../directory/entry.js';
import { parseAlternativeDn } from '../directory/alternativeDn.js';
import { InvalidDnError, normalizeDn, parentDn } from '../directory/dn.js';
import type { Dsa } from './dsa.js';
import { AdErrors } from './errors.js';
import { isTombstone } from './tombstones.js';

/**
 * The object a DN-valued input names: a DN, or AD's alternative forms `<GUID=...>`,
 * `<SID=...>` and `<WKGUID=...,NC>` (MS-ADTS 3.1.1.3.1.2.4). Undefined when nothing matches;
 * AdError 34 when the input is not a DN at all.
 */
export function resolveObject(dsa: Dsa, input: string, includeDeleted = false): StoredEntry | undefined {
  const found = findObject(dsa, input);
  return found && (includeDeleted || !isTombstone(found)) ? found : undefined;
}

function findObject(dsa: Dsa, input: string): StoredEntry | undefined {
  let form;
  try {
    form = parseAlternativeDn(input);
  } catch (e) {
    if (e instanceof InvalidDnError) throw AdErrors.invalidDnSyntax();
    throw e;
  }
  switch (form.kind) {
    case 'dn':
      return dsa.store.byDn(form.dn);
    case 'guid':
      return dsa.store.byGuid(guidFromString(form.guid).toString('hex'));
    case 'sid': {
      const sid = sidFromString(form.sid);
      let tombstone: StoredEntry | undefined;
      for (const guid of dsa.store.lookup('objectSid', sid)) {
        const entry = dsa.store.byGuid(guid);
        if (entry && !isTombstone(entry)) return entry;
        tombstone ??= entry;
      }
      return tombstone;
    }
    case 'wkguid':
      return wellKnownObject(dsa, form.wkguid, form.dn);
  }
}

/** Resolves through the NC head's wellKnownObjects (and otherWellKnownObjects) values `B:32:<GUID>:<DN>`. */
function wellKnownObject(dsa: Dsa, wkguid: string, ncDn: string): StoredEntry | undefined {
  const head = dsa.store.byDn(ncDn);
  for (const value of [...(head?.attrs.wellKnownObjects ?? []), ...(head?.attrs.otherWellKnownObjects ?? [])]) {
    const m = /^B:32:([0-9A-Fa-f]{32}):(.*)$/s.exec(String(value));
    if (m && m[1]!.toUpperCase() === wkguid) return dsa.store.byDn(m[2]!);
  }
  return undefined;
}

/** The closest existing ancestor of a DN that does not exist: AD's "best match" (matchedDN). */
export function bestMatch(dsa: Dsa, dn: string): string {
  let current = dn;
  try {
    while (current !== '') {
      current = parentDn(current);
      if (current !== '' && dsa.store.guidOfDn(current)) return dsa.store.byDn(current)!.dn;
    }
  } catch {
    return '';
  }
  return '';
}

/** Does the DN lie inside this DC's domain naming context? */
export function inDomain(dsa: Dsa, dn: string): boolean {
  const key = normalizeDn(dn);
  const base = normalizeDn(dsa.domain.dn);
  return key === base || key.endsWith(',' + base);
}
