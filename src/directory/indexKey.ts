import { createHash } from 'node:crypto';
import type { AttributeType, AttributeValue } from './schema.js';
import { equalityKey } from './syntax.js';

const INTEGER_SYNTAXES = new Set(['1.3.6.1.4.1.1466.115.121.1.27', '1.2.840.113556.1.4.906']);
/** LMDB keys are at most 1978 bytes; longer values are indexed by a prefix plus a digest. */
const MAX_KEY_CHARS = 400;
const OFFSET = 2n ** 63n;
const DN_SYNTAXES = new Set(['1.3.6.1.4.1.1466.115.121.1.12', '1.2.840.113556.1.4.1221', '1.2.840.113556.1.4.903', '1.2.840.113556.1.4.904']);
const GUID_HEX = /^[0-9a-f]{32}$/;

/**
 * The index key of a value: its equality key, except that integers get an order-preserving
 * fixed-width form so that `>=` and `<=` filters (uSNChanged>=n) are range reads.
 */
export function indexKey(attr: AttributeType, value: AttributeValue): string {
  if (INTEGER_SYNTAXES.has(attr.syntax)) return integerKey(String(value));
  // a link's stored value, a GUID, is its own DN equality key (a group adds dozens at once)
  if (attr.linkId !== undefined && typeof value === 'string' && DN_SYNTAXES.has(attr.syntax) && GUID_HEX.test(value)) return value;
  const key = equalityKey(attr, value);
  if (key.length <= MAX_KEY_CHARS) return key;
  return key.slice(0, MAX_KEY_CHARS) + '#' + createHash('sha1').update(key).digest('hex');
}

export function isOrderedIndex(attr: AttributeType): boolean {
  return INTEGER_SYNTAXES.has(attr.syntax);
}

/** A prefix of string keys: values that start with `prefix` have keys in [prefixKey, prefixKey + '\uffff'). */
export function prefixKey(attr: AttributeType, prefix: AttributeValue): string {
  return equalityKey(attr, prefix).slice(0, MAX_KEY_CHARS);
}

export function integerKey(text: string): string {
  let n: bigint;
  try {
    n = BigInt(text.trim());
  } catch {
    return 'x' + text;
  }
  return (n + OFFSET).toString().padStart(20, '0');
}
