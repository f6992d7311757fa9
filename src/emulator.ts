import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DomainController } from './ad/domainController.js';
import { loadCertificateFile } from './ldap/tls/certificateFile.js';
import { loadOrCreateDevCertificate } from './ldap/tls/devCertificate.js';
import type { TlsMaterial } from './ldap/tls/material.js';
import { DirectoryServer } from './ldap/server.js';
import { contoso, onPremisesForest } from './domains/onprem.js';
import { aaddscontoso } from './domains/managed.js';
import { ensureBootstrapAdministrator, type BootstrapAdministrator } from './domains/bootstrapAdministrator.js';
import { dcDnsHostName } from './ad/domain.js';
import type { Logger } from 'pino';
import { openDomain, type DomainCredentials } from './domains/openDomain.js';
import type { DomainPersonality } from './domains/personality.js';
import { createLogger, type LogLevel } from './log.js';
import { DEFAULT_TOMBSTONE_LIFETIME_DAYS } from './ad/tombstones.js';
import { SyncAgent } from './sync/agent.js';
import type { RunRecord } from './sync/model.js';
import type { CloudUser, NewCloudUser } from './sync/cloud/users.js';
import type { CloudPasswordOptions } from './sync/passwords/cloudPasswords.js';
import { estateSyncConfig, syncStateDir, writeEndpoints, type EstateEndpoint, type SyncOptions } from './estateSync.js';

export interface EmulatorOptions {
  /** listen address; loopback by default */
  host?: string;
  /** on-prem DC ports; 0 picks a free port (tests) */
  ldapPort?: number;
  ldapsPort?: number;
  /** the managed domain's security settings and bootstrap administrator (entra.md 3.4) */
  managedDomain?: ManagedDomainOptions;
  /** managed-domain DC ports (default 20389 and 20636; ephemeral when ldapPort is 0) */
  managedLdapPort?: number;
  managedLdapsPort?: number;
  /** where the LMDB environments, keys and certificates live; a temporary directory (removed on stop) when omitted */
  dataDir?: string;
  logLevel?: LogLevel;
  /** Administrator's password (default Passw0rd!) */
  adminPassword?: string;
  /** a TLS certificate (PEM or PFX) instead of the generated development certificate */
  certificate?: { file: string; keyFile?: string; password?: string };
  /** on-prem lockoutThreshold set on first start (default 0: no lockout, as AD) */
  lockoutThreshold?: number;
  /** the emulator's clock; tests move it instead of sleeping */
  clock?: () => Date;
  /** days a tombstone is kept before it is purged (AD's tombstoneLifetime; default 180) */
  tombstoneLifetimeDays?: number;
  /** false: no continuation references after searches at the domain root, for apps that chase them badly (default true, as AD) */
  referrals?: boolean;
  /** the sync agent from the on-prem forests to the managed domain (default: live profile); false: none */
  sync?: SyncOptions | false;
  /** more on-prem forests (seed/<label>.ldif), each a source of the agent; ports 11389/11636, 12389/... (ephemeral when ldapPort is 0) */
  forests?: string[];
}

export interface ManagedDomainOptions {
  /** NTLM password hash synchronization (default on); off, every simple bind fails, as Microsoft documents */
  ntlmPasswordSync?: boolean;
  /** TLS 1.2 only mode (default off: TLS 1.0 is allowed, as Domain Services' default) */
  tls12Only?: boolean;
  /** secure LDAP (LDAPS listener; default on here, so that apps can test it) */
  secureLdap?: boolean;
  /** the LDAPS certificate (PFX as Domain Services takes it, or PEM); default: the dev certificate, *.aaddscontoso.com */
  certificate?: { file: string; keyFile?: string; password?: string };
  /** a member of AAD DC Administrators until the sync brings one; false: none. Default dcadmin@contoso.com / Passw0rd! */
  bootstrapAdministrator?: BootstrapAdministrator | false;
}

export const DEFAULT_BOOTSTRAP_ADMINISTRATOR: BootstrapAdministrator = { userPrincipalName: 'dcadmin@contoso.com', password: 'Passw0rd!' };

export interface DomainEndpoint {
  dnsName: string;
  netbiosName: string;
  baseDn: string;
  ldapUrl: string;
  ldapsUrl?: string;
  /** the development CA to trust for LDAPS and StartTLS (LDAPTLS_CACERT=...) */
  caFile?: string;
  admin?: { dn: string; upn: string; password: string };
}

