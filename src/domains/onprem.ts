import { onPremisesAccess } from '../ad/acl.js';
import type { DomainPersonality } from './personality.js';

/** The Entra Connect sync account of the seed (seed/contoso.ldif), the replication principal. */
export const MSOL_ACCOUNT = 'MSOL_c778af008d92';

/** contoso.com: the on-premises AD domain of the estate. */
export const contoso: DomainPersonality = {
  dnsName: 'contoso.com',
  netbiosName: 'CONTOSO',
  dcNames: ['DC1'],
  seedFiles: ['ad-domain.ldif', 'contoso.ldif', 'contoso-bulk.ldif'],
  serviceAccounts: [MSOL_ACCOUNT],
  access: (domain) => onPremisesAccess(domain, () => [MSOL_ACCOUNT]),
};
