import type { LdapEndpoint } from './connectors/ldapConnection.js';

/** A source forest's DC, read by DirSync as the Entra Connect (MSOL_) account. */
export interface SourceConfig extends LdapEndpoint {
  /** the domain's DNS name: names the connector (and %Domain.FQDN% in the rules) */
  name: string;
  baseDn: string;
  /** Entra Connect OU filtering: only objects under these DNs (default: the whole domain) */
  includeOUs?: string[];
}

/** The managed domain, written as its sync principal. */
export interface TargetConfig extends LdapEndpoint {
  baseDn: string;
}

/** The Entra ID tenant the metaverse stands for (plan-connect-userprincipalname.md). */
export interface TenantConfig {
  /** the initial domain: MOERA and duplicate-UPN placeholders use it */
  initialDomain: string;
  /** UPN suffixes verified in the tenant; others become the MOERA */
  verifiedDomains: string[];
}

/** Domain Services scoped synchronization (scoped-synchronization.md): all, or members of chosen groups. */
export interface ScopeConfig {
  /** group displayNames (or objectIds); undefined: everything */
  groups?: string[];
}

export type SyncProfileName = 'live' | 'realistic';

export interface SyncSchedule {
  profile: SyncProfileName;
  /** wake a delta cycle on the source's change notifications */
  notifications: boolean;
  /** a notification waits this long for more before the cycle starts */
  debounceMs: number;
  /** a delta cycle at least this often, for missed notifications and sources without them */
  deltaIntervalMs: number;
  /** the password hash channel on its own this often (0: with every cycle, right after the export) */
  passwordIntervalMs: number;
}

/** Microsoft's timings (how-to-connect-sync-feature-scheduler.md: delta every 30 minutes), or live. */
export const SYNC_PROFILES: Record<SyncProfileName, SyncSchedule> = {
  live: { profile: 'live', notifications: true, debounceMs: 20, deltaIntervalMs: 10_000, passwordIntervalMs: 0 },
  // The password hash sync cycle runs every 2 minutes (entra.md 4.3).
  realistic: { profile: 'realistic', notifications: false, debounceMs: 0, deltaIntervalMs: 30 * 60_000, passwordIntervalMs: 2 * 60_000 },
};

/** how-to-connect-sync-feature-prevent-accidental-deletes.md: on, 500 */
export const DEFAULT_DELETION_THRESHOLD = 500;

export interface SyncConfig {
  sources: SourceConfig[];
  target: TargetConfig;
  tenant: TenantConfig;
  scope: ScopeConfig;
  /** more pending deletes than this stop the whole export; false: no guard */
  deletionThreshold: number | false;
  /** import and sync, never export (how-to-connect-sync-staging-server.md) */
  stagingMode: boolean;
  schedule: SyncSchedule;
  /** password hash sync with legacy (NTLM and Kerberos) hashes for Domain Services */
  passwordHashSync: boolean;
  /** the managed domain's public key (PEM) hashes are sealed for */
  passwordSyncKeyFile?: string;
  /** LDIF of the tenant's cloud-only users and groups */
  cloudObjectsFile?: string;
  /** where staging reports are written */
  reportDir: string;
}
