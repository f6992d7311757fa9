import type { AttributeValue } from './schema.js';

/**
 * An object as the directory stores it. Immutable once read: the store may hand the same
 * object to several readers, so a change builds a new one (see `withAttributes`).
 *
 * `attrs` is keyed by the attribute's canonical name (as the schema spells it). Values of
 * forward-link attributes (member, manager, ...) are the target objects' GUIDs, so links follow
 * renames and moves; the AD layer turns them into DNs on read.
 */
export interface StoredEntry {
  /** objectGUID as 32 lower-case hex characters of its stored bytes */
  readonly guid: string;
  readonly dn: string;
  /** the parent's guid; '' for a naming-context head */
  readonly parent: string;
  readonly attrs: Readonly<Record<string, readonly AttributeValue[]>>;
}

export type AttributeMap = Record<string, AttributeValue[]>;

export function copyAttributes(entry: StoredEntry): AttributeMap {
  const attrs: AttributeMap = {};
  for (const [name, values] of Object.entries(entry.attrs)) attrs[name] = [...values];
  return attrs;
}
