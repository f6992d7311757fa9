import type { AttributeType, AttributeValue } from '../directory/schema.js';
import { sidFromString } from '../directory/binary.js';
import type { Dsa } from './dsa.js';
import { AdErrors } from './errors.js';
import { isBackLink, isForwardLink, linkTarget } from './links.js';

/** An attribute as a request carries it: the description the client sent, and raw values. */
export interface AttributeInput {
  type: string;
  values: AttributeValue[];
}

/** Attributes a client may give on add although clients may not change them later. */
const SETTABLE_ON_ADD = new Set(['instanceType', 'objectClass']);

/** Password attributes: taken by ad/passwords, never stored as given. */
export const PASSWORD_ATTRIBUTES = new Set(['unicodePwd', 'userPassword']);

export function schemaAttribute(dsa: Dsa, type: string): AttributeType {
  const attr = dsa.schema.attribute(type);
  if (!attr) throw AdErrors.undefinedAttributeType();
  return attr;
}

/** Refuses what a client may not write: system-only, constructed and back-link attributes, secrets. */
export function assertClientWritable(attr: AttributeType, onAdd: boolean): void {
  if (PASSWORD_ATTRIBUTES.has(attr.name)) return;
  if (attr.constructed || isBackLink(attr) || attr.secret || attr.name === 'objectGUID') throw AdErrors.systemOnlyAttribute();
  if ((attr.systemOnly || attr.noUserModification) && !(onAdd && SETTABLE_ON_ADD.has(attr.name))) throw AdErrors.systemOnlyAttribute();
}

/**
 * Values as the store keeps them: raw bytes for binary syntaxes, text for the rest, and for
 * forward links the GUID of the object each DN names.
 */
export function storedValues(dsa: Dsa, attr: AttributeType, values: readonly AttributeValue[]): AttributeValue[] {
  if (isForwardLink(attr)) return values.map((v) => linkTarget(dsa, v));
  if (attr.binary) return values.map((v) => (typeof v === 'string' ? binaryFromText(attr, v) : v));
  return values.map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
}

/** Text given for a binary attribute: SIDs may be written as S-1-5-..., as LDIF seeds do. */
function binaryFromText(attr: AttributeType, value: string): Buffer {
  if ((attr.name === 'objectSid' || attr.name === 'sIDHistory') && /^S-1-/i.test(value)) return sidFromString(value);
  return Buffer.from(value, 'utf8');
}
