import type { Filter } from '../directory/filter.js';
import type { Schema } from '../directory/schema.js';

// Ambiguous name resolution (MS-ADTS 3.1.1.3.1.3.4), as Samba's anr module rewrites it
// (source4/dsdb/samdb/ldb_modules/anr.c): `(anr=V)` becomes an OR of prefix matches over the
// schema's ANR attribute set (searchFlags fANR, our X-ANR).

/** The aNR attribute (1.2.840.113556.1.4.1208): constructed, on no object, only rewritten. */
export const ANR_OID = '1.2.840.113556.1.4.1208';

/** A clause that is FALSE for every entry (an empty OR). */
export const NOTHING: Filter = { type: 'or', filters: [] };

export function isAnrAttribute(attribute: string | undefined): boolean {
  if (attribute === undefined) return false;
  const name = attribute.toLowerCase();
  return name === 'anr' || name === ANR_OID;
}

const anrSets = new WeakMap<Schema, string[]>();

/** The ANR attribute set, in schema order. */
export function anrAttributes(schema: Schema): string[] {
  let names = anrSets.get(schema);
  if (!names) {
    names = schema.attributes().filter((a) => a.anr).map((a) => a.name);
    anrSets.set(schema, names);
  }
  return names;
}

/**
 * The filter `(anr=V)` (or `(anr=V*)`) stands for:
 * - `(|(A1=V*)...(An=V*))` over the ANR attribute set;
 * - with a leading '=', `(|(A1=V)...(An=V))`: exact equality instead of prefixes;
 * - when V holds a space, split at the first one into `first last`, also
 *   `(|(&(givenName=first*)(sn=last*))(&(givenName=last*)(sn=first*)))`, the dSHeuristics
 *   fSupFirstLastANR/fSupLastFirstANR defaults (both enabled).
 * An empty V matches nothing.
 */
export function expandAnr(schema: Schema, value: Buffer): Filter {
  let text = value.toString('utf8');
  let exact = false;
  // Samba: a lone '=' is a value, not the exact-match marker.
  if (text.length > 1 && text.startsWith('=')) {
    exact = true;
    text = text.slice(1);
  }
  // Samba's string matching folds leading, trailing and repeated spaces; ours compares as given.
  text = text.trim();
  if (text === '') return NOTHING;
  const match = (attribute: string, v: string): Filter =>
    exact ? { type: 'equality', attribute, value: Buffer.from(v, 'utf8') } : { type: 'substrings', attribute, initial: Buffer.from(v, 'utf8'), any: [] };
  // MS-ADTS 3.1.1.3.1.3.4 sets legacyExchangeDN apart (PLegacy); Samba, and so this emulator,
  // treat it as one more prefix-matched member of the set.
  const clauses = anrAttributes(schema).map((attribute) => match(attribute, text));
  const space = text.indexOf(' ');
  if (space > 0) {
    const first = text.slice(0, space);
    const last = text.slice(space + 1).trim();
    const givenName = schema.attribute('givenName')?.name;
    const sn = schema.attribute('sn')?.name;
    if (last !== '' && givenName && sn) {
      clauses.push({
        type: 'or',
        filters: [
          { type: 'and', filters: [match(givenName, first), match(sn, last)] },
          { type: 'and', filters: [match(givenName, last), match(sn, first)] },
        ],
      });
    }
  }
  return { type: 'or', filters: clauses };
}

/**
 * A filter item on aNR, rewritten: equality and a plain prefix substring expand; any other form
 * (presence, `*V`, ordering) is FALSE, since no object holds aNR (MS-ADTS 3.1.1.3.1.3.4 step 4;
 * Samba leaves them to match nothing).
 */
export function rewriteAnr(schema: Schema, filter: Filter): Filter {
  switch (filter.type) {
    case 'equality':
      return expandAnr(schema, filter.value);
    case 'extensible':
      // Samba's LDAP server reads `(anr:=V)` as `(anr=V)`.
      return filter.rule ? NOTHING : expandAnr(schema, filter.value);
    case 'substrings':
      return filter.initial && filter.any.length === 0 && !filter.final ? expandAnr(schema, filter.initial) : NOTHING;
    default:
      // Samba answers `(anr~=V)` with operationsError 00002020 (its index search fails); FALSE here.
      return NOTHING;
  }
}
