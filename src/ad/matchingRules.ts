import type { StoredEntry } from '../directory/entry.js';
import type { FilterContext, Truth } from '../directory/filter.js';
import type { AttributeType } from '../directory/schema.js';
import type { Dsa } from './dsa.js';
import { AdErrors } from './errors.js';
import { linkGuids } from './links.js';
import { resolveObject } from './resolve.js';

// MS-ADTS 3.1.1.3.4.4: AD's extensible matching rules.
export const MatchingRule = {
  bitAnd: '1.2.840.113556.1.4.803',
  bitOr: '1.2.840.113556.1.4.804',
  inChain: '1.2.840.113556.1.4.1941',
} as const;

const UINT64 = 2n ** 64n;
const UINT64_MAX = UINT64 - 1n;

/**
 * The extensible-match evaluator for one search. In-chain results are computed once per
 * asserted object and kept for the rest of the search.
 */
export function matchingRules(dsa: Dsa): NonNullable<FilterContext['matchingRule']> {
  const chains = new Map<string, Set<string>>();
  return (rule, attr, assertion, entry): Truth => {
    if (!attr) return undefined;
    switch (rule) {
      case MatchingRule.bitAnd:
      case MatchingRule.bitOr: {
        const values = entry.attrs[attr.name] ?? [];
        if (values.length === 0) return false;
        const mask = bitOperand(assertion.toString('utf8'));
        return values.some((v) => {
          const n = bitOperand(Buffer.isBuffer(v) ? v.toString('utf8') : v);
          return rule === MatchingRule.bitAnd ? (n & mask) === mask : (n & mask) !== 0n;
        });
      }
      case MatchingRule.inChain: {
        // ad-ldap.md 5.1 (MS-ADTS 3.1.1.3.4.4): Undefined unless a link attribute; Samba says FALSE.
        if (attr.linkId === undefined) return undefined;
        const key = `${attr.name}\0${assertion.toString('utf8')}`;
        let chain = chains.get(key);
        if (!chain) {
          chain = reachingTarget(dsa, attr, assertion.toString('utf8'));
          chains.set(key, chain);
        }
        return chain.has(entry.guid);
      }
      default:
        // Samba (ldb_match_extended): a matching rule it does not know matches nothing.
        return false;
    }
  };
}

/**
 * LDAP_MATCHING_RULE_TRANSITIVE_EVAL: the objects from which the asserted object is reachable by
 * following `attr` one or more times; computed backwards from the target over the partner link,
 * with a visited set so loops end (in a loop, the target reaches itself, as in Samba). An
 * assertion that names no object, or is no DN, reaches nothing.
 */
function reachingTarget(dsa: Dsa, attr: AttributeType, targetDn: string): Set<string> {
  const reached = new Set<string>();
  let target: StoredEntry | undefined;
  try {
    target = resolveObject(dsa, targetDn);
  } catch {
    return reached;
  }
  const partner = dsa.schema.linkPartner(attr);
  if (!target || !partner) return reached;
  const queue = [target];
  while (queue.length > 0) {
    const current = queue.pop()!;
    for (const guid of linkGuids(dsa, current, partner)) {
      if (reached.has(guid)) continue;
      reached.add(guid);
      const next = dsa.store.byGuid(guid);
      if (next) queue.push(next);
    }
  }
  return reached;
}

/**
 * A bitwise operand as Samba reads both sides (lib/ldb/common/ldb_match.c ldb_comparator_bitmask):
 * C strtoull with base 0 (decimal, 0x hex, 0 octal; leading white space; a sign), so a negative
 * groupType is its 64-bit two's complement and `:=2147483648` and `:=-2147483648` both find
 * security groups. Anything else is an operationsError, as Samba answers.
 */
function bitOperand(text: string): bigint {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!m) throw AdErrors.operationsError('Error in the operand of a bitwise matching rule');
  const digits = m[2]!;
  const magnitude = /^0[xX]/.test(digits) ? BigInt(digits) : digits.length > 1 && digits.startsWith('0') ? BigInt('0o' + digits.slice(1)) : BigInt(digits);
  if (magnitude > UINT64_MAX) return UINT64_MAX;
  return m[1] === '-' ? (UINT64 - magnitude) % UINT64 : magnitude;
}
