import { guidToString, sidToString } from '../directory/binary.js';
import type { EntryName, StoredEntry } from '../directory/entry.js';
import type { AttributeType, AttributeValue } from '../directory/schema.js';
import { constructedValues, isConstructedHere } from './constructed.js';
import type { Dsa } from './dsa.js';
import { AdErrors } from './errors.js';
import { backLinkGuids, guidsToDns, isBackLink, isForwardLink } from './links.js';

/** AD's MaxValRange policy: the most values of one attribute a search returns (ad-ldap.md 4). */
export const MAX_VAL_RANGE = 1500;

/** An attribute of a search result entry, named as the schema spells it. */
export interface ResultAttribute {
  type: string;
  values: AttributeValue[];
}

export interface ResultEntry {
  dn: string;
  attributes: ResultAttribute[];
}

/** A range option `;range=low-high` of a requested attribute (MS-ADTS 3.1.1.3.1.3.3); no high is `*`. */
export interface ValueRange {
  low: number;
  high?: number;
}

/** What a search asked to see: everything ('*' or nothing named), nothing ('1.1'), and/or names. */
export interface AttributeSelection {
  all: boolean;
  /** the named attributes, resolved, in request order; unknown names are skipped as AD does */
  named: AttributeType[];
  /** the attributes asked for with a range option (`member;range=1500-*`), in request order */
  ranged: { attr: AttributeType; range: ValueRange }[];
}

export function attributeSelection(dsa: Dsa, requested: readonly string[]): AttributeSelection {
  const names = requested.filter((r) => r !== '');
  const all = names.length === 0 || names.includes('*');
  const named: AttributeType[] = [];
  const ranged: AttributeSelection['ranged'] = [];
  const seen = new Set<string>();
  const seenRanged = new Set<string>();
  for (const name of names) {
    if (name === '*' || name === '1.1') continue;
    const attr = dsa.schema.attribute(name);
    if (!attr) continue;
    const range = rangeOption(name);
    if (range && !seenRanged.has(attr.name)) {
      seenRanged.add(attr.name);
      ranged.push({ attr, range });
    } else if (!range && !seen.has(attr.name)) {
      seen.add(attr.name);
      named.push(attr);
    }
  }
  // An attribute asked for with a range comes back only in its ranged form (Samba ranged_results.c).
  return { all, named: named.filter((a) => !seenRanged.has(a.name)), ranged };
}

/** The `range=low-high` option of an attribute description, if any; a malformed one is refused as Samba refuses it. */
function rangeOption(description: string): ValueRange | undefined {
  const option = description.split(';').slice(1).find((o) => /^range=/i.test(o.trim()));
  if (option === undefined) return undefined;
  // Samba ranged_results.c: "range request malformed" and "start must not be greater than end" are unwillingToPerform.
  const m = /^range=(\d+)-(\d+|\*)$/i.exec(option.trim());
  if (!m) throw AdErrors.unwillingToPerform();
  const low = Number(m[1]);
  const high = m[2] === '*' ? undefined : Number(m[2]);
  if (!Number.isSafeInteger(low) || (high !== undefined && (!Number.isSafeInteger(high) || high < low))) throw AdErrors.unwillingToPerform();
  return { low, high };
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
  for (const { attr } of selection.ranged) included.add(attr.name);
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
  for (const { attr, range } of selection.ranged) {
    const chunk = rangeOfValues(attr, attributeValues(dsa, entry, attr), range);
    if (chunk) attributes.push(chunk);
  }
  return { dn: entry.dn, attributes };
}

/**
 * MS-ADTS 3.1.1.3.1.3.3 range retrieval: the values low..high (at most MaxValRange of them) under
 * `attr;range=low-high`, or `low-*` when the chunk ends with the last value. Nothing when the
 * attribute has no values.
 */
function rangeOfValues(attr: AttributeType, values: AttributeValue[], range: ValueRange): ResultAttribute | undefined {
  if (values.length === 0) return undefined;
  if (range.low >= values.length) {
    // MS-ADTS 3.1.1.3.4.1.22: past the last value of a link attribute, operationsError (without the
    // NOERR control). Samba 4.17 differs: it leaves the attribute out.
    if (isForwardLink(attr) || isBackLink(attr)) throw AdErrors.operationsError('Error processing range retrieval');
    return undefined;
  }
  const last = Math.min(range.high ?? Number.POSITIVE_INFINITY, range.low + MAX_VAL_RANGE - 1, values.length - 1);
  const end = last === values.length - 1 ? '*' : String(last);
  return { type: `${attr.name};range=${range.low}-${end}`, values: values.slice(range.low, last + 1) };
}

