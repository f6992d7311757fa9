import type { StoredEntry } from '../../directory/entry.js';
import type { Dsa, OperationContext } from '../dsa.js';
import { AdErrors } from '../errors.js';
import { removeLinksTo } from '../links.js';
import { bestMatch, resolveObject } from '../resolve.js';
import { makeTombstone } from '../tombstones.js';
import { stampChange } from './stamp.js';

export interface DeleteOptions {
  /** LDAP_SERVER_TREE_DELETE_OID: delete the object and everything below it */
  tree?: boolean;
}

/**
 * LDAP delete (RFC 4511 4.8): leaves only, unless tree delete is asked for. The object becomes a
 * tombstone (ad/tombstones); links pointing at it disappear.
 */
export function deleteObject(dsa: Dsa, dn: string, ctx: OperationContext, options: DeleteOptions = {}): void {
  dsa.store.write(() => {
    const entry = resolveObject(dsa, dn);
    if (!entry) throw AdErrors.noSuchObject(bestMatch(dsa, dn));
    const parent = dsa.store.byGuid(entry.parent);
    const request = { principal: ctx.principal, operation: 'delete' as const, dn: entry.dn, target: entry, objectClasses: (entry.attrs.objectClass ?? []).map(String), parent };
    if (!dsa.access.canWrite(request)) throw AdErrors.insufficientAccessRights();
    if (entry.parent === '') throw AdErrors.unwillingToPerform();
    if (String(entry.attrs.isCriticalSystemObject?.[0] ?? '').toUpperCase() === 'TRUE' && ctx.principal.kind !== 'system') throw AdErrors.unwillingToPerform();
    if (!options.tree && dsa.store.hasChildren(entry.guid)) throw AdErrors.notAllowedOnNonLeaf();
    const doomed = postOrder(dsa, entry);
    for (const object of doomed) {
      removeLinksTo(dsa, object.guid, (attrs) => stampChange(dsa, attrs));
      dsa.store.put(makeTombstone(dsa, object), object);
    }
    // lastKnownParent names the parent object, wherever it is now: a tree-deleted child points at
    // its parent's tombstone (Samba, as Windows restores children after their parent).
    const gone = new Set(doomed.map((o) => o.guid));
    for (const object of doomed) {
      if (!gone.has(object.parent)) continue;
      const tombstone = dsa.store.byGuid(object.guid)!;
      const parentNow = dsa.store.byGuid(object.parent)!;
      dsa.store.put({ ...tombstone, attrs: { ...tombstone.attrs, lastKnownParent: [parentNow.dn] } }, tombstone);
    }
  });
}

/** The subtree, children before their parents. */
function postOrder(dsa: Dsa, root: StoredEntry): StoredEntry[] {
  const order: StoredEntry[] = [];
  const visit = (entry: StoredEntry): void => {
    for (const guid of [...dsa.store.children(entry.guid)]) {
      const child = dsa.store.byGuid(guid);
      if (child) visit(child);
    }
    order.push(entry);
  };
  visit(root);
  return order;
}
