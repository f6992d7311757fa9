import { guidFromString, sidFromString } from '../directory/binary.js';
import type { StoredEntry } from '../directory/entry.js';
import type { Filter, FilterContext, Truth } from '../directory/filter.js';
import type { AttributeType, AttributeValue } from '../directory/schema.js';
import { isAnrAttribute, rewriteAnr } from './anr.js';
import { categoryDn } from './domain.js';
import type { Dsa } from './dsa.js';
import { isBackLink, isForwardLink, linkGuids } from './links.js';
import { resolveObject } from './resolve.js';

/** Matches no GUID: the assertion of a link filter whose DN names no object. */
const NO_OBJECT = Buffer.from('no-such-object');

// Samba operational.c parse_tree_sub: filters on these constructed attributes read the stored ones.
const FILTER_ALIASES: Record<string, string> = { createtimestamp: 'whenCreated', modifytimestamp: 'whenChanged' };

const DASHED_GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

/**
 * Rewrites a client's filter into the directory's terms, as AD reads filters:
 * `anr` expands over the ANR attribute set (ad-ldap.md 5.4), objectCategory short names become
 * the class's defaultObjectCategory DN (5.2), DNs asserted on linked attributes (plain or
 * `<GUID=>`/`<SID=>`/`<WKGUID=>`) become GUIDs (5.6), objectSid may be given as S-1-5-... text and
 * objectGUID as its dashed string (5.5), and createTimeStamp/modifyTimeStamp read whenCreated/whenChanged.
 */
export function prepareFilter(dsa: Dsa, filter: Filter): Filter {
  switch (filter.type) {
    case 'and':
    case 'or':
      return { ...filter, filters: filter.filters.map((f) => prepareFilter(dsa, f)) };
    case 'not':
      return { ...filter, filter: prepareFilter(dsa, filter.filter) };
    default:
      break;
  }
  if (isAnrAttribute(filter.attribute)) return rewriteAnr(dsa.schema, filter);
  const attr = filter.attribute ? canonical(dsa, filter.attribute) : undefined;
  if (!attr) return filter;
  switch (filter.type) {
    case 'equality':
    case 'greaterOrEqual':
    case 'lessOrEqual':
    case 'approxMatch':
      return { ...filter, attribute: attr.name, value: prepareValue(dsa, attr, filter.value) };
    case 'extensible':
      // Matching rules read the assertion as given (an integer, or a DN to chain to).
      if (filter.rule) return { ...filter, attribute: attr.name };
      return { ...filter, attribute: attr.name, value: prepareValue(dsa, attr, filter.value) };
    case 'substrings':
    case 'present':
      return { ...filter, attribute: attr.name };
  }
}

function canonical(dsa: Dsa, attribute: string): AttributeType | undefined {
  const alias = FILTER_ALIASES[attribute.toLowerCase()];
  return dsa.schema.attribute(alias ?? attribute);
}

function prepareValue(dsa: Dsa, attr: AttributeType, value: Buffer): Buffer {
  if (attr.name === 'objectCategory') return objectCategoryValue(dsa, value);
  if (isForwardLink(attr) || isBackLink(attr)) {
    try {
      const target = resolveObject(dsa, value.toString('utf8'));
      return target ? Buffer.from(target.guid) : NO_OBJECT;
    } catch {
      return NO_OBJECT;
    }
  }
  // Samba (ldif_read_objectSid) takes the string form only with an upper-case 'S-'.
  if ((attr.name === 'objectSid' || attr.name === 'sIDHistory') && value.subarray(0, 4).toString('latin1') === 'S-1-') {
    try {
      return sidFromString(value.toString('latin1'));
    } catch {
      return value;
    }
  }
  // Samba reads objectGUID given as its string form, dashed or in braces (never the 32-hex form);
  // on Windows this is unverified (ad-ldap.md 5.5).
  if (attr.name === 'objectGUID' && value.length !== 16 && DASHED_GUID.test(value.toString('latin1'))) {
    return guidFromString(value.toString('latin1'));
  }
  return value;
}

/**
 * ad-ldap.md 5.2 (Samba ldif_canonicalise_objectCategory): a value that is no DN but a class's
 * lDAPDisplayName stands for that class's defaultObjectCategory; anything else stays as given
 * (and so matches nothing). A class OID is not a display name.
 */
function objectCategoryValue(dsa: Dsa, value: Buffer): Buffer {
  const text = value.toString('utf8');
  if (text.includes('=')) return value;
  const cls = dsa.schema.objectClass(text);
  if (!cls || !cls.names.some((n) => n.toLowerCase() === text.toLowerCase())) return value;
  const category = dsa.schema.classChain(cls.name).reverse().find((c) => c.category)?.category;
  return category ? Buffer.from(categoryDn(dsa.domain, category)) : value;
}

/**
 * How filters read an AD object: stored values, back links and the DN. Constructed attributes
 * hold no values for a filter: AD and Samba match nothing on them (createTimeStamp and
 * modifyTimeStamp are rewritten to stored attributes by prepareFilter).
 */
export function filterContext(dsa: Dsa, matchingRule?: FilterContext['matchingRule']): FilterContext {
  return {
    schema: dsa.schema,
    values: (entry: StoredEntry, attr: AttributeType): readonly AttributeValue[] => {
      if (attr.linkId !== undefined) return linkGuids(dsa, entry, attr);
      if (attr.name === 'distinguishedName') return [entry.dn];
      if (attr.constructed || attr.secret) return [];
      return entry.attrs[attr.name] ?? [];
    },
    matchingRule: matchingRule ?? ((): Truth => undefined),
  };
}
