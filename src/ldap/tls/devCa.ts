/**
 * The development CA: one per data directory, so clients trust a single file
 * (<dataDir>/dev-ca.pem). Its key, followed by a copy of its certificate, is
 * <dataDir>/tls/dev-ca.key (0600): the single commit point of its creation, so
 * key and certificate never disagree.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { join } from 'node:path';
import forge from 'node-forge';
import { createExclusive, readText, writeAtomic } from './files.js';
import { DAY_MS, ORGANIZATION, RENEW_BEFORE_MS, addYears, expiresWithin, generateRsaKey, normalizePem, randomSerial } from './issuing.js';
import { errorMessage, exportKey, pemBlocks } from './material.js';

const CA_COMMON_NAME = 'dsemu development CA';
const CA_YEARS = 10;

export interface DevCa {
  keyPem: string;
  certPem: string;
  certFile: string;
  x509: X509Certificate;
  forgeKey: forge.pki.rsa.PrivateKey;
  forgeCert: forge.pki.Certificate;
}

/** Loads the data directory's CA, or creates it (RSA 2048, 10 years); one about to expire is replaced. */
export function loadOrCreateCa(dataDir: string, now: Date): DevCa {
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
