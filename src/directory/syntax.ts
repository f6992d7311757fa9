// Value semantics per LDAP syntax, as AD applies them: equality keys, ordering, validity, wire form.
import type { AttributeType, AttributeValue } from './schema.js';

/** How values of a syntax are compared. */
type SyntaxKind =
  | 'integer' // 2.5.5.9 Integer / Enumeration (32-bit)
  | 'integer8' // 2.5.5.16 Interval / LargeInteger (64-bit)
  | 'boolean'
  | 'generalizedTime'
  | 'utcTime'
  | 'dn'
  | 'dnBinary' // B:<n>:<hex>:<DN>
  | 'dnString' // S:<n>:<string>:<DN>
  | 'octets'
  | 'caseExact'
  | 'numericString'
  | 'oid'
  | 'caseIgnore';

// LDAP syntax OIDs, as Samba maps AD's attributeSyntax (source4/dsdb/schema/schema_syntax.c)
const KIND_BY_SYNTAX: Record<string, SyntaxKind> = {
  '1.3.6.1.4.1.1466.115.121.1.27': 'integer',
  '1.2.840.113556.1.4.906': 'integer8',
  '1.3.6.1.4.1.1466.115.121.1.7': 'boolean',
  '1.3.6.1.4.1.1466.115.121.1.24': 'generalizedTime',
  '1.3.6.1.4.1.1466.115.121.1.53': 'utcTime',
  '1.3.6.1.4.1.1466.115.121.1.12': 'dn',
  '1.2.840.113556.1.4.1221': 'dn', // Object(OR-Name): compared as a DN
  '1.2.840.113556.1.4.903': 'dnBinary',
  '1.2.840.113556.1.4.904': 'dnString',
  '1.3.6.1.4.1.1466.115.121.1.40': 'octets',
  '1.2.840.113556.1.4.907': 'octets',
  // Samba compares String(Case Sensitive), String(IA5) and String(Printable) byte-exact
  '1.2.840.113556.1.4.1362': 'caseExact',
  '1.3.6.1.4.1.1466.115.121.1.26': 'caseExact',
  '1.3.6.1.4.1.1466.115.121.1.44': 'caseExact',
  '1.3.6.1.4.1.1466.115.121.1.36': 'numericString',
  '1.3.6.1.4.1.1466.115.121.1.38': 'oid',
};

function kindOf(attr: AttributeType): SyntaxKind {
  return KIND_BY_SYNTAX[attr.syntax] ?? 'caseIgnore';
}

function asText(value: AttributeValue): string {
  return typeof value === 'string' ? value : value.toString('utf8');
}

function asBytes(value: AttributeValue): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

// ---------------------------------------------------------------- integers

const INT_PATTERN = /^[+-]?\d+$/;
const INT32_MIN = -(2n ** 31n);
const UINT32_MAX = 2n ** 32n - 1n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The integer a value denotes, or undefined if it is not one the syntax holds. */
function integerOf(kind: 'integer' | 'integer8', text: string): bigint | undefined {
  const trimmed = text.trim();
  if (!INT_PATTERN.test(trimmed)) return undefined;
  const n = BigInt(trimmed);
  if (kind === 'integer8') return n >= INT64_MIN && n <= INT64_MAX ? n : undefined;
  if (n < INT32_MIN || n > UINT32_MAX) return undefined;
  // Unsigned 32-bit values wrap to signed, so groupType 2147483650 = -2147483646.
  // Samba lib/ldb-samba/ldif_handlers.c val_to_int32
  return n > 2n ** 31n - 1n ? n - 2n ** 32n : n;
}

// ---------------------------------------------------------------- times

/** Milliseconds since 1970 (fractions kept), or undefined if the value is not a time of the syntax. */
function timeOf(kind: 'generalizedTime' | 'utcTime', text: string): number | undefined {
  const m =
    kind === 'generalizedTime'
      ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d+))?Z$/.exec(text.trim())
      : /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(text.trim());
  if (!m) return undefined;
  let year = Number(m[1]);
  // UTCTime two-digit years: 50-99 are 19xx, 00-49 are 20xx. RFC 5280 4.1.2.5.1
  if (kind === 'utcTime') year += year >= 50 ? 1900 : 2000;
  const [month, day, hour, minute, second] = [m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [
    number, number, number, number, number,
  ];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return undefined;
  const fraction = kind === 'generalizedTime' && m[7] ? Number(`0.${m[7]}`) : 0;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime() + fraction * 1000;
}

// ---------------------------------------------------------------- DNs

