/**
 * A certificate the user gives a DC: a PEM bundle (certificate, chain and key), a PEM
 * certificate plus a key file, or a PKCS#12 .pfx/.p12 with a password (as Entra Domain
 * Services takes it). node-forge reads PKCS#12; node:crypto everything else.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import forge from 'node-forge';
import { errorMessage, exportKey, pemBlocks, type TlsMaterial } from './material.js';

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

function looksLikePem(data: Buffer): boolean {
  return data.toString('latin1').includes('-----BEGIN ');
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
