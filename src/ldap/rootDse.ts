import type { DomainController } from '../ad/domainController.js';
import { configurationDn, dcDnsHostName, realm, schemaDn, serverDn, subschemaDn } from '../ad/domain.js';
import { generalizedTime } from '../ad/time.js';
import type { ResultAttribute } from '../ad/readView.js';
import { supportedControls } from './controls/registry.js';
import { supportedExtensions } from './handlers/extended.js';

// MS-ADTS 3.1.1.3.2 rootDSE attributes, in the order a Windows Server 2019 DC returns them
// (ad-ldap.md 1.1); only what this emulator implements is advertised.

const POLICIES = ['MaxPoolThreads', 'MaxPercentDirSyncRequests', 'MaxDatagramRecv', 'MaxReceiveBuffer', 'InitRecvTimeout', 'MaxConnections', 'MaxConnIdleTime', 'MaxPageSize', 'MaxBatchReturnMessages', 'MaxQueryDuration', 'MaxDirSyncDuration', 'MaxTempTableSize', 'MaxResultSetSize', 'MinResultSets', 'MaxResultSetsPerConn', 'MaxNotificationPerConn', 'MaxValRange', 'MaxValRangeTransitive', 'ThreadMemoryLimit', 'SystemMemoryLimitPercent'];

/** LDAP_CAP_ACTIVE_DIRECTORY_OID, _V51_, _V60_, _V61_R2_, _W8_ (MS-ADTS 3.1.1.3.4.3). */
const CAPABILITIES = ['1.2.840.113556.1.4.800', '1.2.840.113556.1.4.1670', '1.2.840.113556.1.4.1935', '1.2.840.113556.1.4.2080', '1.2.840.113556.1.4.2237'];

/** Returned only when asked for by name (Samba rootdse.c do_attribute_explicit; ad-ldap.md 1.1). */
const EXPLICIT_ONLY = new Set(['supportedextension']);

export function rootDseAttributes(dc: DomainController, requested: readonly string[]): ResultAttribute[] {
  const domain = dc.domain;
  const config = configurationDn(domain);
  const all: ResultAttribute[] = [
    { type: 'domainFunctionality', values: ['7'] },
    { type: 'forestFunctionality', values: ['7'] },
    { type: 'domainControllerFunctionality', values: ['7'] },
    { type: 'rootDomainNamingContext', values: [domain.dn] },
    { type: 'ldapServiceName', values: [`${domain.dnsName}:${domain.dcName.toLowerCase()}$@${realm(domain)}`] },
    { type: 'isGlobalCatalogReady', values: ['TRUE'] },
    { type: 'supportedLDAPVersion', values: ['3', '2'] },
    { type: 'supportedLDAPPolicies', values: POLICIES },
    { type: 'supportedControl', values: supportedControls() },
    { type: 'supportedCapabilities', values: CAPABILITIES },
    { type: 'subschemaSubentry', values: [subschemaDn(domain)] },
    { type: 'serverName', values: [serverDn(domain)] },
    { type: 'schemaNamingContext', values: [schemaDn(domain)] },
    { type: 'namingContexts', values: [domain.dn, config, schemaDn(domain), `DC=DomainDnsZones,${domain.dn}`, `DC=ForestDnsZones,${domain.dn}`] },
    { type: 'isSynchronized', values: ['TRUE'] },
    { type: 'highestCommittedUSN', values: [String(dc.highestCommittedUsn())] },
    { type: 'dsServiceName', values: [`CN=NTDS Settings,${serverDn(domain)}`] },
    { type: 'dnsHostName', values: [dcDnsHostName(domain)] },
    { type: 'defaultNamingContext', values: [domain.dn] },
    { type: 'currentTime', values: [generalizedTime(dc.now())] },
    { type: 'configurationNamingContext', values: [config] },
    { type: 'supportedExtension', values: supportedExtensions() },
  ];
  const names = requested.map((r) => r.toLowerCase()).filter((r) => r !== '');
  const everything = names.length === 0 || names.includes('*');
  return all.filter((a) => {
    const name = a.type.toLowerCase();
    return names.includes(name) || (everything && !EXPLICIT_ONLY.has(name));
  });
}
