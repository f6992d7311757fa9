import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DELETION_THRESHOLD, SYNC_PROFILES, type SyncConfig, type SyncProfileName } from './sync/config.js';
import { MSOL_ACCOUNT } from './domains/onprem.js';
import { SYNC_ACCOUNT } from './domains/managed.js';
import { SEED_DIR } from './domains/seedDir.js';
import { passwordSyncPublicKeyFile, type DomainCredentials } from './domains/openDomain.js';

/** How the emulator runs its sync agent. */
export interface SyncOptions {
  /** live (default): on-prem changes arrive in well under a second; realistic: Microsoft's 30-minute delta cycle */
  profile?: SyncProfileName;
  /** the periodic delta cycle's interval (default: the profile's) */
  deltaIntervalMs?: number;
  /** more pending deletes than this stop the export (default 500); false: no guard */
  deletionThreshold?: number | false;
  /** import and sync only; pending exports are written as a report */
  stagingMode?: boolean;
  /** Domain Services scoped sync: only these groups and their direct members (default: all) */
  scopeGroups?: string[];
  /** Entra Connect OU filtering, per forest DNS name: only objects under these OUs */
  includeOUs?: Record<string, string[]>;
  /** the tenant's cloud-only objects (default seed/tenant.ldif); false: none */
  cloudObjects?: string | false;
  /** run cycles on notifications and on the schedule (default true); false: only when asked */
  schedule?: boolean;
  /** password hash sync with legacy hashes (default true); false: synced users cannot bind */
  passwordHashSync?: boolean;
}

/** A DC as the agent reaches it. */
export interface EstateEndpoint {
  dnsName: string;
  netbiosName: string;
  baseDn: string;
  ldapUrl: string;
}

/** What a running emulator tells `dsemu sync` in another process: where its DCs listen. */
export interface EstateEndpoints {
  pid: number;
  sources: EstateEndpoint[];
  target: EstateEndpoint;
  options: SyncOptions;
}

export const TENANT = { initialDomain: 'contoso.onmicrosoft.com', verifiedDomains: ['contoso.com'] };

export function syncStateDir(dataDir: string): string {
  return join(dataDir, 'sync');
}

function credentialsOf(dataDir: string, dnsName: string): DomainCredentials {
  return JSON.parse(readFileSync(join(dataDir, dnsName, 'credentials.json'), 'utf8')) as DomainCredentials;
}

function passwordOf(credentials: DomainCredentials, account: string): string {
  const found = credentials.accounts.find((a) => a.sAMAccountName === account);
  if (!found) throw new Error(`no generated password for ${account}`);
  return found.password;
}

/**
 * The agent's configuration for this estate: each on-prem forest read as its MSOL_ account, the
 * managed domain written as its sync principal, the contoso.onmicrosoft.com tenant.
 */
export function estateSyncConfig(dataDir: string, endpoints: Omit<EstateEndpoints, 'pid'>): SyncConfig {
  const { options } = endpoints;
  const profile = SYNC_PROFILES[options.profile ?? 'live'];
  const cloud = options.cloudObjects === false ? undefined : (options.cloudObjects ?? join(SEED_DIR, 'tenant.ldif'));
  return {
    sources: endpoints.sources.map((s) => ({
      name: s.dnsName,
      url: s.ldapUrl,
      baseDn: s.baseDn,
      bindName: `${s.netbiosName}\\${MSOL_ACCOUNT}`,
      password: passwordOf(credentialsOf(dataDir, s.dnsName), MSOL_ACCOUNT),
      includeOUs: options.includeOUs?.[s.dnsName],
    })),
    target: {
      url: endpoints.target.ldapUrl,
      baseDn: endpoints.target.baseDn,
      bindName: `${endpoints.target.netbiosName}\\${SYNC_ACCOUNT}`,
      password: passwordOf(credentialsOf(dataDir, endpoints.target.dnsName), SYNC_ACCOUNT),
    },
    // Every forest's own domain is verified in the tenant, as contoso.com is.
    tenant: { ...TENANT, verifiedDomains: [...new Set([...TENANT.verifiedDomains, ...endpoints.sources.map((s) => s.dnsName)])] },
    scope: { groups: options.scopeGroups },
    deletionThreshold: options.deletionThreshold ?? DEFAULT_DELETION_THRESHOLD,
    stagingMode: options.stagingMode === true,
    schedule: { ...profile, deltaIntervalMs: options.deltaIntervalMs ?? profile.deltaIntervalMs },
    cloudObjectsFile: cloud,
    passwordHashSync: options.passwordHashSync !== false,
    passwordSyncKeyFile: passwordSyncPublicKeyFile(join(dataDir, endpoints.target.dnsName)),
    reportDir: join(syncStateDir(dataDir), 'staging'),
  };
}

const endpointsFile = (dataDir: string): string => join(syncStateDir(dataDir), 'endpoints.json');

export function writeEndpoints(dataDir: string, endpoints: EstateEndpoints): void {
  mkdirSync(syncStateDir(dataDir), { recursive: true });
  writeFileSync(endpointsFile(dataDir), `${JSON.stringify(endpoints, null, 2)}\n`);
}

/** The endpoints of the emulator running on this data dir, if one is. */
export function runningEndpoints(dataDir: string): EstateEndpoints | undefined {
  const file = endpointsFile(dataDir);
  if (!existsSync(file)) return undefined;
  const endpoints = JSON.parse(readFileSync(file, 'utf8')) as EstateEndpoints;
  try {
    process.kill(endpoints.pid, 0);
    return endpoints;
  } catch {
    return undefined;
  }
}
