import type { StoredEntry } from '../directory/entry.js';
import type { DomainIdentity } from './domain.js';
import { WellKnownRid, WellKnownSid, type Principal } from './principal.js';

export type WriteOperation = 'add' | 'modify' | 'delete' | 'rename';

/** What an access decision looks at: who asks, to do what, to which object, under which parent. */
export interface AccessRequest {
  principal: Principal;
  operation: WriteOperation;
  /** the object written (for add: the new DN and its classes, no stored entry yet) */
  dn: string;
  target?: StoredEntry;
  objectClasses: readonly string[];
  /** the parent the object is (or will be) under; for a move, the new parent */
  parent?: StoredEntry;
  /** attributes a modify touches, by canonical name */
  attributes?: readonly string[];
}

/**
 * The access rules of one domain personality. AD decides with security descriptors; the
 * emulator keeps the rules its personalities need as code, in one place per domain.
 */
export interface AccessPolicy {
  /** May the principal read the directory at all (beyond the rootDSE)? */
  canRead(principal: Principal): boolean;
  canWrite(request: AccessRequest): boolean;
  /** Reset (replace) another account's password: User-Force-Change-Password. */
  canResetPassword(principal: Principal, target: StoredEntry): boolean;
  /** Read changes of the whole naming context: DS-Replication-Get-Changes. */
  canReplicate(principal: Principal): boolean;
  /** Read password hashes with those changes: DS-Replication-Get-Changes-All, for the sync account only. */
  canReplicateSecrets(principal: Principal): boolean;
  /** Writes state replicated from elsewhere (the managed domain's sync): SAM's password rules do not apply. */
  writesReplicatedState?(principal: Principal): boolean;
}

/** The groups whose members administer an AD domain: Domain Admins, Enterprise Admins, Administrators. */
export function isDomainAdministrator(principal: Principal, domain: DomainIdentity): boolean {
  if (principal.kind === 'system') return true;
  if (principal.kind !== 'account') return false;
  return (
    principal.tokenSids.has(WellKnownSid.administrators) ||
    principal.tokenSids.has(`${domain.sid}-${WellKnownRid.domainAdmins}`) ||
    principal.tokenSids.has(`${domain.sid}-${WellKnownRid.enterpriseAdmins}`)
  );
}

/**
 * AD's defaults on an on-premises domain: authenticated users read; administrators (and the
 * emulator itself) write; a user changes only its own password, and only by giving the old one.
 */
export function onPremisesAccess(domain: DomainIdentity, replicationPrincipals: () => readonly string[]): AccessPolicy {
  return {
    canRead: (principal) => principal.kind !== 'anonymous',
    canWrite: (request) => isDomainAdministrator(request.principal, domain),
    canResetPassword: (principal) => isDomainAdministrator(principal, domain),
    canReplicate: (principal) => isDomainAdministrator(principal, domain) || isReplicationPrincipal(principal, replicationPrincipals()),
    // Real AD never returns hashes over LDAP, to Administrator either; the emulator's sync account
    // reads them through DirSync in place of MS-DRSR replication.
    canReplicateSecrets: (principal) => isReplicationPrincipal(principal, replicationPrincipals()),
  };
}

function isReplicationPrincipal(principal: Principal, names: readonly string[]): boolean {
  return principal.kind === 'account' && names.some((sam) => sam.toLowerCase() === principal.sAMAccountName.toLowerCase());
}
