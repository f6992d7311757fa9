import type { StoredEntry } from '../directory/entry.js';
import { isDescendantOrSelf, normalizeDn } from '../directory/dn.js';
import type { Dsa, OperationContext } from './dsa.js';
import { AdErrors } from './errors.js';
import type { SearchScope } from './operations/search.js';
import { resolveBase } from './operations/search.js';
import { attributeSelection, readEntry, type ResultEntry } from './readView.js';
import { isTombstone } from './tombstones.js';

export interface NotificationRequest {
  base: string;
  scope: SearchScope;
  attributes: readonly string[];
  showDeleted?: boolean;
}

/**
 * MS-ADTS 3.1.1.3.4.1.9 LDAP_SERVER_NOTIFICATION_OID: after each committed change to an object in
 * scope, `deliver` gets the object as a search would return it. Returns the unsubscribe function.
 */
export function watchChanges(dsa: Dsa, request: NotificationRequest, ctx: OperationContext, deliver: (entry: ResultEntry) => void): () => void {
  if (!dsa.access.canRead(ctx.principal)) throw AdErrors.notAuthenticated();
  const base = resolveBase(dsa, request.base);
  const baseKey = normalizeDn(base.dn);
  const selection = attributeSelection(dsa, request.attributes);
  const inScope = (entry: StoredEntry, dn: string): boolean => {
    if (request.scope === 'base') return entry.guid === base.guid;
    if (request.scope === 'one') return entry.parent === base.guid || normalizeDn(dn).endsWith(',' + baseKey);
    return isDescendantOrSelf(normalizeDn(dn), baseKey);
  };
  return dsa.store.onCommit((guids) => {
    for (const guid of guids) {
      const entry = dsa.store.byGuid(guid);
      if (!entry) continue;
      if (isTombstone(entry)) {
        // A deleted object has left the tree: reported (where it was) only with show-deleted.
        const lastParent = String(entry.attrs.lastKnownParent?.[0] ?? '');
        if (!request.showDeleted || !lastParent || !inScope(entry, `CN=x,${lastParent}`)) continue;
      } else if (!inScope(entry, entry.dn)) continue;
      deliver(readEntry(dsa, entry, selection));
    }
  });
}
