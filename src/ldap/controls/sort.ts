import asn1 from '@ldapjs/asn1';
import { valuesAt, type ResultEntry } from '../../ad/readView.js';
import type { Dsa } from '../../ad/dsa.js';
import type { AttributeType, AttributeValue } from '../../directory/schema.js';
import { compareValues } from '../../directory/syntax.js';
import type { RequestControl } from '../protocol/requests.js';
import type { ResponseControl } from '../protocol/responses.js';
import { Controls } from './oids.js';

const { BerReader, BerWriter } = asn1;

/** One key of an RFC 2891 SortKeyList. */
export interface SortKey {
  attributeType: string;
  orderingRule?: string;
  reverseOrder: boolean;
}

/** RFC 2891 1.2 sortResult codes this DC answers with. */
export const SortResult = {
  success: 0,
  noSuchAttribute: 16,
  unwillingToPerform: 53,
} as const;

/** How the results will be ordered, or why they cannot be (the sortResult and the key in error). */
export type SortPlan = { attr: AttributeType; reverse: boolean } | { result: number; attributeType?: string };

/** RFC 2891 1.1: SortKeyList ::= SEQUENCE OF SEQUENCE { attributeType, [0] orderingRule OPTIONAL, [1] reverseOrder BOOLEAN DEFAULT FALSE }. */
export function sortRequest(control: RequestControl): SortKey[] | 'malformed' {
  if (!control.value) return 'malformed';
  try {
    const ber = new BerReader(control.value);
    ber.readSequence(0x30);
    const end = ber.offset + ber.length;
    const keys: SortKey[] = [];
    while (ber.offset < end) {
      ber.readSequence(0x30);
      const keyEnd = ber.offset + ber.length;
      const key: SortKey = { attributeType: ber.readString() ?? '', reverseOrder: false };
      if (ber.offset < keyEnd && ber.peek() === 0x80) key.orderingRule = ber.readString(0x80) ?? undefined;
      if (ber.offset < keyEnd && ber.peek() === 0x81) key.reverseOrder = ber.readBoolean(0x81) ?? false;
      if (ber.offset !== keyEnd) return 'malformed';
      keys.push(key);
    }
    return keys;
  } catch {
    return 'malformed';
  }
}

/**
 * What this DC does with a sort request. AD sorts on a single key only (winldap LDAPSortKey:
 * "Active Directory supports only a single sort key"); more is unwillingToPerform, as Samba's
 * sort module answers; an attribute the schema lacks is noSuchAttribute (RFC 2891 1.2). The
 * ordering rule is not checked, as Samba does not. Samba 4.17 differs from RFC 2891 (and so from
 * Windows, whose control doc promises the response control): it sends no response control on
 * success, and answers a critical two-key sort with success and no entries.
 */
export function sortPlan(dsa: Dsa, keys: readonly SortKey[]): SortPlan {
  if (keys.length !== 1) return { result: SortResult.unwillingToPerform };
  const key = keys[0]!;
  const attr = dsa.schema.attribute(key.attributeType);
  if (!attr) return { result: SortResult.noSuchAttribute, attributeType: key.attributeType };
  return { attr, reverse: key.reverseOrder };
}

/** RFC 2891 1.2: SortResult ::= SEQUENCE { sortResult ENUMERATED, attributeType [0] AttributeDescription OPTIONAL }. */
export function sortResponse(plan: SortPlan): ResponseControl {
  const w = new BerWriter();
  w.startSequence(0x30);
  if ('attr' in plan) {
    w.writeEnumeration(SortResult.success);
  } else {
    w.writeEnumeration(plan.result);
    if (plan.attributeType !== undefined) w.writeString(plan.attributeType, 0x80);
  }
  w.endSequence();
  return { type: Controls.sortResponse, value: w.buffer };
}

/**
 * The whole result set in sort order (AD sorts everything, then pages). Each entry is keyed on
 * its first value of the attribute, read from the object even when the attribute was not asked
 * for; entries without the attribute come last in either direction (Samba lib/ldb/modules/sort.c).
 */
export function sortEntries(dsa: Dsa, entries: Iterable<ResultEntry>, attr: AttributeType, reverse: boolean): ResultEntry[] {
  const keyed: { entry: ResultEntry; key: AttributeValue | undefined }[] = [];
  for (const entry of entries) keyed.push({ entry, key: valuesAt(dsa, entry.dn, attr)[0] });
  keyed.sort((a, b) => {
    if (a.key === undefined || b.key === undefined) return (a.key === undefined ? 1 : 0) - (b.key === undefined ? 1 : 0);
    const order = compareValues(attr, a.key, b.key);
    return reverse ? -order : order;
  });
  return keyed.map((k) => k.entry);
}
