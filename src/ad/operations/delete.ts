import type { Dsa, OperationContext } from '../dsa.js';
import { AdErrors } from '../errors.js';
import { removeLinksTo } from '../links.js';
import { bestMatch, resolveObject } from '../resolve.js';
import { stampChange } from './stamp.js';

/** LDAP delete (RFC 4511 4.8): leaves only; links pointing at the object disappear with it. */
export function deleteObject(dsa: Dsa, dn: string, ctx: OperationContext): void {
  dsa.store.write(() => {
    const entry = resolveObject(dsa, dn);
    if (!entry) throw AdErrors.noSuchObject(bestMatch(dsa, dn));
    const parent = dsa.store.byGuid(entry.parent);
    const request = { principal: ctx.principal, operation: 'delete' as const, dn: entry.dn, target: entry, objectClasses: (entry.attrs.objectClass ?? []).map(String), parent };
    if (!dsa.access.canWrite(request)) throw AdErrors.insufficientAccessRights();
    if (entry.parent === '') throw AdErrors.unwillingToPerform();
    if (dsa.store.hasChildren(entry.guid)) throw AdErrors.notAllowedOnNonLeaf();
    removeLinksTo(dsa, entry.guid, (attrs) => stampChange(dsa, attrs));
    // A delete is an originating change too: it takes a USN (tombstones will carry it).
    dsa.store.nextUsn();
    dsa.store.remove(entry);
  });
}