/** A simple local DN normalisation: lower case, no spaces around unescaped '=' and ','. */
function dnKey(text: string): string {
  let out = '';
  let skipSpaces = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      out += c + text[i + 1]!.toLowerCase();
      i++;
      skipSpaces = false;
    } else if (c === '=' || c === ',') {
      out = trimUnescapedEnd(out) + c;
      skipSpaces = true;
    } else if (c === ' ' && skipSpaces) {
      continue;
    } else {
      out += c.toLowerCase();
      skipSpaces = false;
    }
  }
  return trimUnescapedEnd(out);
}

function trimUnescapedEnd(s: string): string {
  let end = s.length;
  while (end > 0 && s[end - 1] === ' ' && s[end - 2] !== '\\') end--;
  return s.slice(0, end);
}

/** DN-Binary B:<n>:<hex>:<DN> and DN-String S:<n>:<string>:<DN>: data exact, DN normalised. */
function dnWithDataKey(prefix: 'B' | 'S', text: string): string {
  const m = new RegExp(`^${prefix}:(\\d+):`, 'i').exec(text);
  if (!m) return dnKey(text);
  const length = Number(m[1]);
  const rest = text.slice(m[0].length);
  const data = rest.slice(0, length);
  if (rest[length] !== ':') return dnKey(text);
  const dn = rest.slice(length + 1);
  return `${prefix}:${length}:${prefix === 'B' ? data.toUpperCase() : data}:${dnKey(dn)}`;
}

// ---------------------------------------------------------------- exports

/** A key such that two values are equal under the attribute's equality rule iff their keys are equal. */
export function equalityKey(attr: AttributeType, value: AttributeValue): string {
  const kind = kindOf(attr);
  if (kind === 'octets') return asBytes(value).toString('hex');
  const text = asText(value);
  switch (kind) {
    case 'integer':
    case 'integer8':
      return integerOf(kind, text)?.toString() ?? text.trim();
    case 'boolean':
      return text.trim().toUpperCase();
    case 'generalizedTime':
    case 'utcTime': {
      const t = timeOf(kind, text);
      return t === undefined ? text.trim().toUpperCase() : `@${t}`;
    }
    case 'dn':
      return dnKey(text);
    case 'dnBinary':
      return dnWithDataKey('B', text);
    case 'dnString':
      return dnWithDataKey('S', text);
    case 'caseExact':
      return text;
    case 'numericString':
      return text.replace(/ /g, '');
    case 'oid':
    case 'caseIgnore':
      return text.toLowerCase();
  }
}

/** Ordering for >= and <= filters and sorting; returns <0, 0, >0. */
export function compareValues(attr: AttributeType, a: AttributeValue, b: AttributeValue): number {
  const kind = kindOf(attr);
  if (kind === 'octets') return Buffer.compare(asBytes(a), asBytes(b));
  if (kind === 'integer' || kind === 'integer8') {
    const x = integerOf(kind, asText(a));
    const y = integerOf(kind, asText(b));
    if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  }
  if (kind === 'generalizedTime' || kind === 'utcTime') {
    const x = timeOf(kind, asText(a));
    const y = timeOf(kind, asText(b));
    if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = equalityKey(attr, a);
  const y = equalityKey(attr, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Is the value well formed for the attribute's syntax. */
export function isValidValue(attr: AttributeType, value: AttributeValue): boolean {
  const kind = kindOf(attr);
  if (kind === 'octets') return true;
  const text = asText(value);
  switch (kind) {
    case 'integer':
    case 'integer8':
      return /^-?\d+$/.test(text) && integerOf(kind, text) !== undefined;
    case 'boolean':
      return text === 'TRUE' || text === 'FALSE';
    case 'generalizedTime':
    case 'utcTime':
      return timeOf(kind, text) !== undefined && text === text.trim();
    case 'dnBinary':
      return isDnWithData('B', text);
    case 'dnString':
      return isDnWithData('S', text);
    case 'numericString':
      return /^[0-9 ]*$/.test(text);
    case 'oid':
      return /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)*)$/.test(text);
    default:
      return true;
  }
}

function isDnWithData(prefix: 'B' | 'S', text: string): boolean {
  const m = new RegExp(`^${prefix}:(\\d+):`).exec(text);
  if (!m) return false;
  const length = Number(m[1]);
  const rest = text.slice(m[0].length);
  if (rest[length] !== ':') return false;
  // DN-Binary: the count is of hex digits, and is even. Samba source4/dsdb/common/dsdb_dn.c dsdb_dn_parse
  return prefix === 'S' || (length % 2 === 0 && /^[0-9A-Fa-f]*$/.test(rest.slice(0, length)));
}

/** Values as sent on the wire: binary attributes as Buffer, others as string. */
export function toWire(attr: AttributeType, value: AttributeValue): string | Buffer {
  if (attr.binary) return asBytes(value);
  return asText(value);
}