export interface RunningEmulator {
  onprem: DomainEndpoint & { admin: { dn: string; upn: string; password: string } };
  dataDir: string;
  /** the on-prem DC's directory service, for tests and the CLI */
  onpremDc: DomainController;
  onpremCredentials: DomainCredentials;
  /** the managed domain (aaddscontoso.com): the endpoint apps point at */
  managed: DomainEndpoint;
  managedDc: DomainController;
  /** the sync principal's generated password (nothing else knows it) */
  managedCredentials: DomainCredentials;
  /** the other on-prem forests (--forest), with their DCs */
  forests: { endpoint: DomainEndpoint; dc: DomainController }[];
  /** the sync agent, unless started with sync: false */
  sync?: SyncAgent;
  /** Resolves when the managed domain reflects everything committed on-prem before the call. */
  syncNow(): Promise<RunRecord>;
  /** The tenant's cloud-only users (through the sync agent) */
  cloud: CloudTenant;
  stop(): Promise<void>;
}

/** Entra ID's side of cloud-only users, as the emulator offers it. */
export interface CloudTenant {
  /** Creates a cloud-only user (no password, so no bind yet); the next cycle or syncNow() brings it to the managed domain. */
  addUser(user: NewCloudUser): Promise<CloudUser>;
  /** Sets a cloud-only user's password; its hashes reach the managed domain before this resolves. forceChange: pwdLastSet 0. */
  setPassword(userPrincipalName: string, password: string, options?: CloudPasswordOptions): Promise<void>;
}

export const DEFAULT_ADMIN_PASSWORD = 'Passw0rd!';

/** Starts the estate: the on-prem contoso.com DC and the aaddscontoso.com managed domain. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'dsemu-'));
  const log = createLogger(options.logLevel ?? 'info');
  const adminPassword = options.adminPassword ?? DEFAULT_ADMIN_PASSWORD;
  const lifetime = options.tombstoneLifetimeDays ?? DEFAULT_TOMBSTONE_LIFETIME_DAYS;
  const common = { dataDir, host, log, adminPassword, options, lifetime };

  const onprem = await serveDomain(contoso, { ...common, ldapPort: options.ldapPort ?? 10389, ldapsPort: options.ldapsPort ?? 10636, lockoutThreshold: options.lockoutThreshold });
  const served: ServedDomain[] = [onprem];
  const stopAll = async (): Promise<void> => {
    for (const domain of served.reverse()) await domain.stop();
  };
  // Ephemeral on-prem ports (tests) make the others ephemeral too, unless given.
  const ephemeral = options.ldapPort === 0;
  let managed: ServedDomain;
  let agent: SyncAgent | undefined;
  try {
    for (const [i, name] of (options.forests ?? []).entries()) {
      const offset = 1000 * (i + 1);
      served.push(await serveDomain(onPremisesForest(name), { ...common, ldapPort: ephemeral ? 0 : 10389 + offset, ldapsPort: ephemeral ? 0 : 10636 + offset }));
    }
    const settings = options.managedDomain ?? {};
    managed = await serveDomain(aaddscontoso, {
      ...common,
      ldapPort: options.managedLdapPort ?? (ephemeral ? 0 : 20389),
      ldapsPort: settings.secureLdap === false ? undefined : (options.managedLdapsPort ?? (ephemeral ? 0 : 20636)),
      ntlmHashes: settings.ntlmPasswordSync,
      tls12Only: settings.tls12Only,
      certificate: settings.certificate,
    });
    served.push(managed);
    const bootstrap = settings.bootstrapAdministrator ?? DEFAULT_BOOTSTRAP_ADMINISTRATOR;
    if (bootstrap) ensureBootstrapAdministrator(managed.dc, bootstrap);
    if (options.sync !== false) {
      const syncOptions = options.sync ?? {};
      const asSource = (d: ServedDomain): EstateEndpoint => ({ dnsName: d.endpoint.dnsName, netbiosName: d.endpoint.netbiosName, baseDn: d.endpoint.baseDn, ldapUrl: d.endpoint.ldapUrl });
      const endpoints = { sources: served.filter((d) => d !== managed).map(asSource), target: asSource(managed), options: syncOptions };
      writeEndpoints(dataDir, { pid: process.pid, ...endpoints });
      agent = new SyncAgent(estateSyncConfig(dataDir, endpoints), syncStateDir(dataDir), log.child({ component: 'sync' }));
      if (syncOptions.schedule !== false) {
        agent.start();
        void agent.syncNow().catch(() => undefined);
      }
    }
  } catch (e) {
    await agent?.stop();
    await stopAll();
    throw e;
  }

  return {
    dataDir,
    onpremDc: onprem.dc,
    onpremCredentials: onprem.credentials,
    onprem: { ...onprem.endpoint, admin: { dn: `CN=Administrator,CN=Users,${onprem.dc.domain.dn}`, upn: `Administrator@${onprem.dc.domain.dnsName}`, password: adminPassword } },
    managedDc: managed.dc,
    managedCredentials: managed.credentials,
    managed: managedEndpoint(managed, options.managedDomain?.bootstrapAdministrator === false ? undefined : (options.managedDomain?.bootstrapAdministrator ?? DEFAULT_BOOTSTRAP_ADMINISTRATOR)),
    forests: served.filter((d) => d !== onprem && d !== managed).map((d) => ({ endpoint: d.endpoint, dc: d.dc })),
    sync: agent,
    syncNow() {
      if (!agent) return Promise.reject(new Error('the emulator runs without its sync agent (sync: false)'));
      return agent.syncNow();
    },
    cloud: cloudTenant(agent),
    async stop() {
      await agent?.stop();
      await stopAll();
      if (temporary) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function cloudTenant(agent: SyncAgent | undefined): CloudTenant {
  const withAgent = async <T>(fn: (agent: SyncAgent) => T | Promise<T>): Promise<T> => {
    if (!agent) throw new Error('the emulator runs without its sync agent (sync: false): cloud-only users reach the managed domain through it');
    return fn(agent);
  };
  return {
    addUser: (user) => withAgent((a) => a.addCloudUser(user)),
    setPassword: (userPrincipalName, password, options) => withAgent((a) => a.setCloudPassword(userPrincipalName, password, options)),
  };
}

/** The managed endpoint; its admin's DN is looked up when read (the sync renames the bootstrap user when it takes it over). */
function managedEndpoint(managed: ServedDomain, admin: BootstrapAdministrator | undefined): DomainEndpoint {
  const endpoint: DomainEndpoint = { ...managed.endpoint };
  if (admin) Object.defineProperty(endpoint, 'admin', { enumerable: true, get: () => bootstrapEndpoint(managed.dc, admin) });
  return endpoint;
}

