import { childDn } from '../directory/dn.js';

/** Who a domain controller is: its domain's names and SID, and its own host name. */
export interface DomainIdentity {
  /** contoso.com */
  readonly dnsName: string;
  /** CONTOSO */
  readonly netbiosName: string;
  /** DC=contoso,DC=com */
  readonly dn: string;
  /** S-1-5-21-a-b-c */
  readonly sid: string;
  /** the DC's own host name, e.g. DC1 */
  readonly dcName: string;
}

export const SITE_NAME = 'Default-First-Site-Name';

export function configurationDn(domain: DomainIdentity): string {
  return childDn('CN=Configuration', domain.dn);
}

export function schemaDn(domain: DomainIdentity): string {
  return childDn('CN=Schema', configurationDn(domain));
}

export function subschemaDn(domain: DomainIdentity): string {
  return childDn('CN=Aggregate', schemaDn(domain));
}

export function serverDn(domain: DomainIdentity): string {
  return `CN=${domain.dcName},CN=Servers,CN=${SITE_NAME},CN=Sites,${configurationDn(domain)}`;
}

export function realm(domain: DomainIdentity): string {
  return domain.dnsName.toUpperCase();
}

export function dcDnsHostName(domain: DomainIdentity): string {
  return `${domain.dcName}.${domain.dnsName}`.toLowerCase();
}

/** The DN of the schema object a defaultObjectCategory names, e.g. CN=Person,CN=Schema,... */
export function categoryDn(domain: DomainIdentity, category: string): string {
  return childDn(`CN=${category}`, schemaDn(domain));
}
