import type { Logger } from 'pino';
import type { SyncConfig } from '../config.js';
import { resultCodeOf } from '../connectors/ldapConnection.js';
import type { ManagedConnector } from '../connectors/managedConnector.js';
import type { RunCounts, RunError } from '../model.js';
import { desiredManagedObject, type DesiredObject } from '../rules/outbound.js';
import { DomainServicesScope } from '../rules/scoping.js';
import type { AgentStore } from '../state/agentStore.js';
import { Committer, inParallel } from './committer.js';
import { ManagedWriter } from './managedWriter.js';

const CONCURRENCY = 16;

/** 'none': queued, but nothing to write (neither in the metaverse's scope nor in the managed domain). */
export type ExportAction = 'add' | 'update' | 'delete' | 'none';

/** One object the export would change. */
export interface PendingExport {
  objectId: string;
  action: ExportAction;
  objectType: 'user' | 'group';
  dn?: string;
  desired?: DesiredObject;
  /** the metaverse anchor: the order in which colliding names are handed out */
  anchor?: string;
}

export interface ExportContext {
  store: AgentStore;
  config: SyncConfig;
  managed: ManagedConnector;
  counts: RunCounts & { renames: number };
  errors: RunError[];
  log: Logger;
}

export interface ExportOptions {
  /** let more deletes than the threshold through, this once */
  allowDeletes?: boolean;
  /** only these metaverse objects */
  only?: ReadonlySet<string>;
}

export type ExportOutcome =
  | { kind: 'exported' }
  | { kind: 'threshold'; pendingDeletes: number; threshold: number };

/** What the export would do now: the queued objects whose managed-domain state differs from the rules'. */
export function pendingExports(store: AgentStore, config: SyncConfig, only?: ReadonlySet<string>): PendingExport[] {
  const scope = new DomainServicesScope(store, config.scope);
  const pending: PendingExport[] = [];
  for (const objectId of store.exportQueue()) {
    if (only && !only.has(objectId)) continue;
    const mv = store.metaverseObject(objectId);
    const current = store.managedObject(objectId);
    const desired = mv && scope.contains(mv) ? desiredManagedObject(mv) : undefined;
    if (desired && !current) pending.push({ objectId, action: 'add', objectType: desired.objectType, desired, anchor: mv!.anchor });
    else if (desired && current) pending.push({ objectId, action: 'update', objectType: desired.objectType, dn: current.dn, desired });
    else if (current) pending.push({ objectId, action: 'delete', objectType: current.objectType, dn: current.dn });
    else pending.push({ objectId, action: 'none', objectType: mv?.objectType ?? 'user' });
  }
  return pending;
}

/**
 * The export stage: writes the difference between the metaverse (through the outbound rules) and
 * the managed domain, as the sync principal. Deletes first, then users, then groups, then links
 * (members, manager), so every link names an object that exists. More deletes than the threshold
 * and nothing is exported at all (prevent accidental deletes).
 */
export async function exportChanges(ctx: ExportContext, options: ExportOptions = {}): Promise<ExportOutcome> {
  const { store, config } = ctx;
  const pending = pendingExports(store, config, options.only);
  const deletes = pending.filter((p) => p.action === 'delete');
  const threshold = config.deletionThreshold;
  if (threshold !== false && deletes.length > threshold && !options.allowDeletes) {
    return { kind: 'threshold', pendingDeletes: deletes.length, threshold };
  }
  const committer = new Committer(store);
  const failed = new Set<string>();
  const attempt = async (p: PendingExport, step: () => Promise<void>): Promise<void> => {
    if (failed.has(p.objectId)) return;
    try {
      await step();
    } catch (e) {
      failed.add(p.objectId);
      ctx.errors.push({ object: p.desired?.attrs.userPrincipalName?.[0] ?? p.desired?.attrs.displayName?.[0] ?? p.dn ?? p.objectId, stage: 'export', error: describe(e) });
    }
  };
  const writer = new ManagedWriter(ctx, committer);

  await inParallel(deletes, CONCURRENCY, (p) => attempt(p, () => writer.remove(p.objectId)));
  committer.flush();
  // CNs are handed out in anchor order before the parallel writes, so a collision always goes
  // the same way (the first source first, as for UPNs).
  const adds = pending.filter((p) => p.action === 'add').sort((a, b) => (a.anchor! < b.anchor! ? -1 : a.anchor! > b.anchor! ? 1 : 0));
  for (const p of adds) writer.reserveCn(p.objectId, p.desired!.cn);
  for (const type of ['user', 'group'] as const) {
    const items = linkTargetsFirst(pending.filter((p) => p.desired?.objectType === type));
    await inParallel(items, CONCURRENCY, (p) => attempt(p, () => writer.put(p.objectId, p.desired!)));
    committer.flush();
  }
  await inParallel(pending.filter((p) => p.desired), CONCURRENCY, (p) => attempt(p, () => writer.link(p.objectId, p.desired!)));
  for (const p of pending) if (!failed.has(p.objectId)) committer.add(() => store.dequeueExport(p.objectId));
  committer.flush();
  return { kind: 'exported' };
}

/**
 * Managers before their reports, member groups before the groups that hold them: an add can then
 * carry its links (one write instead of two) when the objects it names already exist.
 */
function linkTargetsFirst(items: PendingExport[]): PendingExport[] {
  const byId = new Map(items.map((p) => [p.objectId, p]));
  const depth = new Map<string, number>();
  const depthOf = (id: string, seen: Set<string>): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const p = byId.get(id);
    if (!p?.desired || seen.has(id)) return 0;
    seen.add(id);
    const targets = p.desired.objectType === 'user' ? (p.desired.manager ? [p.desired.manager] : []) : p.desired.members;
    let d = 0;
    for (const t of targets) if (byId.has(t)) d = Math.max(d, depthOf(t, seen) + 1);
    depth.set(id, d);
    return d;
  };
  for (const p of items) depthOf(p.objectId, new Set());
  return [...items].sort((a, b) => depth.get(a.objectId)! - depth.get(b.objectId)!);
}

function describe(e: unknown): string {
  const code = resultCodeOf(e);
  const message = (e as Error).message ?? String(e);
  return code === undefined ? message : `LDAP ${code}: ${message}`;
}
