import type { StoredEntry } from '../directory/entry.js';
import { isDescendantOrSelf, normalizeDn } from '../directory/dn.js';
import type { AccessPolicy, AccessRequest } from '../ad/acl.js';
import type { DomainIdentity } from '../ad/domain.js';
import type { Principal } from '../ad/principal.js';

/** The containers Domain Services builds; everything else under the root is a custom OU. */
const BUILT_IN = ['OU=AADDC Users', 'OU=AADDC Computers', 'OU=Domain Controllers', 'CN=Users', 'CN=Builtin', 'CN=Computers', 'CN=System', 'CN=ForeignSecurityPrincipals', 'CN=Managed Service Accounts', 'CN=Program Data', 'CN=LostAndFound', 'CN=Deleted Objects'];

export interface ManagedAccessOptions {
  /** the sync principal's sAMAccountName */
  syncAccount: string;
  /** the SID of AAD DC Administrators, once provisioned */
  dcAdministratorsSid: () => string | undefined;
}

/**
 * Who may do what in a managed domain (entra.md 3.2; create-ou.md, synchronization.md):
 * authenticated users read; only the sync principal writes AADDC Users (synced objects are
 * read-only to everyone else); AAD DC Administrators create custom OUs anywhere under the root,
 * manage what is inside custom OUs, and join computers to AADDC Computers. Nobody is a Domain Admin.
 */
export function managedDomainAccess(domain: DomainIdentity, options: ManagedAccessOptions): AccessPolicy {
  const rootKey = normalizeDn(domain.dn);
  const builtIn = BUILT_IN.map((rdn) => normalizeDn(`${rdn},${domain.dn}`));
  const aaddcUsers = builtIn[0]!;
  const aaddcComputers = builtIn[1]!;
  const isSync = (p: Principal): boolean => p.kind === 'system' || (p.kind === 'account' && p.sAMAccountName.toLowerCase() === options.syncAccount.toLowerCase());
  const isDcAdmin = (p: Principal): boolean => {
    const sid = options.dcAdministratorsSid();
    return p.kind === 'account' && sid !== undefined && p.tokenSids.has(sid);
  };
  /** inside a custom OU: below the root, and not in any built-in container */
  const inCustomOu = (dnKey: string): boolean => dnKey !== rootKey && !builtIn.some((b) => isDescendantOrSelf(dnKey, b));
  const inSynced = (dnKey: string): boolean => isDescendantOrSelf(dnKey, aaddcUsers);

  const canWrite = (request: AccessRequest): boolean => {
    if (request.principal.kind === 'system') return true;
    const key = normalizeDn(request.target?.dn ?? request.dn);
    if (inSynced(key)) return isSync(request.principal) && key !== aaddcUsers;
    if (isSync(request.principal)) return false;
    if (!isDcAdmin(request.principal)) return false;
    const classes = request.objectClasses.map((c) => c.toLowerCase());
    const parentKey = request.parent ? normalizeDn(request.parent.dn) : '';
    // A new custom OU may go anywhere under the root, and inside custom OUs.
    if (request.operation === 'add' && classes.includes('organizationalunit') && (parentKey === rootKey || inCustomOu(parentKey))) return true;
    // Domain join: computer accounts in AADDC Computers.
    if (classes.includes('computer') && isDescendantOrSelf(key, aaddcComputers) && key !== aaddcComputers) return true;
    // A move keeps an object within custom OUs.
    if (request.operation === 'rename' && parentKey && !inCustomOu(parentKey)) return false;
    return inCustomOu(key);
  };

  return {
    canRead: (principal) => principal.kind !== 'anonymous',
    canWrite,
    canResetPassword: (principal, target: StoredEntry) => {
      if (principal.kind === 'system') return true;
      const key = normalizeDn(target.dn);
      if (inSynced(key)) return isSync(principal);
      return isDcAdmin(principal) && inCustomOu(key);
    },
    // The managed domain replicates to nobody (it never writes anything back anywhere).
    canReplicate: (principal) => principal.kind === 'system',
    canReplicateSecrets: () => false,
    // Synced users arrive before their hashes (which come on their own channel).
    writesReplicatedState: (principal) => isSync(principal),
  };
}
