/**
 * The development certificate a DC serves when the user gives none: generated into the data
 * directory on first start, issued by the development CA, and reused afterwards:
 *
 *   LDAPTLS_CACERT=<dataDir>/dev-ca.pem ldapsearch -ZZ ...
 *
 * Files: <dataDir>/tls/<name>.key (the server key, 0600) and <dataDir>/tls/<name>.pem.
 * RSA keys come from node:crypto; node-forge only builds and signs the X.509 certificates.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { loadOrCreateCa, type DevCa } from './devCa.js';
import { readText, writeAtomic } from './files.js';
import { DAY_MS, ORGANIZATION, RENEW_BEFORE_MS, addYears, expiresWithin, generateRsaKey, normalizePem, randomSerial, truncateCommonName } from './issuing.js';
import type { TlsMaterial } from './material.js';
import { sanToAltName, storedSans, wantedSans } from './subjectAltNames.js';

const SERVER_YEARS = 2;

export interface DevCertificateOptions {
  dataDir: string;
  /** file-name stem, e.g. 'contoso.com' -> <dataDir>/tls/contoso.com.pem and .key */
  name: string;
  dnsNames: string[];
  ipAddresses: string[];
  commonName: string;
  /** injectable clock */
  now?: Date;
}

/** Loads <dataDir>/dev-ca.pem (+ <dataDir>/tls/dev-ca.key, mode 0600) or creates it (RSA 2048, 10 years, CN 'dsemu development CA'), then loads or creates the server certificate signed by it (RSA 2048, valid 2 years from now-1 day, keyUsage digitalSignature+keyEncipherment, extKeyUsage serverAuth, SAN = dnsNames + ipAddresses). Regenerates the server certificate when the wanted SANs differ from the stored ones or it expires within 30 days. */
export function loadOrCreateDevCertificate(options: DevCertificateOptions): TlsMaterial {
  const now = options.now ?? new Date();
  const stem = fileStem(options.name);
  const wanted = wantedSans(options.dnsNames, options.ipAddresses);
  const tlsDir = join(options.dataDir, 'tls');
  mkdirSync(tlsDir, { recursive: true, mode: 0o700 });

  const ca = loadOrCreateCa(options.dataDir, now);
  const keyPath = join(tlsDir, `${stem}.key`);
  const certPath = join(tlsDir, `${stem}.pem`);

  const stored = readStoredServer(keyPath, certPath);
  if (stored && serverIsCurrent(stored, ca, wanted, options.commonName, now)) {
    return { key: stored.keyPem, cert: stored.certPem, ca: ca.certPem, caFile: ca.certFile };
  }

  const fresh = createServerCertificate(ca, wanted, options.commonName, now);
  writeAtomic(keyPath, fresh.keyPem, 0o600);
  writeAtomic(certPath, fresh.certPem, 0o644);
  return { key: fresh.keyPem, cert: fresh.certPem, ca: ca.certPem, caFile: ca.certFile };
}

interface StoredServer {
  keyPem: string;
  certPem: string;
  x509: X509Certificate;
  forgeCert: forge.pki.Certificate;
}

/** null when missing or unreadable (it is then simply regenerated). */
function readStoredServer(keyPath: string, certPath: string): StoredServer | null {
  const keyText = readText(keyPath);
  const certText = readText(certPath);
  if (keyText === null || certText === null) return null;
  try {
    const keyObject = createPrivateKey(keyText);
    const x509 = new X509Certificate(certText);
    if (!x509.checkPrivateKey(keyObject)) return null;
    return { keyPem: keyText, certPem: certText, x509, forgeCert: forge.pki.certificateFromPem(certText) };
  } catch {
    return null;
  }
}

function serverIsCurrent(
  stored: StoredServer,
  ca: DevCa,
  wanted: string[],
  commonName: string,
  now: Date,
): boolean {
  if (!stored.x509.checkIssued(ca.x509) || !stored.x509.verify(ca.x509.publicKey)) return false;
  if (expiresWithin(stored.forgeCert, now, RENEW_BEFORE_MS)) return false;
  if (stored.forgeCert.validity.notBefore.getTime() > now.getTime()) return false;
  const cn = stored.forgeCert.subject.getField('CN') as { value?: unknown } | null;
  if (cn?.value !== truncateCommonName(commonName)) return false;
  return sameList(storedSans(stored.forgeCert), wanted);
}

function createServerCertificate(
  ca: DevCa,
  wanted: string[],
  commonName: string,
  now: Date,
): { keyPem: string; certPem: string } {
  const { keyPem, publicPem } = generateRsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = new Date(now.getTime() - DAY_MS);
  const notAfter = addYears(now, SERVER_YEARS);
  const caNotAfter = ca.forgeCert.validity.notAfter;
  cert.validity.notAfter = notAfter.getTime() > caNotAfter.getTime() ? caNotAfter : notAfter;
  cert.setSubject([
    { name: 'commonName', value: truncateCommonName(commonName) },
    { name: 'organizationName', value: ORGANIZATION },
  ]);
  cert.setIssuer(ca.forgeCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: wanted.map(sanToAltName) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caKeyIdentifier(ca.forgeCert) },
  ]);
  cert.sign(ca.forgeKey, forge.md.sha256.create());
  return { keyPem, certPem: normalizePem(forge.pki.certificateToPem(cert)) };
}

function caKeyIdentifier(caCert: forge.pki.Certificate): string {
  const ext = caCert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: unknown } | undefined;
  if (ext && typeof ext.subjectKeyIdentifier === 'string') return forge.util.hexToBytes(ext.subjectKeyIdentifier);
  return caCert.generateSubjectKeyIdentifier().getBytes();
}

function fileStem(name: string): string {
  const stem = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  if (!stem) throw new Error('The TLS certificate file name is empty');
  if (stem === 'dev-ca') throw new Error("'dev-ca' is reserved for the development CA");
  return stem;
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
