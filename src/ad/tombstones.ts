import type { AttributeMap, EntryName, StoredEntry } from '../directory/entry.js';
import { childDn, rdnValue } from '../directory/dn.js';
import { guidToString } from '../directory/binary.js';
import type { Dsa } from './dsa.js';
import { canonicalRdn } from './naming.js';
import { fromGeneralizedTime, toFileTime } from './time.js';
import { stampChange } from './operations/stamp.js';

// MS-ADTS 3.1.1.5.5 deletion: the object becomes a tombstone under CN=Deleted Objects, renamed to
// `<RDN>\nDEL:<objectGUID>` (written \0ADEL: in DN strings), keeping only what replication needs.

/** MS-ADTS 3.1.1.5.5.1.1: the attributes a tombstone keeps (those this schema has). */
const KEPT = ['objectClass', 'objectGUID', 'objectSid', 'sIDHistory', 'sAMAccountName', 'userAccountControl', 'groupType', 'instanceType', 'systemFlags', 'dNSHostName', 'whenCreated', 'uSNCreated'];

/** Default tombstoneLifetime of forests created on Windows Server 2003 SP1 and later: 180 days. */
export const DEFAULT_TOMBSTONE_LIFETIME_DAYS = 180;

export function isTombstone(entry: EntryName): boolean {
  return String(entry.attrs.isDeleted?.[0] ?? '').toUpperCase() === 'TRUE';
}

/**
 * Whether a DN, normalized (normalizeDn), may name a deleted object: tombstones and the Deleted
 * Objects containers themselves all live in a CN=Deleted Objects. Any other DN names a live one.
 */
export function mayNameDeletedObject(dnKey: string): boolean {
  return dnKey.includes('cn=deleted objects,');
}

export function deletedObjectsDn(dsa: Dsa): string {
  return childDn('CN=Deleted Objects', dsa.domain.dn);
}

/** Turns a live object into its tombstone, inside the caller's write. */
export function makeTombstone(dsa: Dsa, entry: StoredEntry): StoredEntry {
  const container = dsa.store.byDn(deletedObjectsDn(dsa));
  if (!container) throw new Error('CN=Deleted Objects is missing');
  const rdn = rdnValue(entry.dn);
  const rdnAttr = dsa.schema.attribute(rdn.type)!;
  const guid = guidToString(Buffer.from(entry.guid, 'hex'));
  const deletedName = `${rdn.value}\nDEL:${guid}`;
  const parent = dsa.store.byGuid(entry.parent);
  const attrs: AttributeMap = {};
  for (const name of KEPT) if (entry.attrs[name]) attrs[name] = [...entry.attrs[name]!];
  attrs[rdnAttr.name] = [deletedName];
  attrs.name = [deletedName];
  attrs.isDeleted = ['TRUE'];
  // Recycle Bin off (the default): a deleted object is at once a recycled object (MS-ADTS 3.1.1.5.5.1.3; Samba too).
  attrs.isRecycled = ['TRUE'];
  if (parent) attrs.lastKnownParent = [parent.dn];
  stampChange(dsa, attrs);
  dsa.store.putSecret(entry.guid, undefined);
  return { guid: entry.guid, dn: childDn(canonicalRdn(rdnAttr, deletedName), container.dn), parent: container.guid, attrs };
}

/** Removes for good the tombstones older than the tombstone lifetime (garbage collection). */
export function purgeTombstones(dsa: Dsa, lifetimeDays: number): number {
  const container = dsa.store.byDn(deletedObjectsDn(dsa));
  if (!container) return 0;
  const cutoff = toFileTime(dsa.now()) - BigInt(lifetimeDays) * 864_000_000_000n;
  let purged = 0;
  dsa.store.write(() => {
    for (const guid of [...dsa.store.children(container.guid)]) {
      const tombstone = dsa.store.byGuid(guid);
      if (!tombstone || !isTombstone(tombstone)) continue;
      const when = fromGeneralizedTime(String(tombstone.attrs.whenChanged?.[0] ?? ''));
      if (when && toFileTime(when) <= cutoff) {
        dsa.store.remove(tombstone);
        purged++;
      }
    }
    if (purged > 0) dsa.store.nextUsn();
  });
  return purged;
}
