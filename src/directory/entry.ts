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

/** The attributes that name an object beside its DN (AD's extended DN) or say it is deleted. */
export const NAMING_ATTRIBUTES = ['objectGUID', 'objectSid', 'isDeleted'] as const;

/**
 * What rendering a link to an object needs: its DN, placement and naming attributes. A full
 * StoredEntry is one; the store keeps these for many more objects than whole entries.
 */
export interface EntryName {
  readonly guid: string;
  readonly dn: string;
  readonly parent: string;
  readonly attrs: Readonly<Partial<Record<(typeof NAMING_ATTRIBUTES)[number], readonly AttributeValue[]>>>;
}

export function entryName(entry: StoredEntry): EntryName {
  const attrs: Partial<Record<(typeof NAMING_ATTRIBUTES)[number], readonly AttributeValue[]>> = {};
  for (const name of NAMING_ATTRIBUTES) if (entry.attrs[name]) attrs[name] = entry.attrs[name];
  return { guid: entry.guid, dn: entry.dn, parent: entry.parent, attrs };
}

export function copyAttributes(entry: StoredEntry): AttributeMap {
  const attrs: AttributeMap = {};
  for (const [name, values] of Object.entries(entry.attrs)) attrs[name] = [...values];
  return attrs;
}
