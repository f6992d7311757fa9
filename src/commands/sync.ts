import { withEstateAgent } from './estateAgent.js';
import { EXIT, type Print } from './output.js';
import type { LogLevel } from '../log.js';
import type { SyncAgent } from '../sync/agent.js';
import type { CycleOptions } from '../sync/cycle.js';
import { resolveIdentity } from '../sync/explain.js';
import type { RunCounts, RunRecord } from '../sync/model.js';

// `dsemu sync`: Entra Connect's Start-ADSyncSyncCycle, for the agent of a data directory.

export interface SyncCommandOptions {
  dataDir: string;
  full?: boolean;
  dryRun?: boolean;
  /** a UPN, an on-prem DN or a managed-domain DN: export only this identity */
  object?: string;
  allowDeletes?: boolean;
  /** ForceFullPasswordSync: every user's hashes through again */
  fullPasswordSync?: boolean;
  json?: boolean;
  logLevel: LogLevel;
}

class UnknownIdentity extends Error {}

/**
 * Runs one cycle: with the agent of the emulator running on the data dir (over LDAP to its DCs;
 * the cycle lock keeps it from overlapping the emulator's own cycles), or, when none runs, with
 * the estate started from the data dir for the length of the cycle.
 */
export async function syncCommand(options: SyncCommandOptions, print: Print): Promise<number> {
  const cycle: CycleOptions = { trigger: 'cli', full: options.full, dryRun: options.dryRun, allowDeletes: options.allowDeletes, fullPasswordSync: options.fullPasswordSync };
  const withObject = (agent: SyncAgent): Promise<RunRecord> => {
    if (options.object !== undefined) {
      const identity = resolveIdentity(agent.store, agent.config, options.object);
      if (!identity) throw new UnknownIdentity(`dsemu sync --object: the agent knows no identity named ${options.object} (give a UPN, an on-prem DN or a managed-domain DN of a synchronized user or group)`);
      cycle.objectId = identity.objectId;
    }
    return agent.run(cycle);
  };

  let run: RunRecord;
  try {
    run = await withEstateAgent(options.dataDir, options.logLevel, withObject);
  } catch (e) {
    if (!(e instanceof UnknownIdentity)) throw e;
    process.stderr.write(`${e.message}\n`);
    return EXIT.failed;
  }

  print(options.json ? `${JSON.stringify(run, null, 2)}\n` : formatRun(run));
  if (run.status === 'stopped-deletion-threshold-exceeded') return EXIT.deletionThreshold;
  return run.status === 'success' || run.status === 'staging' ? EXIT.ok : EXIT.failed;
}

const counts = (c: RunCounts): string => `${c.adds} adds, ${c.updates} updates, ${c.deletes} deletes`;
const FIRST_ERRORS = 10;

/** A run record as a person reads it. */
export function formatRun(run: RunRecord): string {
  const lines = [
    `run ${run.run}: ${run.status} (${run.profile}, ${run.trigger}, ${run.ms} ms)`,
    `  import  ${counts(run.import)}`,
    `  sync    ${counts(run.sync)}, ${run.sync.filtered} filtered`,
    `  export  ${counts(run.export)}, ${run.export.renames} renames`,
    `  hashes  ${run.passwords.synced} users' password hashes synced, ${run.passwords.pending} waiting`,
    `  errors  ${run.errors.length}`,
  ];
  for (const e of run.errors.slice(0, FIRST_ERRORS)) lines.push(`    ${e.stage}: ${e.object}: ${e.error}`);
  if (run.errors.length > FIRST_ERRORS) lines.push(`    ... and ${run.errors.length - FIRST_ERRORS} more (dsemu sync history --json)`);
  if (run.message) lines.push('', run.message);
  return `${lines.join('\n')}\n`;
}
