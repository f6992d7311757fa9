import type { Logger } from 'pino';
import type { RunningEmulator } from '../emulator.js';
import { dnsNameOfDn } from '../directory/dn.js';
import type { SyncOptions } from '../estateSync.js';
import { SYNC_PROFILES, type SyncProfileName } from '../sync/config.js';

// `dsemu start`'s sync flags, as SyncOptions, and what it tells the operator once it runs.

export const SYNC_PROFILE_NAMES = Object.keys(SYNC_PROFILES) as SyncProfileName[];

/** `--deletion-threshold N`; `off`, `false` or `--no-deletion-threshold` turn the guard off. */
export function deletionThreshold(value: unknown): number | false {
  if (value === false || value === 'false' || value === 'off') return false;
  const n = Number(value);
  if (value === '' || !Number.isInteger(n) || n < 0) throw new Error(`--deletion-threshold: a number of deletes, or off (got ${String(value)})`);
  return n;
}

export interface StartSyncArgs {
  sync: boolean;
  'sync-profile': SyncProfileName;
  'sync-interval'?: number;
  'deletion-threshold': number | false;
  staging: boolean;
  'scope-group'?: string[];
  'include-ou'?: string[];
  forest?: string[];
  'password-hash-sync': boolean;
}

/** The forest an OU belongs to: its DC= components (OU=Corp,DC=contoso,DC=com -> contoso.com). */
function forestOf(dn: string): string {
  const forest = dnsNameOfDn(dn).toLowerCase();
  if (!forest) throw new Error(`--include-ou ${dn}: not a DN in a domain (no DC= components)`);
  return forest;
}

export function syncOptionsOf(args: StartSyncArgs): SyncOptions | false {
  if (!args.sync) return false;
  const interval = args['sync-interval'];
  if (interval !== undefined && !(interval > 0)) throw new Error(`--sync-interval: seconds, more than 0 (got ${interval})`);
  const forests = new Set(['contoso.com', ...(args.forest ?? []).map((f) => f.toLowerCase())]);
  let includeOUs: Record<string, string[]> | undefined;
  for (const ou of args['include-ou'] ?? []) {
    const forest = forestOf(ou);
    if (!forests.has(forest)) throw new Error(`--include-ou ${ou}: ${forest} is not a forest of this estate (contoso.com, or one given with --forest)`);
    (includeOUs ??= {})[forest] = [...(includeOUs[forest] ?? []), ou];
  }
  return {
    profile: args['sync-profile'],
    deltaIntervalMs: interval === undefined ? undefined : Math.round(interval * 1000),
    deletionThreshold: args['deletion-threshold'],
    stagingMode: args.staging,
    scopeGroups: args['scope-group']?.length ? args['scope-group'] : undefined,
    includeOUs,
    passwordHashSync: args['password-hash-sync'],
  };
}

/** Where the managed domain listens and what the agent does, once the estate runs. */
export function startupSummary(emulator: RunningEmulator, sync: SyncOptions | false, log: Logger): void {
  const { managed } = emulator;
  log.info({ ldap: managed.ldapUrl, ldaps: managed.ldapsUrl, baseDn: managed.baseDn, caFile: managed.caFile, admin: managed.admin?.upn }, `managed domain ${managed.dnsName}: point apps at ${managed.ldapUrl}`);
  const agent = emulator.sync;
  if (!agent || sync === false) {
    log.info('sync agent: off (--no-sync); the managed domain holds what earlier syncs wrote');
    return;
  }
  const { config } = agent;
  const sources = config.sources.map((s) => s.name);
  log.info(
    {
      sources,
      target: managed.dnsName,
      profile: config.schedule.profile,
      deltaIntervalSeconds: config.schedule.deltaIntervalMs / 1000,
      deletionThreshold: config.deletionThreshold,
      staging: config.stagingMode,
      passwordHashSync: config.passwordHashSync,
      scopeGroups: config.scope.groups ?? 'all',
      includeOUs: sync.includeOUs ?? 'all',
      state: agent.stateDir,
      reports: config.stagingMode ? config.reportDir : undefined,
    },
    `sync agent: ${sources.join(', ')} -> ${managed.dnsName}${config.stagingMode ? ' (staging mode: no export)' : ''}; dsemu sync, dsemu sync history, dsemu explain <UPN|DN>`,
  );
}
