import type { StoredEntry } from '../directory/entry.js';
import type { AttributeType, AttributeValue } from '../directory/schema.js';
import { constructedValues, isConstructedHere } from './constructed.js';
import type { Dsa } from './dsa.js';
import { backLinkGuids, guidsToDns, isBackLink, isForwardLink } from './links.js';

/** An attribute of a search result entry, named as the schema spells it. */
export interface ResultAttribute {
  type: string;
  values: AttributeValue[];
}

export interface ResultEntry {
  dn: string;
  attributes: ResultAttribute[];
}

/** What a search asked to see: everything ('*' or nothing named), nothing ('1.1'), and/or names. */
export interface AttributeSelection {
  all: boolean;
  /** the named attributes, resolved, in request order; unknown names are skipped as AD does */
  named: AttributeType[];
}

export function attributeSelection(dsa: Dsa, requested: readonly string[]): AttributeSelection {
  const names = requested.filter((r) => r !== '');
  const all = names.length === 0 || names.includes('*');
  const named: AttributeType[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    if (name === '*' || name === '1.1') continue;
    const attr = dsa.schema.attribute(name);
    if (attr && !seen.has(attr.name)) {
      seen.add(attr.name);
      named.push(attr);
    }
  }
  return { all, named };
}

/**
 * An object as a search returns it (MS-ADTS 3.1.1.3.1.3): links as current DNs, secrets never,
 * constructed attributes only when named, back links (memberOf) with the stored ones.
 */
export function readEntry(dsa: Dsa, entry: StoredEntry, selection: AttributeSelection): ResultEntry {
  const attributes: ResultAttribute[] = [];
  const included = new Set<string>();
  const add = (attr: AttributeType, values: AttributeValue[]): void => {
    if (values.length === 0 || included.has(attr.name)) return;
    included.add(attr.name);
    attributes.push({ type: attr.name, values });
  };
  if (selection.all) {
    for (const [name, values] of Object.entries(entry.attrs)) {
      const attr = dsa.schema.attribute(name);
      if (!attr || attr.secret) continue;
      add(attr, isForwardLink(attr) ? guidsToDns(dsa, values as string[]) : [...values]);
    }
    add(dsa.schema.attribute('distinguishedName')!, [entry.dn]);
    for (const backLink of backLinks(dsa)) add(backLink, guidsToDns(dsa, backLinkGuids(dsa, entry, backLink)));
  }
  for (const attr of selection.named) add(attr, attributeValues(dsa, entry, attr));
  return { dn: entry.dn, attributes };
}

/** One attribute's values as a reader sees them. */
export function attributeValues(dsa: Dsa, entry: StoredEntry, attr: AttributeType): AttributeValue[] {
  if (attr.secret) return [];
  if (attr.name === 'distinguishedName') return [entry.dn];
  if (isForwardLink(attr)) return guidsToDns(dsa, (entry.attrs[attr.name] ?? []) as string[]);
  if (isBackLink(attr)) return guidsToDns(dsa, backLinkGuids(dsa, entry, attr));
  if (attr.constructed) return isConstructedHere(attr.name) ? constructedValues(dsa, entry, attr.name) : [];
  return [...(entry.attrs[attr.name] ?? [])];
}

const backLinkCache = new WeakMap<object, AttributeType[]>();

function backLinks(dsa: Dsa): AttributeType[] {
  let list = backLinkCache.get(dsa.schema);
  if (!list) {
    list = dsa.schema.attributes().filter((a) => isBackLink(a) && !a.constructed);
    backLinkCache.set(dsa.schema, list);
  }
  return list;
}
