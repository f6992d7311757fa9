import type { StoredEntry } from './entry.js';
import type { AttributeType, AttributeValue, Schema } from './schema.js';
import { compareValues, equalityKey } from './syntax.js';

/** An RFC 4511 search filter; assertion values are the raw octets the client sent. */
export type Filter =
  | { type: 'and'; filters: Filter[] }
  | { type: 'or'; filters: Filter[] }
  | { type: 'not'; filter: Filter }
  | { type: 'equality'; attribute: string; value: Buffer }
  | { type: 'substrings'; attribute: string; initial?: Buffer; any: Buffer[]; final?: Buffer }
  | { type: 'greaterOrEqual'; attribute: string; value: Buffer }
  | { type: 'lessOrEqual'; attribute: string; value: Buffer }
  | { type: 'approxMatch'; attribute: string; value: Buffer }
  | { type: 'present'; attribute: string }
  | { type: 'extensible'; attribute?: string; rule?: string; value: Buffer; dnAttributes: boolean };

/** RFC 4511 4.5.1.7: a filter item is TRUE, FALSE or Undefined. */
export type Truth = boolean | undefined;

export interface FilterContext {
  readonly schema: Schema;
  /** The values of an attribute for an entry, including those computed on read (back links). */
  values(entry: StoredEntry, attr: AttributeType): readonly AttributeValue[];
  /** Evaluates an extensible match with a matching rule the directory does not know itself. */
  matchingRule?(rule: string, attr: AttributeType | undefined, assertion: Buffer, entry: StoredEntry): Truth;
}

export function matches(filter: Filter, entry: StoredEntry, context: FilterContext): boolean {
  return evaluate(filter, entry, context) === true;
}

export function evaluate(filter: Filter, entry: StoredEntry, context: FilterContext): Truth {
  switch (filter.type) {
    case 'and': {
      let result: Truth = true;
      for (const f of filter.filters) {
        const r = evaluate(f, entry, context);
        if (r === false) return false;
        if (r === undefined) result = undefined;
      }
      return result;
    }
    case 'or': {
      let result: Truth = false;
      for (const f of filter.filters) {
        const r = evaluate(f, entry, context);
        if (r === true) return true;
        if (r === undefined) result = undefined;
      }
      return result;
    }
    case 'not': {
      const r = evaluate(filter.filter, entry, context);
      return r === undefined ? undefined : !r;
    }
    case 'present': {
      const attr = context.schema.attribute(filter.attribute);
      if (!attr) return false;
      return context.values(entry, attr).length > 0;
    }
    case 'equality':
    case 'approxMatch': {
      const attr = context.schema.attribute(filter.attribute);
      if (!attr) return undefined;
      const wanted = equalityKey(attr, assertion(attr, filter.value));
      return context.values(entry, attr).some((v) => equalityKey(attr, v) === wanted);
    }
    case 'greaterOrEqual':
    case 'lessOrEqual': {
      const attr = context.schema.attribute(filter.attribute);
      if (!attr) return undefined;
      const bound = assertion(attr, filter.value);
      const sign = filter.type === 'greaterOrEqual' ? 1 : -1;
      return context.values(entry, attr).some((v) => sign * compareValues(attr, v, bound) >= 0);
    }
    case 'substrings': {
      const attr = context.schema.attribute(filter.attribute);
      if (!attr) return undefined;
      const pattern = substringPattern(attr, filter);
      return context.values(entry, attr).some((v) => pattern(equalityKey(attr, v)));
    }
    case 'extensible': {
      const attr = filter.attribute ? context.schema.attribute(filter.attribute) : undefined;
      if (filter.attribute && !attr) return undefined;
      if (filter.rule && context.matchingRule) return context.matchingRule(filter.rule, attr, filter.value, entry);
      if (filter.rule || !attr) return undefined;
      const wanted = equalityKey(attr, assertion(attr, filter.value));
      return context.values(entry, attr).some((v) => equalityKey(attr, v) === wanted);
    }
  }
}

/** Binary attributes compare raw octets; every other syntax compares the UTF-8 text. */
export function assertion(attr: AttributeType, value: Buffer): AttributeValue {
  return attr.binary ? value : value.toString('utf8');
}

function substringPattern(attr: AttributeType, filter: Extract<Filter, { type: 'substrings' }>): (key: string) => boolean {
  const key = (b: Buffer): string => equalityKey(attr, assertion(attr, b));
  const initial = filter.initial ? key(filter.initial) : '';
  const final = filter.final ? key(filter.final) : '';
  const middle = filter.any.map(key);
  return (value) => {
    if (!value.startsWith(initial)) return false;
    let at = initial.length;
    for (const part of middle) {
      const found = value.indexOf(part, at);
      if (found < 0) return false;
      at = found + part.length;
    }
    return value.length - final.length >= at && value.endsWith(final);
  };
}

/** The attribute names a filter mentions, lower-cased. */
export function filterAttributes(filter: Filter, into = new Set<string>()): Set<string> {
  switch (filter.type) {
    case 'and':
    case 'or':
      for (const f of filter.filters) filterAttributes(f, into);
      break;
    case 'not':
      filterAttributes(filter.filter, into);
      break;
    default:
      if (filter.attribute) into.add(filter.attribute.toLowerCase());
  }
  return into;
}

/** The RFC 4515 string form, for logs and diagnostics. */
export function filterToString(filter: Filter): string {
  const esc = (b: Buffer): string => {
    let out = '';
    for (const byte of b) {
      const c = String.fromCharCode(byte);
      out += byte < 0x20 || byte > 0x7e || '*()\\'.includes(c) ? '\\' + byte.toString(16).padStart(2, '0') : c;
    }
    return out;
  };
  switch (filter.type) {
    case 'and':
      return `(&${filter.filters.map(filterToString).join('')})`;
    case 'or':
      return `(|${filter.filters.map(filterToString).join('')})`;
    case 'not':
      return `(!${filterToString(filter.filter)})`;
    case 'equality':
      return `(${filter.attribute}=${esc(filter.value)})`;
    case 'approxMatch':
      return `(${filter.attribute}~=${esc(filter.value)})`;
    case 'greaterOrEqual':
      return `(${filter.attribute}>=${esc(filter.value)})`;
    case 'lessOrEqual':
      return `(${filter.attribute}<=${esc(filter.value)})`;
    case 'present':
      return `(${filter.attribute}=*)`;
    case 'substrings':
      return `(${filter.attribute}=${filter.initial ? esc(filter.initial) : ''}*${filter.any.map((a) => esc(a) + '*').join('')}${filter.final ? esc(filter.final) : ''})`;
    case 'extensible':
      return `(${filter.attribute ?? ''}${filter.dnAttributes ? ':dn' : ''}${filter.rule ? ':' + filter.rule : ''}:=${esc(filter.value)})`;
  }
}
