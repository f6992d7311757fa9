import type { AttributeMap } from './entry.js';
import type { ObjectClass, Schema } from './schema.js';
import { equalityKey, isValidValue } from './syntax.js';
import { DirectoryViolation } from './violation.js';

export interface ValidateOptions {
  /** MUST attributes the caller supplies on read instead of storing (AD: nTSecurityDescriptor) */
  implicit?: ReadonlySet<string>;
}

/**
 * Checks a complete entry against the schema (RFC 4512 2.4 / MS-ADTS 3.1.1.2): known attributes,
 * well-formed values, single-valued attributes with one value, one structural class whose MUST
 * attributes are present and whose MUST and MAY (with superclasses and auxiliaries) allow every
 * attribute, and the RDN's value among the entry's values. Returns the structural class.
 */
export function validateEntry(schema: Schema, attrs: AttributeMap, rdn: { type: string; value: string }, options: ValidateOptions = {}): ObjectClass {
  const classes = (attrs.objectClass ?? []).map(String);
  for (const name of classes) if (!schema.objectClass(name)) throw new DirectoryViolation('objectClassViolation', undefined, `unknown class ${name}`);
  const structural = schema.structuralClass(classes);
  if (!structural) throw new DirectoryViolation('objectClassViolation', undefined, 'no single structural class');

  const { must, allowed } = allowedFor(schema, classes);
  for (const name of must) {
    const attr = schema.attribute(name);
    if (attr && !attrs[attr.name]?.length && !options.implicit?.has(attr.name)) throw new DirectoryViolation('objectClassViolation', attr, `missing ${attr.name}`);
  }
  for (const [name, values] of Object.entries(attrs)) {
    const attr = schema.attribute(name);
    if (!attr) throw new DirectoryViolation('undefinedAttributeType', undefined, name);
    if (!allowed.has(attr.name.toLowerCase())) throw new DirectoryViolation('objectClassViolation', attr, `${attr.name} not allowed`);
    if (attr.singleValued && values.length > 1) throw new DirectoryViolation('singleValued', attr);
    for (const value of values) {
      if (!isValidValue(attr, value)) throw new DirectoryViolation('invalidAttributeSyntax', attr);
      const length = typeof value === 'string' ? [...value].length : value.length;
      if (LENGTH_SYNTAXES.has(attr.syntax) && ((attr.rangeUpper !== undefined && length > attr.rangeUpper) || (attr.rangeLower !== undefined && length < attr.rangeLower))) {
        throw new DirectoryViolation('singleValued', attr, 'value length out of range');
      }
    }
  }

  const rdnAttr = schema.attribute(rdn.type);
  if (!rdnAttr) throw new DirectoryViolation('undefinedAttributeType', undefined, rdn.type);
  const rdnKey = equalityKey(rdnAttr, rdn.value);
  if (!(attrs[rdnAttr.name] ?? []).some((v) => equalityKey(rdnAttr, v) === rdnKey)) {
    throw new DirectoryViolation('notAllowedOnRdn', rdnAttr);
  }
  return structural;
}

/** Syntaxes whose rangeLower/rangeUpper bound the value's length (MS-ADTS 3.1.1.2.2.2). */
const LENGTH_SYNTAXES = new Set([
  '1.3.6.1.4.1.1466.115.121.1.15',
  '1.3.6.1.4.1.1466.115.121.1.26',
  '1.3.6.1.4.1.1466.115.121.1.44',
  '1.3.6.1.4.1.1466.115.121.1.36',
  '1.3.6.1.4.1.1466.115.121.1.40',
  '1.2.840.113556.1.4.1362',
  '1.2.840.113556.1.4.905',
]);

const allowedCache = new WeakMap<Schema, Map<string, { must: Set<string>; allowed: Set<string> }>>();

/** MUST and MUST+MAY (lower-cased) of a set of classes, computed once per schema and class set. */
function allowedFor(schema: Schema, classes: readonly string[]): { must: Set<string>; allowed: Set<string> } {
  let bySet = allowedCache.get(schema);
  if (!bySet) allowedCache.set(schema, (bySet = new Map()));
  const key = classes.map((c) => c.toLowerCase()).join('\0');
  let result = bySet.get(key);
  if (!result) {
    const { must, may } = schema.allowedAttributes([...classes]);
    result = { must, allowed: new Set([...must, ...may].map((n) => n.toLowerCase())) };
    bySet.set(key, result);
  }
  return result;
}
