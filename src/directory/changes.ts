import type { AttributeMap } from './entry.js';
import type { AttributeType, AttributeValue, Schema } from './schema.js';
import { equalityKey } from './syntax.js';
import { DirectoryViolation } from './violation.js';

export type ChangeOperation = 'add' | 'delete' | 'replace';

export interface Change {
  operation: ChangeOperation;
  /** the attribute description as the client sent it */
  type: string;
  values: AttributeValue[];
}

/** RFC 4511 4.6: applies a modify's changes in order to a copy of the attributes. */
export function applyChanges(schema: Schema, attrs: AttributeMap, changes: readonly Change[]): AttributeMap {
  const result: AttributeMap = { ...attrs };
  for (const change of changes) {
    const attr = schema.attribute(change.type);
    if (!attr) throw new DirectoryViolation('undefinedAttributeType', undefined, change.type);
    const current = result[attr.name] ?? [];
    switch (change.operation) {
      case 'add': {
        if (change.values.length === 0) throw new DirectoryViolation('invalidAttributeSyntax', attr, 'add without values');
        const seen = new Set(current.map((v) => equalityKey(attr, v)));
        const next = [...current];
        for (const value of change.values) {
          const key = equalityKey(attr, value);
          if (seen.has(key)) throw new DirectoryViolation('attributeOrValueExists', attr);
          seen.add(key);
          next.push(value);
        }
        result[attr.name] = next;
        break;
      }
      case 'delete': {
        if (current.length === 0) throw new DirectoryViolation('noSuchAttribute', attr);
        if (change.values.length === 0) {
          delete result[attr.name];
          break;
        }
        const remove = new Set<string>();
        for (const value of change.values) {
          const key = equalityKey(attr, value);
          if (!current.some((v) => equalityKey(attr, v) === key)) throw new DirectoryViolation('noSuchAttribute', attr);
          remove.add(key);
        }
        const next = current.filter((v) => !remove.has(equalityKey(attr, v)));
        if (next.length) result[attr.name] = next;
        else delete result[attr.name];
        break;
      }
      case 'replace': {
        if (change.values.length === 0) delete result[attr.name];
        else result[attr.name] = dedupe(attr, change.values);
        break;
      }
    }
  }
  return result;
}

/**
 * Values of an add request: repeated values are an error, as in a modify/add. `key` defaults to
 * the attribute's equality key.
 */
export function dedupe(attr: AttributeType, values: readonly AttributeValue[], key: (value: AttributeValue) => string = (v) => equalityKey(attr, v)): AttributeValue[] {
  if (values.length < 2) return [...values];
  const seen = new Set<string>();
  const out: AttributeValue[] = [];
  for (const value of values) {
    const k = key(value);
    if (seen.has(k)) throw new DirectoryViolation('attributeOrValueExists', attr);
    seen.add(k);
    out.push(value);
  }
  return out;
}
