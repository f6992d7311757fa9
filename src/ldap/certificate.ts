/**
 * The certificate a domain controller serves on LDAPS and StartTLS.
 *
 * Either the user gives one (PEM bundle, PEM cert + key file, or PKCS#12), or
 * a development certificate is generated into the data directory on first
 * start and reused afterwards. Development certificates are issued by one
 * development CA per data directory, so clients need to trust a single file:
 *
 *   LDAPTLS_CACERT=<dataDir>/dev-ca.pem ldapsearch -ZZ ...
 *
 * Files:
 *   <dataDir>/dev-ca.pem          CA certificate (public, for clients)
 *   <dataDir>/tls/dev-ca.key      CA private key, followed by a copy of the CA
 *                                 certificate (0600). This file is the single
 *                                 commit point of CA creation, so key and
 *                                 certificate can never disagree.
 *   <dataDir>/tls/<name>.key      server private key (0600)
 *   <dataDir>/tls/<name>.pem      server certificate
 *
 * RSA keys come from node:crypto; node-forge only builds and signs X.509
 * certificates and reads PKCS#12.
 */
import {
  X509Certificate,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import {
  linkSync,
  mkdirSync,
  openSync,
  closeSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { isIP } from 'node:net';
import { extname, join } from 'node:path';
import forge from 'node-forge';

export interface TlsMaterial {
  key: string;
  cert: string;
  /** PEM of the issuing CA(s), for clients to trust */
  ca: string;
  /** where the CA PEM is on disk, when there is a file */
  caFile?: string;
}

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

const CA_COMMON_NAME = 'dsemu development CA';
const ORGANIZATION = 'dsemu';
const DAY_MS = 24 * 60 * 60 * 1000;
const RENEW_BEFORE_MS = 30 * DAY_MS;
const CA_YEARS = 10;
const SERVER_YEARS = 2;

// ---------------------------------------------------------------------------
// Development certificate

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

interface DevCa {
  keyPem: string;
  certPem: string;
  certFile: string;
  x509: X509Certificate;
  forgeKey: forge.pki.rsa.PrivateKey;
  forgeCert: forge.pki.Certificate;
}

function loadOrCreateCa(dataDir: string, now: Date): DevCa {
  const certFile = join(dataDir, 'dev-ca.pem');
  const keyFile = join(dataDir, 'tls', 'dev-ca.key');

  let ca = readStoredCa(keyFile, certFile);
  if (ca && expiresWithin(ca.forgeCert, now, RENEW_BEFORE_MS)) {
    // An expiring CA is replaced; every server certificate is then reissued
    // because it no longer verifies against the new CA.
    const renewed = createCa(now, certFile);
    writeAtomic(keyFile, renewed.keyPem + renewed.certPem, 0o600);
    ca = renewed;
  } else if (!ca) {
    const created = createCa(now, certFile);
    if (createExclusive(keyFile, created.keyPem + created.certPem, 0o600)) {
      ca = created;
    } else {
      // Another process created the CA meanwhile: use theirs.
      ca = readStoredCa(keyFile, certFile);
      if (!ca) throw new Error(`Development CA key ${keyFile} appeared but cannot be read`);
    }
  }

  if (readText(certFile) !== ca.certPem) writeAtomic(certFile, ca.certPem, 0o644);
  return ca;
}

/** null when there is no CA yet; throws when the files exist but are unusable. */
function readStoredCa(keyFile: string, certFile: string): DevCa | null {
  const keyText = readText(keyFile);
  if (keyText === null) return null;
  const problem = (reason: string): Error =>
    new Error(
      `Development CA ${keyFile}: ${reason}. Delete ${keyFile} and ${certFile} to generate a new CA ` +
        '(clients will then need to trust the new dev-ca.pem).',
    );

  const keyBlock = pemBlocks(keyText).find((b) => b.type.endsWith('PRIVATE KEY'));
  if (!keyBlock) throw problem('no private key in the file');
  // The certificate normally follows the key in the same file; a key-only
  // file (e.g. a CA the user dropped in) takes the certificate from dev-ca.pem.
  let certBlock = pemBlocks(keyText).find((b) => b.type === 'CERTIFICATE');
  if (!certBlock) certBlock = pemBlocks(readText(certFile) ?? '').find((b) => b.type === 'CERTIFICATE');
  if (!certBlock) throw problem(`no CA certificate in the file nor in ${certFile}`);

  try {
    const keyObject = createPrivateKey(keyBlock.pem);
    const x509 = new X509Certificate(certBlock.pem);
    if (!x509.checkPrivateKey(keyObject)) throw new Error('the key does not match the CA certificate');
    const keyPem = exportKey(keyObject);
    return {
      keyPem,
      certPem: x509.toString(),
      certFile,
      x509,
      forgeKey: forge.pki.privateKeyFromPem(keyPem),
      forgeCert: forge.pki.certificateFromPem(certBlock.pem),
    };
  } catch (error) {
    throw problem(errorMessage(error));
  }
}

function createCa(now: Date, certFile: string): DevCa {
  const { keyPem, publicPem } = generateRsaKey();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = new Date(now.getTime() - DAY_MS);
  cert.validity.notAfter = addYears(now, CA_YEARS);
  const subject = [
    { name: 'commonName', value: CA_COMMON_NAME },
    { name: 'organizationName', value: ORGANIZATION },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forgeKey, forge.md.sha256.create());
  const certPem = normalizePem(forge.pki.certificateToPem(cert));
  return { keyPem, certPem, certFile, x509: new X509Certificate(certPem), forgeKey, forgeCert: cert };
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

// --- subject alternative names, normalized as 'DNS:<lowercase>' / 'IP:<hex bytes>'

function wantedSans(dnsNames: string[], ipAddresses: string[]): string[] {
  const sans = new Set<string>();
  for (const name of dnsNames) {
    const trimmed = name.trim().toLowerCase();
    if (trimmed) sans.add(`DNS:${trimmed}`);
  }
  for (const ip of ipAddresses) {
    const hex = ipToHex(ip.trim());
    if (hex === null) throw new Error(`Not an IP address for the TLS certificate: '${ip}'`);
    sans.add(`IP:${hex}`);
  }
  if (sans.size === 0) throw new Error('A TLS certificate needs at least one DNS name or IP address');
  return [...sans].sort();
}

function storedSans(cert: forge.pki.Certificate): string[] {
  const ext = cert.getExtension('subjectAltName') as { altNames?: unknown } | undefined;
  if (!ext || !Array.isArray(ext.altNames)) return [];
  const sans = new Set<string>();
  for (const entry of ext.altNames as Array<{ type?: unknown; value?: unknown }>) {
    if (typeof entry.value !== 'string') continue;
    if (entry.type === 2) sans.add(`DNS:${entry.value.toLowerCase()}`);
    else if (entry.type === 7) sans.add(`IP:${forge.util.bytesToHex(entry.value)}`);
    else sans.add(`other:${entry.type}:${entry.value}`);
  }
  return [...sans].sort();
}

function sanToAltName(san: string): { type: number; value: string } {
  if (san.startsWith('DNS:')) return { type: 2, value: san.slice(4) };
  return { type: 7, value: forge.util.hexToBytes(san.slice(3)) };
}

/** Canonical hex of an IPv4 (4 bytes) or IPv6 (16 bytes) address, or null. */
function ipToHex(ip: string): string | null {
  const version = isIP(ip);
  if (version === 4) return ip.split('.').map((p) => Number(p).toString(16).padStart(2, '0')).join('');
  if (version !== 6) return null;
  let text = ip.split('%')[0] ?? ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const hex = ipToHex(v4[1]) ?? '';
    text = `${text.slice(0, -v4[1].length)}${hex.slice(0, 4)}:${hex.slice(4)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...fill, ...tailGroups].map((g) => g.padStart(4, '0').toLowerCase()).join('');
}

// ---------------------------------------------------------------------------
// User-supplied certificate

/** A certificate given by the user: a PEM file holding certificate (+chain) and key, or a PEM cert file plus a key file, or a PKCS#12 .pfx/.p12 with a password (as Entra Domain Services takes it). Throws an Error naming the file and the reason when unreadable, wrong password, no private key, or the key doesn't match the certificate. */
export function loadCertificateFile(path: string, options: { keyFile?: string; password?: string } = {}): TlsMaterial {
  const data = readFileOrThrow(path, 'certificate');
  const pkcs12 = ['.pfx', '.p12'].includes(extname(path).toLowerCase()) || !looksLikePem(data);
  const contents = pkcs12 ? readPkcs12(path, data, options.password) : readPemBundle(path, data, options.password);

  if (options.keyFile) {
    const keyData = readFileOrThrow(options.keyFile, 'key');
    contents.keys = readKeys(options.keyFile, keyData, options.password);
    if (contents.keys.length === 0) throw new Error(`TLS key file ${options.keyFile}: no private key found`);
  }
  if (contents.certs.length === 0) throw new Error(`TLS certificate file ${path}: no certificate found`);
  if (contents.keys.length === 0) {
    throw new Error(`TLS certificate file ${path}: no private key found (give the key in the same file or as a separate key file)`);
  }

  for (const key of contents.keys) {
    const leaf = contents.certs.find((cert) => cert.checkPrivateKey(key));
    if (!leaf) continue;
    const chain = contents.certs.filter((cert) => cert !== leaf);
    const selfSigned = leaf.checkIssued(leaf) && leaf.verify(leaf.publicKey);
    const ca = chain.length > 0 ? chain : selfSigned ? [leaf] : [];
    return {
      key: exportKey(key),
      cert: [leaf, ...chain].map((c) => c.toString()).join(''),
      ca: ca.map((c) => c.toString()).join(''),
    };
  }
  const keyOwner = options.keyFile ? `key file ${options.keyFile}` : 'private key';
  throw new Error(`TLS certificate file ${path}: the ${keyOwner} does not match the certificate`);
}

interface CertificateContents {
  certs: X509Certificate[];
  keys: KeyObject[];
}

function readPemBundle(path: string, data: Buffer, password: string | undefined): CertificateContents {
  const blocks = pemBlocks(data.toString('utf8'));
  const certs: X509Certificate[] = [];
  for (const block of blocks.filter((b) => b.type === 'CERTIFICATE')) {
    try {
      certs.push(new X509Certificate(block.pem));
    } catch (error) {
      throw new Error(`TLS certificate file ${path}: unreadable certificate: ${errorMessage(error)}`);
    }
  }
  return { certs, keys: readKeys(path, data, password) };
}

/** Private keys from a PEM file (any number of blocks) or a DER PKCS#8/PKCS#1 file. */
function readKeys(path: string, data: Buffer, password: string | undefined): KeyObject[] {
  if (!looksLikePem(data)) {
    for (const type of ['pkcs8', 'pkcs1'] as const) {
      try {
        return [createPrivateKey({ key: data, format: 'der', type, passphrase: password })];
      } catch {
        // try the next encoding
      }
    }
    throw new Error(`TLS key file ${path}: not a PEM or DER private key`);
  }
  return pemBlocks(data.toString('utf8'))
    .filter((b) => b.type.endsWith('PRIVATE KEY'))
    .map((block) => {
      try {
        return createPrivateKey({ key: block.pem, passphrase: password });
      } catch (error) {
        throw new Error(`TLS key file ${path}: cannot read the private key: ${keyErrorReason(error, password)}`);
      }
    });
}

function keyErrorReason(error: unknown, password: string | undefined): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_MISSING_PASSPHRASE') return 'the key is encrypted and no password was given';
  const message = errorMessage(error);
  if (password !== undefined && /decrypt|passphrase|password/i.test(message)) return 'wrong password';
  return message;
}

function readPkcs12(path: string, data: Buffer, password: string | undefined): CertificateContents {
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(data.toString('binary')), false);
  } catch {
    throw new Error(`TLS certificate file ${path}: neither PEM nor PKCS#12 (.pfx/.p12)`);
  }

  // Without a password, PKCS#12 tools use either "no password" or "empty
  // password" (they derive different keys), so try both.
  const candidates: Array<string | undefined> = password === undefined ? [undefined, ''] : [password];
  let pfx: forge.pkcs12.Pkcs12Pfx | undefined;
  let failure: unknown;
  for (const candidate of candidates) {
    try {
      pfx = forge.pkcs12.pkcs12FromAsn1(asn1, false, candidate);
      break;
    } catch (error) {
      failure = error;
    }
  }
  if (!pfx) {
    const message = errorMessage(failure);
    if (/password|MAC could not be verified|decrypt/i.test(message)) {
      const reason = password === undefined ? 'a password is required' : 'wrong password';
      throw new Error(`TLS certificate file ${path}: ${reason} (or the PKCS#12 file is corrupt)`);
    }
    throw new Error(`TLS certificate file ${path}: cannot read PKCS#12: ${message}`);
  }

  const contents: CertificateContents = { certs: [], keys: [] };
  const { certBag, keyBag, pkcs8ShroudedKeyBag } = forge.pki.oids;
  try {
    for (const safe of pfx.safeContents) {
      for (const bag of safe.safeBags) {
        if (bag.type === certBag) {
          if (bag.cert) contents.certs.push(new X509Certificate(forge.pki.certificateToPem(bag.cert)));
          else if (bag.asn1) contents.certs.push(new X509Certificate(asn1ToDer(bag.asn1)));
        } else if (bag.type === keyBag || bag.type === pkcs8ShroudedKeyBag) {
          if (bag.key) contents.keys.push(createPrivateKey(forge.pki.privateKeyToPem(bag.key)));
          else if (bag.asn1) contents.keys.push(createPrivateKey({ key: asn1ToDer(bag.asn1), format: 'der', type: 'pkcs8' }));
        }
      }
    }
  } catch (error) {
    throw new Error(`TLS certificate file ${path}: cannot read PKCS#12 contents: ${errorMessage(error)}`);
  }
  return contents;
}

function asn1ToDer(value: forge.asn1.Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(value).getBytes(), 'binary');
}

// ---------------------------------------------------------------------------
// Helpers

interface PemBlock {
  type: string;
  pem: string;
}

function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  const pattern = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
  for (const match of text.matchAll(pattern)) {
    blocks.push({ type: match[1] ?? '', pem: `${match[0]}\n` });
  }
  return blocks;
}

