import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { onPremisesAccess } from '../ad/acl.js';
import type { DomainPersonality } from './personality.js';
import { SEED_DIR } from './seedDir.js';

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

/**
 * Another on-prem forest the agent reads (dsemu start --forest fabrikam.com): the same shape as
 * contoso.com, seeded from seed/<first label>.ldif, which must define its MSOL_ account.
 */
export function onPremisesForest(dnsName: string): DomainPersonality {
  if (dnsName.toLowerCase() === contoso.dnsName) return contoso;
  const label = dnsName.split('.')[0]!.toLowerCase();
  const seed = `${label}.ldif`;
  if (!existsSync(join(SEED_DIR, seed))) throw new Error(`no seed for the forest ${dnsName}: seed/${seed} does not exist`);
  return {
    dnsName: dnsName.toLowerCase(),
    netbiosName: label.toUpperCase().slice(0, 15),
    dcNames: ['DC1'],
    seedFiles: ['ad-domain.ldif', seed],
    serviceAccounts: [MSOL_ACCOUNT],
    access: (domain) => onPremisesAccess(domain, () => [MSOL_ACCOUNT]),
  };
}
