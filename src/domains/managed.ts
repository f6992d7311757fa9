import type { DomainPersonality } from './personality.js';
import { managedDomainAccess } from './managedAccess.js';

/** The account the sync writes the managed domain with (seed/aadds.ldif). */
export const SYNC_ACCOUNT = 'AADDSSync';
export const DC_ADMINISTRATORS = 'AAD DC Administrators';

/**
 * aaddscontoso.com: the Microsoft Entra Domain Services managed domain (entra.md section 3).
 * Same engine as the on-prem DC; its own SID, layout, policy and access rules.
 */
export const aaddscontoso: DomainPersonality = {
  dnsName: 'aaddscontoso.com',
  netbiosName: 'AADDSCONTOSO',
  // Two DCs with made-up names: Microsoft names and rotates them, so apps must use the domain name.
  dcNames: { random: 2 },
  seedFiles: ['ad-domain.ldif', 'aadds.ldif'],
  serviceAccounts: [SYNC_ACCOUNT],
  builtInAdministrator: false,
  receivesPasswordHashes: true,
  // The built-in policy AADDSSTFPSO applies to every user: 5 bad passwords in 2 minutes lock for
  // 30 minutes; passwords expire after 90 days (password-policy.md).
  domainPolicy: {
    lockoutThreshold: '5',
    lockOutObservationWindow: '-1200000000',
    lockoutDuration: '-18000000000',
    maxPwdAge: '-77760000000000',
  },
  access: (domain, directory) => managedDomainAccess(domain, { syncAccount: SYNC_ACCOUNT, dcAdministratorsSid: () => directory.sidOf(DC_ADMINISTRATORS) }),
};
