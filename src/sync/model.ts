/**
 * The agent's three views of an identity, as Entra Connect keeps them: the source connector
 * space (what was last imported from a DC), the metaverse (Entra ID's view, in Entra's attribute
 * names) and the managed-domain connector space (what the managed DC holds).
 */

export type ObjectType = 'user' | 'group';

/** An object as last imported from a source (an on-prem DC, or the tenant's cloud-only seed). */
export interface ConnectorObject {
  /** the connector: a source domain's DNS name, or 'cloud' */
  connector: string;
  /** objectGUID, dashed lower-case (the connector-space anchor) */
  guid: string;
  dn: string;
  /** imported attributes, LDAP names; binary values base64 */
  attrs: Record<string, string[]>;
  /** linked attributes (member, manager): target GUIDs, or DNs where the source gave no GUID */
  links: Record<string, string[]>;
}

/** Entra ID's view of one identity: a user or group in the metaverse. */
export interface MetaverseObject {
  objectId: string;
  objectType: ObjectType;
  /** where it comes from: `<connector>|<guid>` */
  anchor: string;
  cloudOnly: boolean;
  /** Entra ID attributes (accountEnabled, userPrincipalName, mailNickname, ...) */
  attributes: Record<string, string | string[] | boolean>;
  /** members (groups) and manager (users) as metaverse objectIds */
  members: string[];
  manager?: string;
  /** duplicate attribute resiliency and other per-object errors (DirSyncProvisioningErrors) */
  provisioningErrors: string[];
  /** the source values the naming rules last saw (mailNickname, userPrincipalName are sticky) */
  seen: { mailNickname?: string; userPrincipalName?: string };
}

/** What the managed DC holds for a metaverse object, as last written or read back. */
export interface ManagedObject {
  objectId: string;
  objectType: ObjectType;
  dn: string;
  /** the CN the rules asked for (the RDN may carry a suffix that makes it unique) */
  cn: string;
  sAMAccountName: string;
  /** the mapped attributes as the managed DC has them; member and manager as metaverse objectIds */
  attrs: Record<string, string[]>;
}

export type RunStatus = 'success' | 'completed-export-errors' | 'stopped-deletion-threshold-exceeded' | 'stopped-server-down' | 'stopped-error' | 'staging';

export interface RunCounts {
  adds: number;
  updates: number;
  deletes: number;
}

export interface RunError {
  object: string;
  stage: 'import' | 'sync' | 'export';
  error: string;
}

/** One sync cycle, as the run history lists it. */
export interface RunRecord {
  run: number;
  profile: 'delta' | 'full';
  trigger: string;
  started: string;
  ms: number;
  /** milliseconds spent importing, synchronizing and exporting */
  stageMs: { import: number; sync: number; export: number; passwords: number };
  status: RunStatus;
  import: RunCounts;
  sync: RunCounts & { filtered: number };
  export: RunCounts & { renames: number };
  /** password hash sync: users whose hashes reached the managed domain, and those waiting */
  passwords: { synced: number; pending: number };
  errors: RunError[];
  message?: string;
}
