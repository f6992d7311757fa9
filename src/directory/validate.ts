import type { AttributeMap } from './entry.js';
import type { AttributeType, ObjectClass, Schema } from './schema.js';
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
  for (const attr of must) {
    if (!attrs[attr.name]?.length && !options.implicit?.has(attr.name)) throw new DirectoryViolation('objectClassViolation', attr, `missing ${attr.name}`);
  }
  for (const [name, values] of Object.entries(attrs)) {
    const rule = ruleOf(schema, name);
    if (!rule) throw new DirectoryViolation('undefinedAttributeType', undefined, name);
    const { attr } = rule;
    if (!allowed.has(rule.lowerName)) throw new DirectoryViolation('objectClassViolation', attr, `${attr.name} not allowed`);
    if (attr.singleValued && values.length > 1) throw new DirectoryViolation('singleValued', attr);
    for (const value of values) {
      if (!isValidValue(attr, value)) throw new DirectoryViolation('invalidAttributeSyntax', attr);
      if (!rule.lengthBounded) continue;
      // UTF-16 units for strings, as AD keeps them (Samba 4.17: 128 emoji fit displayName's 256, 129 do not)
      const length = value.length;
      if ((attr.rangeUpper !== undefined && length > attr.rangeUpper) || (attr.rangeLower !== undefined && length < attr.rangeLower)) {
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

interface AttributeRule {
  attr: AttributeType;
  lowerName: string;
  /** rangeLower/rangeUpper bound the length of its values */
  lengthBounded: boolean;
}

const rulesCache = new WeakMap<Schema, Map<string, AttributeRule>>();

/** The attribute an entry's key names, with what validation needs of it, computed once per schema. */
function ruleOf(schema: Schema, name: string): AttributeRule | undefined {
  let rules = rulesCache.get(schema);
  if (!rules) rulesCache.set(schema, (rules = new Map()));
  let rule = rules.get(name);
  if (!rule) {
    const attr = schema.attribute(name);
    if (!attr) return undefined;
    rule = { attr, lowerName: attr.name.toLowerCase(), lengthBounded: LENGTH_SYNTAXES.has(attr.syntax) && (attr.rangeUpper !== undefined || attr.rangeLower !== undefined) };
    // entries are keyed by canonical names; other spellings are not worth keeping
    if (attr.name === name) rules.set(name, rule);
  }
  return rule;
}

const allowedCache = new WeakMap<Schema, Map<string, { must: AttributeType[]; allowed: Set<string> }>>();

/** MUST (the known ones) and MUST+MAY (lower-cased) of a set of classes, computed once per schema and class set. */
function allowedFor(schema: Schema, classes: readonly string[]): { must: AttributeType[]; allowed: Set<string> } {
  let bySet = allowedCache.get(schema);
  if (!bySet) allowedCache.set(schema, (bySet = new Map()));
  const key = classes.map((c) => c.toLowerCase()).join('\0');
  let result = bySet.get(key);
  if (!result) {
    const { must, may } = schema.allowedAttributes([...classes]);
    const mustAttributes = [...must].map((name) => schema.attribute(name)).filter((attr): attr is AttributeType => attr !== undefined);
    result = { must: mustAttributes, allowed: new Set([...must, ...may].map((n) => n.toLowerCase())) };
    bySet.set(key, result);
  }
  return result;
}
