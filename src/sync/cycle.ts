import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { SyncConfig } from './config.js';
import type { ManagedConnector } from './connectors/managedConnector.js';
import type { SourceConnector } from './connectors/sourceConnector.js';
import type { RunRecord } from './model.js';
import { formatPendingExports } from './pendingReport.js';
import { readCloudObjects } from './rules/cloudObjects.js';
import { exportChanges, pendingExports } from './stages/exportStage.js';
import { importChanges, resetCookie } from './stages/importStage.js';
import { synchronize, synchronizeQueued, type SyncStageContext } from './stages/syncStage.js';
import { forceFullPasswordSync, loadPasswordSyncKey, syncPasswordHashes } from './passwords/hashSync.js';
import type { AgentStore } from './state/agentStore.js';

export interface CycleOptions {
  /** what started it: 'notification', 'schedule', 'syncNow', 'cli' ... */
  trigger: string;
  /** full import and full sync: every object through the rules again */
  full?: boolean;
  /** import and sync, then report what the export would do instead of doing it */
  dryRun?: boolean;
  /** export only this metaverse object */
  objectId?: string;
  /** let more deletes than the threshold through, this once */
  allowDeletes?: boolean;
  /** run the object stages (default true); false: the password hash channel alone */
  objects?: boolean;
  /** run the password hash channel after the export (default true, when it is on) */
  passwords?: boolean;
  /** ForceFullPasswordSync: every user's hashes again */
  fullPasswordSync?: boolean;
}

export interface CycleParts {
  store: AgentStore;
  config: SyncConfig;
  sources: SourceConnector[];
  managed: ManagedConnector;
  log: Logger;
}

const FULL_PENDING = 'fullSyncPending';

/** Marks the next cycle as a full one (a scope change, a new source). */
export function requireFullSync(store: AgentStore): void {
  store.write(() => store.putMeta(FULL_PENDING, true));
}

/**
 * One sync cycle, in Entra Connect's run order: import from every source, synchronize into the
 * metaverse, export to the managed domain (unless staging). Returns the run's record, also kept
 * in the history.
 */
export async function runCycle(parts: CycleParts, options: CycleOptions): Promise<RunRecord> {
  const { store, config, log } = parts;
  const started = new Date();
  const t0 = performance.now();
  const full = options.full === true || store.getMeta<boolean>(FULL_PENDING) === true;
  const run: RunRecord = {
    run: store.nextRunNumber(),
    profile: full ? 'full' : 'delta',
    trigger: options.trigger,
    started: started.toISOString(),
    ms: 0,
    stageMs: { import: 0, sync: 0, export: 0, passwords: 0 },
    status: 'success',
    import: { adds: 0, updates: 0, deletes: 0 },
    sync: { adds: 0, updates: 0, deletes: 0, filtered: 0 },
    export: { adds: 0, updates: 0, deletes: 0, renames: 0 },
    passwords: { synced: 0, pending: 0 },
    errors: [],
  };
  try {
    if (options.objects !== false) await objectStages(parts, options, run, full, t0);
    const passwords = config.passwordHashSync && options.passwords !== false && !config.stagingMode && !options.dryRun && run.status !== 'stopped-deletion-threshold-exceeded';
    if (passwords && config.passwordSyncKeyFile) {
      const started = performance.now();
      if (options.fullPasswordSync) forceFullPasswordSync(store, parts.sources.map((s) => s.name));
      await syncPasswordHashes(store, parts.sources, parts.managed, loadPasswordSyncKey(config.passwordSyncKeyFile), run.passwords, run.errors);
      run.stageMs.passwords = Math.round(performance.now() - started);
    }
    if (run.status === 'success' && run.errors.length) run.status = 'completed-export-errors';
  } catch (e) {
    run.status = 'stopped-error';
    run.errors.push({ object: '-', stage: 'export', error: (e as Error).message });
  }
  run.ms = Math.round(performance.now() - t0);
  store.write(() => store.addRun(run));
  const line = { run: run.run, profile: run.profile, trigger: run.trigger, status: run.status, import: run.import, sync: run.sync, export: run.export, passwords: run.passwords, errors: run.errors.length, ms: run.ms, stageMs: run.stageMs };
  if (run.status === 'success' || run.status === 'staging') log.info(line, 'sync cycle');
  else log.warn({ ...line, message: run.message, firstErrors: run.errors.slice(0, 5) }, 'sync cycle');
  return run;
}

