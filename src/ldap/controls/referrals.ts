import { configurationDn } from '../../ad/domain.js';
import { resolveObject } from '../../ad/resolve.js';
import type { SearchScope } from '../../ad/operations/search.js';
import type { RequestControl } from '../protocol/requests.js';
import type { Session } from '../session.js';
import { Controls } from './oids.js';
import { hasControl } from './registry.js';

interface ScopedSearch {
  base: string;
  scope: SearchScope;
  controls: readonly RequestControl[];
}

/**
 * The SearchResultReferences AD sends after the entries of a search based at the domain NC head:
 * the naming contexts below it, in the order Windows sends them (ForestDnsZones, DomainDnsZones,
 * Configuration), with the connection's scheme (ad-ldap.md 4; cannatag/ldap3#936). A one-level
 * search gets them with `??base`, as Windows answers (and Samba). None with the domain scope
 * control (LDAP_SERVER_DOMAIN_SCOPE_OID, trinodb/trino-gateway#1197), nor when the DC was started
 * without referrals (`--no-referrals`) for apps that chase them badly.
 * Samba 4.17 differs: Configuration, DomainDnsZones, ForestDnsZones, all on the domain's host name.
 */
export function continuationReferences(session: Session, request: ScopedSearch): string[] {
  if (session.host.referrals === false || request.scope === 'base') return [];
  if (hasControl(request.controls, Controls.domainScope)) return [];
  const dc = session.host.dc;
  let base;
  try {
    base = resolveObject(dc, request.base);
  } catch {
    return [];
  }
  if (!base || base.parent !== '') return [];
  const domain = dc.domain;
  // Samba and Windows write the scheme of the listener: ldaps:// on LDAPS (ldap3#936).
  const scheme = session.implicitTls ? 'ldaps' : 'ldap';
  const suffix = request.scope === 'one' ? '??base' : '';
  // contoso.com is its forest's root domain: the forest-wide NCs hang below the same DN.
  return [
    `${scheme}://ForestDnsZones.${domain.dnsName}/DC=ForestDnsZones,${domain.dn}${suffix}`,
    `${scheme}://DomainDnsZones.${domain.dnsName}/DC=DomainDnsZones,${domain.dn}${suffix}`,
    `${scheme}://${domain.dnsName}/${configurationDn(domain)}${suffix}`,
  ];
}
