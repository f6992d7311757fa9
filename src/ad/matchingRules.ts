import type { StoredEntry } from '../directory/entry.js';
import type { FilterContext, Truth } from '../directory/filter.js';
import type { AttributeType } from '../directory/schema.js';
import type { Dsa } from './dsa.js';
import { linkGuids } from './links.js';
import { resolveObject } from './resolve.js';

// MS-ADTS 3.1.1.3.4.4: AD's extensible matching rules.
export const MatchingRule = {
  bitAnd: '1.2.840.113556.1.4.803',
  bitOr: '1.2.840.113556.1.4.804',
  inChain: '1.2.840.113556.1.4.1941',
} as const;

/**
 * The extensible-match evaluator for one search. In-chain results are computed once per
 * asserted object and kept for the rest of the search.
 */
export function matchingRules(dsa: Dsa): NonNullable<FilterContext['matchingRule']> {
  const chains = new Map<string, Set<string> | undefined>();
  return (rule, attr, assertion, entry): Truth => {
    if (!attr) return undefined;
    switch (rule) {
      case MatchingRule.bitAnd:
      case MatchingRule.bitOr: {
        const mask = int32(assertion.toString('utf8'));
        if (mask === undefined) return undefined;
        const values = entry.attrs[attr.name] ?? [];
        return values.some((v) => {
          const n = int32(String(v));
          if (n === undefined) return false;
          return rule === MatchingRule.bitAnd ? (n & mask) >>> 0 === mask >>> 0 : (n & mask) !== 0;
        });
      }
      case MatchingRule.inChain: {
        if (attr.linkId === undefined) return undefined;
        const key = `${attr.name}\0${assertion.toString('utf8')}`;
        if (!chains.has(key)) chains.set(key, reachingTarget(dsa, attr, assertion.toString('utf8')));
        return chains.get(key)?.has(entry.guid) ?? false;
      }
      default:
        return undefined;
    }
  };
}

/**
 * LDAP_MATCHING_RULE_TRANSITIVE_EVAL: the objects from which the asserted object is reachable by
 * following `attr` one or more times; computed backwards from the target over the partner link,
 * with a visited set so loops end.
 */
function reachingTarget(dsa: Dsa, attr: AttributeType, targetDn: string): Set<string> | undefined {
  let target: StoredEntry | undefined;
  try {
    target = resolveObject(dsa, targetDn);
  } catch {
    return undefined;
  }
  const partner = dsa.schema.linkPartner(attr);
  if (!target || !partner) return undefined;
  const reached = new Set<string>();
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

/** Both operands as 32-bit integers: groupType -2147483646 and 2147483650 are the same bits. */
function int32(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?(0x[0-9a-f]+|\d+)$/i.test(trimmed)) return undefined;
  const magnitude = BigInt(trimmed.replace(/^[+-]/, ''));
  return Number(BigInt.asIntN(32, trimmed.startsWith('-') ? -magnitude : magnitude));
}