function looksLikePem(data: Buffer): boolean {
  return data.toString('latin1').includes('-----BEGIN ');
}

function generateRsaKey(): { keyPem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { keyPem: privateKey, publicPem: publicKey };
}

function exportKey(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** 16 random bytes, positive as a DER INTEGER. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString('hex');
}

function addYears(date: Date, years: number): Date {
  const result = new Date(date.getTime());
  result.setUTCFullYear(result.getUTCFullYear() + years);
  return result;
}

function expiresWithin(cert: forge.pki.Certificate, now: Date, ms: number): boolean {
  return cert.validity.notAfter.getTime() - now.getTime() < ms;
}

function truncateCommonName(name: string): string {
  return name.slice(0, 64);
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

function normalizePem(pem: string): string {
  return pem.replace(/\r\n/g, '\n');
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return null;
    throw error;
  }
}

function readFileOrThrow(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : errorMessage(error);
    throw new Error(`TLS ${what} file ${path}: cannot read: ${reason}`);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function tempPath(path: string): string {
  return `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

/** Writes a temporary file and renames it over `path`, so readers never see a partial file. */
function writeAtomic(path: string, content: string, mode: number): void {
  const temp = tempPath(path);
  try {
    writeFileSync(temp, content, { mode, flag: 'wx' });
    renameSync(temp, path);
  } catch (error) {
    removeQuietly(temp);
    throw error;
  }
}

/**
 * Creates `path` with `content` only when it does not exist yet, atomically:
 * the complete temporary file is hard-linked into place, which fails when
 * another process got there first. Returns false in that case.
 */
function createExclusive(path: string, content: string, mode: number): boolean {
  const temp = tempPath(path);
  try {
    writeFileSync(temp, content, { mode, flag: 'wx' });
    try {
      linkSync(temp, path);
      return true;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
    }
    // File systems without hard links: exclusive create, then write.
    let fd: number;
    try {
      fd = openSync(path, 'wx', mode);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'EEXIST') return false;
      throw error;
    }
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    return true;
  } finally {
    removeQuietly(temp);
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
