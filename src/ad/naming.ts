import type { StoredEntry } from '../directory/entry.js';
import { escapeRdnValue } from '../directory/dn.js';
import type { AttributeType, ObjectClass } from '../directory/schema.js';
import { AdErrors } from './errors.js';

/**
 * MS-ADTS 3.1.1.5.2.2: an object's parent must be an instance of one of its class's possible
 * superiors (user under a user is a naming violation).
 */
export function assertPossibleSuperior(structural: ObjectClass, parent: StoredEntry): void {
  const allowed = new Set(structural.possibleSuperiors.map((c) => c.toLowerCase()));
  if (allowed.size === 0) return;
  const parentClasses = (parent.attrs.objectClass ?? []).map((c) => String(c).toLowerCase());
  if (!parentClasses.some((c) => allowed.has(c))) throw AdErrors.namingViolation();
}

// AD keeps the RDN value as given but spells the attribute name upper case (Samba objectclass.c fix_dn).
export function canonicalRdn(attr: AttributeType, value: string): string {
  return `${attr.name.toUpperCase()}=${escapeRdnValue(value)}`;
}
