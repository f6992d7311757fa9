import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DomainController } from './ad/domainController.js';
import { loadCertificateFile, loadOrCreateDevCertificate, type TlsMaterial } from './ldap/certificate.js';
import { DirectoryServer } from './ldap/server.js';
import { contoso } from './domains/onprem.js';
import { openDomain, type DomainCredentials } from './domains/openDomain.js';
import type { DomainPersonality } from './domains/personality.js';
import { createLogger, type LogLevel } from './log.js';
import { DEFAULT_TOMBSTONE_LIFETIME_DAYS } from './ad/tombstones.js';

export interface EmulatorOptions {
  /** listen address; loopback by default */
  host?: string;
  /** on-prem DC ports; 0 picks a free port (tests) */
  ldapPort?: number;
  ldapsPort?: number;
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
}

export interface DomainEndpoint {
  dnsName: string;
  netbiosName: string;
  baseDn: string;
  ldapUrl: string;
  ldapsUrl?: string;
  /** the development CA to trust for LDAPS and StartTLS (LDAPTLS_CACERT=...) */
  caFile?: string;
  admin: { dn: string; upn: string; password: string };
}

export interface RunningEmulator {
  onprem: DomainEndpoint;
  dataDir: string;
  /** the on-prem DC's directory service, for tests and the CLI */
  onpremDc: DomainController;
  onpremCredentials: DomainCredentials;
  stop(): Promise<void>;
}

export const DEFAULT_ADMIN_PASSWORD = 'Passw0rd!';

/** Starts the estate: today the on-prem contoso.com DC, served over LDAP, LDAPS and StartTLS. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'dsemu-'));
  const log = createLogger(options.logLevel ?? 'info');
  const adminPassword = options.adminPassword ?? DEFAULT_ADMIN_PASSWORD;

  const { dc, credentials } = openDomain({ dataDir, personality: contoso, adminPassword, log, clock: options.clock, lockoutThreshold: options.lockoutThreshold });
  const tls = tlsFor(contoso, dataDir, host, options.certificate);
  const server = new DirectoryServer({ dc, log: log.child({ dc: contoso.dnsName }), host, ldapPort: options.ldapPort ?? 10389, ldapsPort: options.ldapsPort ?? 10636, tls, referrals: options.referrals });
  let listening;
  try {
    listening = await server.listen();
  } catch (e) {
    await server.close();
    await dc.close();
    throw e;
  }
  // Garbage collection of tombstones: at start and every hour, as AD's runs every 12 hours.
  const lifetime = options.tombstoneLifetimeDays ?? DEFAULT_TOMBSTONE_LIFETIME_DAYS;
  dc.purgeTombstones(lifetime);
  const purge = setInterval(() => dc.purgeTombstones(lifetime), 3_600_000);
  purge.unref();
  log.info({ ldap: listening.ldapUrl, ldaps: listening.ldapsUrl, baseDn: dc.domain.dn }, `${contoso.dnsName} DC listening`);

  return {
    dataDir,
    onpremDc: dc,
    onpremCredentials: credentials,
    onprem: {
      dnsName: dc.domain.dnsName,
      netbiosName: dc.domain.netbiosName,
      baseDn: dc.domain.dn,
      ldapUrl: listening.ldapUrl,
      ldapsUrl: listening.ldapsUrl,
      caFile: tls.caFile,
      admin: { dn: `CN=Administrator,CN=Users,${dc.domain.dn}`, upn: `Administrator@${dc.domain.dnsName}`, password: adminPassword },
    },
    async stop() {
      clearInterval(purge);
      await server.close();
      await dc.close();
      if (temporary) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function tlsFor(personality: DomainPersonality, dataDir: string, host: string, certificate: EmulatorOptions['certificate']): TlsMaterial {
  if (certificate) return loadCertificateFile(certificate.file, { keyFile: certificate.keyFile, password: certificate.password });
  const fqdn = `${personality.dcName}.${personality.dnsName}`.toLowerCase();
  const ip = /^[\d.]+$|:/.test(host) ? [host] : [];
  return loadOrCreateDevCertificate({
    dataDir,
    name: personality.dnsName,
    commonName: fqdn,
    dnsNames: [...new Set([fqdn, personality.dnsName, 'localhost', ...(ip.length ? [] : [host])])],
    ipAddresses: [...new Set(['127.0.0.1', ...ip])],
  });
}
