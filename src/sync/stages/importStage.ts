import type { SourceConnector, ImportedChange } from '../connectors/sourceConnector.js';
import type { ConnectorObject, RunCounts } from '../model.js';
import { objectTypeOf } from '../rules/filters.js';
import type { AgentStore } from '../state/agentStore.js';

const cookieKey = (connector: string): string => `cookie:${connector}`;

/** Forgets a source's cookie: the next import is a full one. */
export function resetCookie(store: AgentStore, connector: string): void {
  store.write(() => store.putMeta(cookieKey(connector), ''));
}

export interface ImportHooks {
  /** every object DirSync returned, kept or not (a full import forgets the objects it never saw) */
  seen?: (guid: string) => void;
  /** after each batch has committed: the GUIDs it queued for synchronization, in DirSync's order */
  imported?: (guids: string[]) => void;
}

/**
 * Delta import (full with no cookie): each DirSync batch lands in the connector space together
 * with the cookie after it and the sync-queue entries it makes, in one transaction.
 */
export async function importChanges(store: AgentStore, source: SourceConnector, counts: RunCounts, hooks: ImportHooks = {}): Promise<void> {
  const cookie = Buffer.from(store.getMeta<string>(cookieKey(source.name)) ?? '', 'base64');
  for await (const batch of source.changesSince(cookie)) {
    const queued: string[] = [];
    store.write(() => {
      for (const change of batch.changes) {
        hooks.seen?.(change.guid);
        if (applyChange(store, source.name, change, counts)) queued.push(change.guid);
      }
      store.putMeta(cookieKey(source.name), batch.cookie.toString('base64'));
    });
    // While this runs, the DC reads the next batch (the connector prefetches it).
    if (queued.length) hooks.imported?.(queued);
  }
}

/** Applies one DirSync change to the connector space; true when it queued the object for synchronization. */
function applyChange(store: AgentStore, connector: string, change: ImportedChange, counts: RunCounts): boolean {
  const existing = store.connectorObject(connector, change.guid);
  if (change.deleted) {
    if (!existing) return false;
    store.removeConnectorObject(existing);
    store.queueSync(connector, change.guid);
    counts.deletes++;
    return true;
  }
  // Objects that are neither users nor groups (computers, OUs...) are not kept; a change without
  // objectClass to an object not kept is one of those.
  if (!existing && change.attrs.objectClass === undefined) return false;
  const object: ConnectorObject = existing
    ? { ...existing, attrs: { ...existing.attrs }, links: { ...existing.links } }
    : { connector, guid: change.guid, dn: change.dn, attrs: {}, links: {} };
  object.dn = change.dn;
  for (const [name, values] of Object.entries(change.attrs)) {
    if (values.length === 0) delete object.attrs[name];
    else object.attrs[name] = values;
  }
  if (!objectTypeOf(object)) {
    if (existing) store.removeConnectorObject(existing);
    return false;
  }
  for (const [name, link] of Object.entries(change.links)) {
    const resolve = (targets: string[]): string[] => targets.map((t) => (t.startsWith('dn:') ? (store.guidOfDn(connector, t.slice(3)) ?? t) : t));
    let values = link.replace ? resolve(link.replace) : [...(object.links[name] ?? [])];
    if (link.add) values = [...new Set([...values, ...resolve(link.add)])];
    if (link.remove) {
      const removed = new Set(resolve(link.remove));
      values = values.filter((v) => !removed.has(v));
    }
    if (values.length) object.links[name] = values;
    else delete object.links[name];
  }
  store.putConnectorObject(object, existing?.dn);
  store.queueSync(connector, change.guid);
  if (existing) counts.updates++;
  else counts.adds++;
  return true;
}
