import { sidFromString } from '../directory/binary.js';
import type { StoredEntry } from '../directory/entry.js';
import type { Filter, FilterContext, Truth } from '../directory/filter.js';
import type { AttributeType, AttributeValue } from '../directory/schema.js';
import { constructedValues, isConstructedHere } from './constructed.js';
import { categoryDn } from './domain.js';
import type { Dsa } from './dsa.js';
import { isBackLink, isForwardLink, linkGuids } from './links.js';
import { resolveObject } from './resolve.js';

/** Matches no GUID: the assertion of a link filter whose DN names no object. */
const NO_OBJECT = Buffer.from('no-such-object');

/**
 * Rewrites a client's filter into the directory's terms, as AD reads filters:
 * objectCategory short names become the class's defaultObjectCategory DN (ad-ldap.md 5.2),
 * DNs asserted on linked attributes become GUIDs, and objectSid may be given as S-1-5-... text.
 */
export function prepareFilter(dsa: Dsa, filter: Filter): Filter {
  switch (filter.type) {
    case 'and':
    case 'or':
      return { ...filter, filters: filter.filters.map((f) => prepareFilter(dsa, f)) };
    case 'not':
      return { ...filter, filter: prepareFilter(dsa, filter.filter) };
    case 'equality':
    case 'greaterOrEqual':
    case 'lessOrEqual':
    case 'approxMatch': {
      const attr = dsa.schema.attribute(filter.attribute);
      if (!attr) return filter;
      return { ...filter, attribute: attr.name, value: prepareValue(dsa, attr, filter.value) };
    }
    case 'extensible': {
      const attr = filter.attribute ? dsa.schema.attribute(filter.attribute) : undefined;
      if (!attr || filter.rule) return filter;
      return { ...filter, attribute: attr.name, value: prepareValue(dsa, attr, filter.value) };
    }
    case 'substrings':
    case 'present': {
      const attr = dsa.schema.attribute(filter.attribute);
      return attr ? { ...filter, attribute: attr.name } : filter;
    }
  }
}

function prepareValue(dsa: Dsa, attr: AttributeType, value: Buffer): Buffer {
  if (attr.name === 'objectCategory') {
    const text = value.toString('utf8');
    if (!text.includes('=')) {
      const cls = dsa.schema.objectClass(text);
      const category = cls && dsa.schema.classChain(cls.name).reverse().find((c) => c.category)?.category;
      return Buffer.from(category ? categoryDn(dsa.domain, category) : text);
    }
    return value;
  }
  if (isForwardLink(attr) || isBackLink(attr)) {
    try {
      const target = resolveObject(dsa, value.toString('utf8'));
      return target ? Buffer.from(target.guid) : NO_OBJECT;
    } catch {
      return NO_OBJECT;
    }
  }
  if ((attr.name === 'objectSid' || attr.name === 'sIDHistory') && /^S-1-/i.test(value.toString('latin1'))) {
    try {
      return sidFromString(value.toString('latin1'));
    } catch {
      return value;
    }
  }
  return value;
}

/** How filters read an AD object: stored values, back links, the DN, and constructed attributes. */
export function filterContext(dsa: Dsa, matchingRule?: FilterContext['matchingRule']): FilterContext {
  return {
    schema: dsa.schema,
    values: (entry: StoredEntry, attr: AttributeType): readonly AttributeValue[] => {
      if (attr.linkId !== undefined) return linkGuids(dsa, entry, attr);
      if (attr.name === 'distinguishedName') return [entry.dn];
      if (attr.constructed && isConstructedHere(attr.name)) return constructedValues(dsa, entry, attr.name);
      if (attr.secret) return [];
      return entry.attrs[attr.name] ?? [];
    },
    matchingRule: matchingRule ?? ((): Truth => undefined),
  };
}
