import type { Filter } from './filter.js';
import { assertion } from './filter.js';
import { integerKey, isOrderedIndex, prefixKey } from './indexKey.js';
import type { DirectoryStore } from './store.js';

const LAST = '\uffff';
/** Estimates stop counting here: past it, a candidate set is "large" and any smaller one wins. */
const ESTIMATE_CAP = 5000;

/** Where a search's candidates come from: an index read, or (when no index serves) every entry. */
export type Plan =
  | { kind: 'index'; /** candidates the read yields, counted up to a cap; computed only when plans are compared */ estimate: () => number; describe: string; guids: () => Iterable<string> }
  | { kind: 'scan' };

/**
 * Chooses the cheapest index read that yields a superset of the entries the filter can match;
 * the caller still evaluates the filter on every candidate.
 */
export function planFilter(filter: Filter, store: DirectoryStore): Plan {
  switch (filter.type) {
    case 'and': {
      const plans = filter.filters.map((f) => planFilter(f, store)).filter((p): p is Extract<Plan, { kind: 'index' }> => p.kind === 'index');
      if (plans.length === 0) return { kind: 'scan' };
      if (plans.length === 1) return plans[0]!;
      let best = plans[0]!;
      let bestEstimate = best.estimate();
      for (const p of plans.slice(1)) {
        if (bestEstimate === 0) break;
        const estimate = p.estimate();
        if (estimate < bestEstimate) [best, bestEstimate] = [p, estimate];
      }
      return best;
    }
    case 'or': {
      const parts: Extract<Plan, { kind: 'index' }>[] = [];
      for (const f of filter.filters) {
        const p = planFilter(f, store);
        if (p.kind === 'scan') return p;
        parts.push(p);
      }
      return {
        kind: 'index',
        estimate: () => parts.reduce((n, p) => n + p.estimate(), 0),
        describe: `or(${parts.map((p) => p.describe).join(',')})`,
        guids: () => union(parts.map((p) => p.guids)),
      };
    }
    case 'equality':
      return equalityPlan(filter.attribute, filter.value, store);
    case 'extensible':
      return !filter.rule && filter.attribute && !filter.dnAttributes ? equalityPlan(filter.attribute, filter.value, store) : { kind: 'scan' };
    case 'substrings': {
      const attr = store.schema.attribute(filter.attribute);
      if (!attr || !filter.initial || !store.isIndexed(attr.name) || isOrderedIndex(attr)) return { kind: 'scan' };
      const from = prefixKey(attr, assertion(attr, filter.initial));
      return rangePlan(store, attr.name, from, from + LAST, `${attr.name}=${from}*`);
    }
    case 'greaterOrEqual':
    case 'lessOrEqual': {
      const attr = store.schema.attribute(filter.attribute);
      if (!attr || !store.isIndexed(attr.name) || !isOrderedIndex(attr)) return { kind: 'scan' };
      const bound = integerKey(filter.value.toString('utf8'));
      return filter.type === 'greaterOrEqual'
        ? rangePlan(store, attr.name, bound, LAST, `${attr.name}>=`)
        : rangePlan(store, attr.name, '', bound + '\u0000', `${attr.name}<=`);
    }
    case 'present': {
      const attr = store.schema.attribute(filter.attribute);
      // objectClass is on every entry: its presence index would be a slower full scan.
      if (!attr || !store.isIndexed(attr.name) || attr.name === 'objectClass') return { kind: 'scan' };
      return rangePlan(store, attr.name, '', LAST, `${attr.name}=*`);
    }
    default:
      return { kind: 'scan' };
  }
}

/** An index plan that reads fewer than a few thousand candidates: cheaper than walking a large container's children. */
export function isSelective(plan: Plan): plan is Extract<Plan, { kind: 'index' }> {
  return plan.kind === 'index' && plan.estimate() < ESTIMATE_CAP;
}

function equalityPlan(attribute: string, value: Buffer, store: DirectoryStore): Plan {
  const attr = store.schema.attribute(attribute);
  if (!attr) return { kind: 'index', estimate: () => 0, describe: `${attribute}:unknown`, guids: () => [] };
  if (attr.name === 'objectGUID') {
    const guid = value.length === 16 ? value.toString('hex') : undefined;
    return { kind: 'index', estimate: () => 1, describe: 'objectGUID', guids: () => (guid && store.byGuid(guid) ? [guid] : []) };
  }
  if (!store.isIndexed(attr.name)) return { kind: 'scan' };
  const key = store.keyOf(attr.name, assertion(attr, value)) as string;
  return {
    kind: 'index',
    estimate: () => store.countRange(attr.name, key, key + '\u0000' + LAST, ESTIMATE_CAP),
    describe: `${attr.name}=`,
    guids: () => store.lookup(attr.name, assertion(attr, value)),
  };
}

function rangePlan(store: DirectoryStore, name: string, from: string, to: string, describe: string): Plan {
  return {
    kind: 'index',
    estimate: () => store.countRange(name, from, to, ESTIMATE_CAP),
    describe,
    guids: () => store.lookupRange(name, from, to),
  };
}

function* union(sources: (() => Iterable<string>)[]): Iterable<string> {
  const seen = new Set<string>();
  for (const source of sources) {
    for (const guid of source()) {
      if (seen.has(guid)) continue;
      seen.add(guid);
      yield guid;
    }
  }
}
