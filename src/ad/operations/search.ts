import type { StoredEntry } from '../../directory/entry.js';
import { dnsNameOfDn, isDescendantOrSelf, normalizeDn } from '../../directory/dn.js';
import { matches, type Filter } from '../../directory/filter.js';
import { isSelective, planFilter } from '../../directory/plan.js';
import type { Dsa, OperationContext } from '../dsa.js';
import { AdErrors } from '../errors.js';
import { filterContext, prepareFilter } from '../filters.js';
import { matchingRules } from '../matchingRules.js';
import { isTombstone } from '../tombstones.js';
import { attributeSelection, readEntry, type ResultEntry } from '../readView.js';
import { bestMatch, inDomain, resolveObject } from '../resolve.js';

/** Below this many children, a one-level search reads them all rather than weigh an index. */
const FEW_CHILDREN = 256;

export type SearchScope = 'base' | 'one' | 'sub';

export interface SearchRequest {
  base: string;
  scope: SearchScope;
  filter: Filter;
  attributes: readonly string[];
  /** LDAP_SERVER_SHOW_DELETED_OID: tombstones are visible too */
  showDeleted?: boolean;
}

/**
 * LDAP search (RFC 4511 4.5) over the domain naming context: resolves the base (DN or AD's
 * alternative forms), reads candidates through the index plan, evaluates the filter as AD does,
 * and yields each matching object as the caller may see it.
 */
export function searchObjects(dsa: Dsa, request: SearchRequest, ctx: OperationContext): Iterable<ResultEntry> {
  if (!dsa.access.canRead(ctx.principal)) throw AdErrors.notAuthenticated();
  // MS-ADTS 3.1.1.4.5.19: tokenGroups is computed for base-scope searches only (Samba's text).
  if (request.scope !== 'base' && request.attributes.some((a) => /^tokenGroups/i.test(a))) {
    throw AdErrors.operationsError('Cannot provide tokenGroups attribute, this is not a BASE search');
  }
  const base = resolveBase(dsa, request.base, request.showDeleted);
  const filter = prepareFilter(dsa, request.filter);
  const selection = attributeSelection(dsa, request.attributes);
  const context = filterContext(dsa, matchingRules(dsa));
  return (function* () {
    for (const entry of candidates(dsa, base, request.scope, filter)) {
      if (!request.showDeleted && isTombstone(entry)) continue;
      if (matches(filter, entry, context)) yield readEntry(dsa, entry, selection);
    }
  })();
}

export function resolveBase(dsa: Dsa, baseText: string, includeDeleted = false): StoredEntry {
  const base = resolveObject(dsa, baseText, includeDeleted);
  if (base) return base;
  if (!baseText.startsWith('<') && !inDomain(dsa, baseText)) {
    const host = dnsNameOfDn(baseText) || baseText;
    throw AdErrors.referral(host, `ldap://${host}/${baseText}`);
  }
  throw AdErrors.noSuchObject(baseText.startsWith('<') ? '' : bestMatch(dsa, baseText));
}

function* candidates(dsa: Dsa, base: StoredEntry, scope: SearchScope, filter: Filter): Iterable<StoredEntry> {
  if (scope === 'base') {
    yield base;
    return;
  }
  const plan = planFilter(filter, dsa.store);
  if (scope === 'one') {
    // A selective index beats reading every child of a large OU (AADDC Users holds them all).
    if (dsa.store.countChildren(base.guid, FEW_CHILDREN) === FEW_CHILDREN && isSelective(plan)) {
      for (const guid of plan.guids()) {
        const entry = dsa.store.byGuid(guid);
        if (entry?.parent === base.guid) yield entry;
      }
      return;
    }
    for (const guid of dsa.store.children(base.guid)) {
      const entry = dsa.store.byGuid(guid);
      if (entry) yield entry;
    }
    return;
  }
  if (plan.kind === 'scan') {
    yield* subtree(dsa, base);
    return;
  }
  // Everything in this store lies under the naming-context head: only other bases need a scope check.
  const baseKey = base.parent === '' ? '' : normalizeDn(base.dn);
  for (const guid of plan.guids()) {
    const entry = dsa.store.byGuid(guid);
    if (entry && (baseKey === '' || isDescendantOrSelf(normalizeDn(entry.dn), baseKey))) yield entry;
  }
}

/** The base and everything below it, parents before children. */
function* subtree(dsa: Dsa, base: StoredEntry): Iterable<StoredEntry> {
  const stack = [base];
  while (stack.length > 0) {
    const entry = stack.pop()!;
    yield entry;
    const children: StoredEntry[] = [];
    for (const guid of dsa.store.children(entry.guid)) {
      const child = dsa.store.byGuid(guid);
      if (child) children.push(child);
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
}