/** Import, synchronization and export: the object half of a cycle. */
async function objectStages(parts: CycleParts, options: CycleOptions, run: RunRecord, full: boolean, t0: number): Promise<void> {
  const { store, config, log } = parts;
  const sync: SyncStageContext = { store, config, counts: run.sync, errors: run.errors };
  // A full sync puts every identity through the rules again: all queued first, so that what the
  // import brings is synchronized as each batch lands (the first source's objects first), and
  // the rest after the import.
  if (full) queueEverything(store, parts.sources);
  for (const source of parts.sources) {
    const imported = (guids: string[]): void => synchronizeQueued(sync, guids.map((guid) => ({ connector: source.name, guid })));
    try {
      if (full) await fullImport(store, source, run, imported);
      else await importChanges(store, source, run.import, { imported });
    } catch (e) {
      run.status = 'stopped-server-down';
      run.errors.push({ object: source.name, stage: 'import', error: (e as Error).message });
      await source.close();
    }
  }
  // (the synchronization of what each batch brought is inside the import's time)
  run.stageMs.import = Math.round(performance.now() - t0);
  const cloud = config.cloudObjectsFile ? readCloudObjects(config.cloudObjectsFile) : [];
  synchronize(sync, cloud);
  if (full && run.status === 'success') store.write(() => store.putMeta(FULL_PENDING, false));
  run.stageMs.sync = Math.round(performance.now() - t0) - run.stageMs.import;

  const only = options.objectId ? new Set([options.objectId]) : undefined;
  if (config.stagingMode || options.dryRun) {
    const pending = pendingExports(store, config, only).filter((p) => p.action !== 'none');
    run.message = writeReport(config.reportDir, formatPendingExports(store, pending));
    run.status = config.stagingMode ? 'staging' : run.status;
  } else {
    const outcome = await exportChanges({ store, config, managed: parts.managed, counts: run.export, errors: run.errors, log }, { only, allowDeletes: options.allowDeletes });
    if (outcome.kind === 'threshold') {
      run.status = 'stopped-deletion-threshold-exceeded';
      // how-to-connect-sync-feature-prevent-accidental-deletes.md (event 116)
      run.message = `Prevent Accidental Deletes: The number of deletions for this sync cycle (${outcome.pendingDeletes} pending deletes) has exceeded the current threshold of ${outcome.threshold} objects. Deletions will be suppressed for this sync cycle. To export them, run: dsemu sync --allow-deletes (or raise --deletion-threshold).`;
    }
  }
  run.stageMs.export = Math.round(performance.now() - t0) - run.stageMs.import - run.stageMs.sync;
}

/**
 * A full import reads everything again from an empty cookie; connector-space objects it did not
 * see are gone from the source (deleted while nobody watched, or their tombstones purged).
 */
async function fullImport(store: AgentStore, source: SourceConnector, run: RunRecord, imported: (guids: string[]) => void): Promise<void> {
  resetCookie(store, source.name);
  const before = new Set([...store.connectorObjects(source.name)].map((o) => o.guid));
  await importChanges(store, source, run.import, { seen: (guid) => before.delete(guid), imported });
  store.write(() => {
    for (const guid of before) {
      const object = store.connectorObject(source.name, guid);
      if (!object) continue;
      store.removeConnectorObject(object);
      store.queueSync(source.name, guid);
      run.import.deletes++;
    }
  });
}

/** Full sync: every connector-space object through the rules, every identity checked against the managed domain. */
function queueEverything(store: AgentStore, sources: readonly SourceConnector[]): void {
  store.write(() => {
    for (const source of sources) for (const object of store.connectorObjects(source.name)) store.queueSync(source.name, object.guid);
    for (const mv of store.metaverseObjects()) store.queueExport(mv.objectId);
    for (const managed of store.managedObjects()) store.queueExport(managed.objectId);
  });
}

function writeReport(dir: string, report: { ldif: string; json: string; count: number }): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pending-exports.ldif'), report.ldif);
  writeFileSync(join(dir, 'pending-exports.json'), report.json);
  return `${report.count} pending exports written to ${join(dir, 'pending-exports.ldif')} and pending-exports.json`;
}
