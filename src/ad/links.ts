import type { StoredEntry } from '../directory/entry.js';
import { normalizeDn } from '../directory/dn.js';
import type { AttributeType, AttributeValue } from '../directory/schema.js';
import type { Dsa } from './dsa.js';
import { resolveObject } from './resolve.js';
import { AdErrors } from './errors.js';
import { isTombstone, mayNameDeletedObject } from './tombstones.js';

// MS-ADTS 3.1.1.1.6 linked attributes: a forward link (even linkID) is stored on its holder, as
// the target's GUID so it follows renames and moves; the back link (linkID + 1) is never stored,
// it is read from the forward link's index.

export function isForwardLink(attr: AttributeType): boolean {
  return attr.linkId !== undefined && attr.linkId % 2 === 0;
}

export function isBackLink(attr: AttributeType): boolean {
  return attr.linkId !== undefined && attr.linkId % 2 === 1;
}

/** The GUID a DN-valued input names (a DN, or AD's <GUID=...>/<SID=...> forms); 32 if none. */
export function linkTarget(dsa: Dsa, value: AttributeValue): string {
  const text = typeof value === 'string' ? value : value.toString('utf8');
  // A plain DN (what a sync writes, a member at a time): the DN index alone answers, unless the
  // DN may name a deleted object, which is read to be refused.
  const key = text.startsWith('<') ? undefined : dnKey(text);
  const byDn = key === undefined ? undefined : dsa.store.guidOfDnKey(key);
  if (byDn !== undefined) {
    if (!mayNameDeletedObject(key!)) return byDn;
    const named = dsa.store.nameOf(byDn);
    if (named && !isTombstone(named)) return named.guid;
  }
  const target = resolveObject(dsa, text);
  if (!target) throw AdErrors.noSuchObject(dsa.domain.dn);
  return target.guid;
}

/** A DN's index key; a malformed DN is left for resolveObject to refuse with AD's error. */
function dnKey(dn: string): string | undefined {
  try {
    return normalizeDn(dn);
  } catch {
    return undefined;
  }
}

/** The GUIDs of the objects whose forward link points at `entry` (its back-link values). */
export function backLinkGuids(dsa: Dsa, entry: StoredEntry, backLink: AttributeType): string[] {
  const forward = dsa.schema.linkPartner(backLink);
  if (!forward || !dsa.store.isIndexed(forward.name)) return [];
  return [...dsa.store.lookup(forward.name, entry.guid)];
}

/** The link values of an entry in GUID space, forward or back. */
export function linkGuids(dsa: Dsa, entry: StoredEntry, attr: AttributeType): readonly string[] {
  if (isBackLink(attr)) return backLinkGuids(dsa, entry, attr);
  return (entry.attrs[attr.name] ?? []) as readonly string[];
}

/** GUIDs rendered as the current DNs of their objects (links to vanished objects are dropped). */
export function guidsToDns(dsa: Dsa, guids: readonly string[]): string[] {
  const dns: string[] = [];
  for (const guid of guids) {
    const target = dsa.store.nameOf(guid);
    if (target) dns.push(target.dn);
  }
  return dns;
}

/** Removes every forward link that points at `guid` (the target is going away). */
export function removeLinksTo(dsa: Dsa, guid: string, stamp: (next: Record<string, AttributeValue[]>) => void): void {
  for (const attr of dsa.schema.attributes()) {
    if (!isForwardLink(attr) || !dsa.store.isIndexed(attr.name)) continue;
    for (const holderGuid of [...dsa.store.lookup(attr.name, guid)]) {
      const holder = dsa.store.byGuid(holderGuid);
      if (!holder) continue;
      const attrs = { ...holder.attrs } as Record<string, AttributeValue[]>;
      const kept = (attrs[attr.name] ?? []).filter((v) => v !== guid);
      if (kept.length) attrs[attr.name] = kept;
      else delete attrs[attr.name];
      stamp(attrs);
      dsa.store.put({ ...holder, attrs }, holder);
    }
  }
}
