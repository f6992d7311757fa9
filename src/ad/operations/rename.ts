import type { StoredEntry } from '../../directory/entry.js';
import { InvalidDnError, childDn, isDescendantOrSelf, normalizeDn, parseDn, rdnOf } from '../../directory/dn.js';
import { equalityKey } from '../../directory/syntax.js';
import { validateEntry } from '../../directory/validate.js';
import { SCHEMA_RULES } from '../schemaRules.js';
import type { Dsa, OperationContext } from '../dsa.js';
import { AdErrors } from '../errors.js';
import { schemaAttribute } from '../input.js';
import { bestMatch, inDomain, resolveObject } from '../resolve.js';
import { stampChange } from './stamp.js';
import { assertPossibleSuperior, canonicalRdn } from '../naming.js';

/**
 * LDAP modifyDN (RFC 4511 4.9): rename and move. The object keeps its GUID, so every link to it
 * (member, manager) follows; descendants move with it.
 */
export function renameObject(dsa: Dsa, dn: string, newRdn: string, deleteOldRdn: boolean, newSuperior: string | undefined, ctx: OperationContext): void {
  let rdn;
  try {
    const rdns = parseDn(newRdn);
    if (rdns.length !== 1 || rdns[0]!.length !== 1) throw AdErrors.namingViolation();
    rdn = rdns[0]![0]!;
  } catch (e) {
    if (e instanceof InvalidDnError) throw AdErrors.invalidDnSyntax();
    throw e;
  }
  dsa.store.write(() => {
    const entry = resolveObject(dsa, dn);
    if (!entry) throw AdErrors.noSuchObject(bestMatch(dsa, dn));
    if (entry.parent === '') throw AdErrors.unwillingToPerform();
    const parent = newSuperior === undefined ? dsa.store.byGuid(entry.parent) : resolveObject(dsa, newSuperior);
    if (!parent) throw AdErrors.noSuchObject(newSuperior ? bestMatch(dsa, newSuperior) : '');
    if (!inDomain(dsa, parent.dn)) throw AdErrors.unwillingToPerform();
    if (isDescendantOrSelf(normalizeDn(parent.dn), normalizeDn(entry.dn))) throw AdErrors.unwillingToPerform();

    const oldRdn = parseDn(entry.dn)[0]![0]!;
    const rdnAttr = schemaAttribute(dsa, rdn.type);
    if (rdnAttr.name.toLowerCase() !== oldRdn.type.toLowerCase()) throw AdErrors.namingViolation();
    const request = { principal: ctx.principal, operation: 'rename' as const, dn: entry.dn, target: entry, objectClasses: (entry.attrs.objectClass ?? []).map(String), parent };
    if (!dsa.access.canWrite(request)) throw AdErrors.insufficientAccessRights();

    if (parent.guid !== entry.parent) {
      const structural = dsa.schema.structuralClass((entry.attrs.objectClass ?? []).map(String));
      if (structural) assertPossibleSuperior(structural, parent);
    }
    const newDn = childDn(canonicalRdn(rdnAttr, rdn.value), parent.dn);
    const existing = dsa.store.guidOfDn(newDn);
    if (existing && existing !== entry.guid) throw AdErrors.entryAlreadyExists();

    const attrs = { ...entry.attrs } as Record<string, (string | Buffer)[]>;
    const oldKey = equalityKey(rdnAttr, oldRdn.value);
    const kept = (attrs[rdnAttr.name] ?? []).filter((v) => !(deleteOldRdn && equalityKey(rdnAttr, v) === oldKey));
    if (!kept.some((v) => equalityKey(rdnAttr, v) === equalityKey(rdnAttr, rdn.value))) kept.unshift(rdn.value);
    // AD keeps one RDN value: the new one replaces the old whatever deleteOldRdn says.
    attrs[rdnAttr.name] = rdnAttr.singleValued ? [rdn.value] : kept;
    attrs.name = [rdn.value];
    validateEntry(dsa.schema, attrs, rdn, SCHEMA_RULES);
    stampChange(dsa, attrs);
    const moved: StoredEntry = { guid: entry.guid, dn: newDn, parent: parent.guid, attrs };
    dsa.store.put(moved, entry);
    moveDescendants(dsa, entry.guid, newDn);
  });
}

function moveDescendants(dsa: Dsa, parentGuid: string, parentDnText: string): void {
  for (const guid of [...dsa.store.children(parentGuid)]) {
    const child = dsa.store.byGuid(guid);
    if (!child) continue;
    const dn = childDn(rdnOf(child.dn), parentDnText);
    dsa.store.put({ ...child, dn }, child);
    moveDescendants(dsa, guid, dn);
  }
}
