import type { ScopeConfig } from '../config.js';
import type { MetaverseObject } from '../model.js';
import type { AgentStore } from '../state/agentStore.js';

/**
 * Domain Services scoped synchronization (scoped-synchronization.md): everything, or the chosen
 * groups and their direct user members; nested groups are not followed.
 */
export class DomainServicesScope {
  private selected?: Set<string>;
  private members?: Set<string>;

  constructor(private readonly store: AgentStore, private readonly config: ScopeConfig) {}

  contains(mv: MetaverseObject): boolean {
    if (!this.config.groups) return true;
    this.load();
    if (mv.objectType === 'group') return this.selected!.has(mv.objectId);
    return this.members!.has(mv.objectId);
  }

  private load(): void {
    if (this.selected) return;
    const wanted = new Set(this.config.groups!.map((g) => g.toLowerCase()));
    this.selected = new Set();
    this.members = new Set();
    for (const mv of this.store.metaverseObjects()) {
      if (mv.objectType !== 'group') continue;
      if (!wanted.has(mv.objectId) && !wanted.has(String(mv.attributes.displayName ?? '').toLowerCase())) continue;
      this.selected.add(mv.objectId);
      for (const id of mv.members) this.members.add(id);
    }
  }
}

/** What identifies a scope, so that a change of it can be noticed (and run a full sync). */
export function scopeFingerprint(config: ScopeConfig, includeOUs: Record<string, string[] | undefined>): string {
  return JSON.stringify({ groups: config.groups ? [...config.groups].map((g) => g.toLowerCase()).sort() : null, includeOUs });
}
