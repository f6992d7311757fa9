import type { AccessPolicy } from '../ad/acl.js';
import type { DomainIdentity } from '../ad/domain.js';

/**
 * What makes one domain controller this domain and not another: names, the seed it is built
 * from, and who may do what. The engine (directory, ad, ldap) is the same for every domain.
 */
export interface DomainPersonality {
  readonly dnsName: string;
  readonly netbiosName: string;
  /** host name of the DC this emulator plays */
  readonly dcName: string;
  /** LDIF files in seed/, loaded in this order on first start; ${domainDn} & co. are substituted */
  readonly seedFiles: readonly string[];
  /** sAMAccountNames that hold DS-Replication-Get-Changes(-All) besides the administrators */
  readonly replicationPrincipals: readonly string[];
  access(domain: DomainIdentity): AccessPolicy;
}

/** DC=contoso,DC=com from contoso.com. */
export function domainDnOf(dnsName: string): string {
  return dnsName.split('.').map((label) => `DC=${label}`).join(',');
}