/**
 * AD's MaxValRange on an entry leaving over LDAP (ad-ldap.md 4, section 11 item 4): an attribute
 * with more than 1500 values comes back with no values, plus `attr;range=0-1499` holding the
 * first 1500; the client pages on with `attr;range=1500-*`. Ranged attributes are left as asked.
 * Samba differs: it never cuts a plain request short (ranged_results.c handles `;range=` only).
 */
export function withinMaxValRange(entry: ResultEntry): ResultEntry {
  if (!entry.attributes.some((a) => a.values.length > MAX_VAL_RANGE && !a.type.includes(';'))) return entry;
  const attributes: ResultAttribute[] = [];
  for (const a of entry.attributes) {
    if (a.values.length <= MAX_VAL_RANGE || a.type.includes(';')) attributes.push(a);
    else attributes.push({ type: a.type, values: [] }, { type: `${a.type};range=0-${MAX_VAL_RANGE - 1}`, values: a.values.slice(0, MAX_VAL_RANGE) });
  }
  return { dn: entry.dn, attributes };
}

/** LDAP_SERVER_EXTENDED_DN_OID's forms: flag 0 (hex of the raw bytes) or flag 1 (dashed GUID, S-1-... SID). */
export type ExtendedDnForm = 'hex' | 'string';

const DN_SYNTAX = '1.3.6.1.4.1.1466.115.121.1.12';
const DN_BINARY_SYNTAX = '1.2.840.113556.1.4.903';
const DN_STRING_SYNTAX = '1.2.840.113556.1.4.904';

/**
 * MS-ADTS 3.1.1.3.4.1.5 extended DN: the entry's DN and every DN in its DN-valued attributes
 * (DN, DN-Binary, DN-String; not OR-Name) as `<GUID=...>;<SID=...>;dn`, `<GUID=...>;dn` for
 * objects without objectSid. A DN naming nothing this DC holds is left as it is.
 */
export function withExtendedDns(dsa: Dsa, entry: ResultEntry, form: ExtendedDnForm): ResultEntry {
  const rendered = new Map<string, string>();
  const render = (dn: string): string => {
    let out = rendered.get(dn);
    if (out === undefined) {
      const target = objectAt(dsa, dn);
      out = target ? extendedDn(target, form) : dn;
      rendered.set(dn, out);
    }
    return out;
  };
  const attributes = entry.attributes.map((a): ResultAttribute => {
    const syntax = dsa.schema.attribute(a.type)?.syntax;
    if (syntax === DN_SYNTAX) return { type: a.type, values: a.values.map((v) => render(String(v))) };
    if (syntax === DN_BINARY_SYNTAX || syntax === DN_STRING_SYNTAX) return { type: a.type, values: a.values.map((v) => withDataDn(String(v), render)) };
    return a;
  });
  return { dn: entry.dn === '' ? '' : render(entry.dn), attributes };
}

/** `<GUID=...>;<SID=...>;dn` of one object; Windows writes the hex forms in lower case. */
export function extendedDn(entry: EntryName, form: ExtendedDnForm): string {
  const guid = Buffer.from(entry.guid, 'hex');
  const sid = entry.attrs.objectSid?.[0];
  const parts = [`<GUID=${form === 'string' ? guidToString(guid) : guid.toString('hex')}>`];
  if (sid !== undefined) {
    const bytes = Buffer.isBuffer(sid) ? sid : Buffer.from(sid, 'latin1');
    parts.push(`<SID=${form === 'string' ? sidToString(bytes) : bytes.toString('hex')}>`);
  }
  parts.push(entry.dn);
  return parts.join(';');
}

/** DN-Binary `B:<n>:<hex>:<dn>` and DN-String `S:<n>:<text>:<dn>` with their DN part rendered. */
function withDataDn(value: string, render: (dn: string) => string): string {
  const m = /^([BS]):(\d+):/i.exec(value);
  if (!m) return value;
  const dataEnd = m[0].length + Number(m[2]);
  if (value[dataEnd] !== ':') return value;
  return value.slice(0, dataEnd + 1) + render(value.slice(dataEnd + 1));
}

function objectAt(dsa: Dsa, dn: string): StoredEntry | undefined {
  try {
    return dsa.store.byDn(dn);
  } catch {
    return undefined;
  }
}

/** The values of one attribute of the object at `dn` as a reader sees them ([] if there is no such object). */
export function valuesAt(dsa: Dsa, dn: string, attr: AttributeType): AttributeValue[] {
  const entry = objectAt(dsa, dn);
  return entry ? attributeValues(dsa, entry, attr) : [];
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