function bootstrapEndpoint(dc: DomainController, admin: BootstrapAdministrator): { dn: string; upn: string; password: string } {
  let dn = '';
  for (const guid of dc.store.lookup('userPrincipalName', admin.userPrincipalName)) dn = dc.store.byGuid(guid)?.dn ?? dn;
  return { dn, upn: admin.userPrincipalName, password: admin.password };
}

interface ServedDomain {
  dc: DomainController;
  credentials: DomainCredentials;
  endpoint: Omit<DomainEndpoint, 'admin'>;
  stop(): Promise<void>;
}

/** Opens one domain's DC and serves it over LDAP, LDAPS and StartTLS; tombstones are purged hourly. */
async function serveDomain(
  personality: DomainPersonality,
  settings: { dataDir: string; host: string; log: Logger; adminPassword: string; options: EmulatorOptions; lifetime: number; ldapPort: number; ldapsPort: number | undefined; lockoutThreshold?: number; ntlmHashes?: boolean; tls12Only?: boolean; certificate?: EmulatorOptions['certificate'] },
): Promise<ServedDomain> {
  const { dataDir, host, log, options } = settings;
  const { dc, credentials } = openDomain({ dataDir, personality, adminPassword: settings.adminPassword, log, clock: options.clock, lockoutThreshold: settings.lockoutThreshold, ntlmHashes: settings.ntlmHashes });
  const tls = tlsFor(dc, dataDir, host, settings.certificate ?? options.certificate);
  const server = new DirectoryServer({ dc, log: log.child({ dc: personality.dnsName }), host, ldapPort: settings.ldapPort, ldapsPort: settings.ldapsPort, tls, tls12Only: settings.tls12Only, referrals: options.referrals });
  let listening;
  try {
    listening = await server.listen();
  } catch (e) {
    await server.close();
    await dc.close();
    throw e;
  }
  // Garbage collection of tombstones: at start and every hour, as AD's runs every 12 hours.
  dc.purgeTombstones(settings.lifetime);
  const purge = setInterval(() => dc.purgeTombstones(settings.lifetime), 3_600_000);
  purge.unref();
  log.info({ ldap: listening.ldapUrl, ldaps: listening.ldapsUrl, baseDn: dc.domain.dn }, `${personality.dnsName} DC listening`);
  return {
    dc,
    credentials,
    endpoint: { dnsName: dc.domain.dnsName, netbiosName: dc.domain.netbiosName, baseDn: dc.domain.dn, ldapUrl: listening.ldapUrl, ldapsUrl: listening.ldapsUrl, caFile: tls.caFile },
    async stop() {
      clearInterval(purge);
      await server.close();
      await dc.close();
    },
  };
}

/** The development certificate names the DC, the domain, and a wildcard for it (Domain Services' LDAPS rule). */
function tlsFor(dc: DomainController, dataDir: string, host: string, certificate: EmulatorOptions['certificate']): TlsMaterial {
  if (certificate) return loadCertificateFile(certificate.file, { keyFile: certificate.keyFile, password: certificate.password });
  const fqdn = dcDnsHostName(dc.domain);
  const ip = /^[\d.]+$|:/.test(host) ? [host] : [];
  return loadOrCreateDevCertificate({
    dataDir,
    name: dc.domain.dnsName,
    commonName: fqdn,
    dnsNames: [...new Set([fqdn, dc.domain.dnsName, `*.${dc.domain.dnsName}`, 'localhost', ...(ip.length ? [] : [host])])],
    ipAddresses: [...new Set(['127.0.0.1', ...ip])],
  });
}
