import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import forge from 'node-forge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCertificateFile } from '../../src/ldap/tls/certificateFile.js';
import { loadOrCreateDevCertificate, type DevCertificateOptions } from '../../src/ldap/tls/devCertificate.js';
import type { TlsMaterial } from '../../src/ldap/tls/material.js';

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'dsemu-cert-'));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

function options(overrides: Partial<DevCertificateOptions> = {}): DevCertificateOptions {
  return {
    dataDir,
    name: 'contoso.com',
    dnsNames: ['dc1.contoso.com', 'contoso.com', 'localhost'],
    ipAddresses: ['127.0.0.1'],
    commonName: 'dc1.contoso.com',
    ...overrides,
  };
}

function caOf(material: TlsMaterial): X509Certificate {
  return new X509Certificate(material.ca);
}

describe('loadOrCreateDevCertificate', () => {
  it('creates a server certificate with the SANs, signed by the development CA', () => {
    const material = loadOrCreateDevCertificate(options());
    const cert = new X509Certificate(material.cert);

    expect(cert.subjectAltName).toContain('DNS:dc1.contoso.com');
    expect(cert.subjectAltName).toContain('DNS:contoso.com');
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('dc1.contoso.com')).toBe('dc1.contoso.com');
    expect(cert.checkHost('evil.example.com')).toBeUndefined();
    expect(cert.subject).toContain('CN=dc1.contoso.com');
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
    expect(cert.checkPrivateKey(createPrivateKey(material.key))).toBe(true);

    const caPem = readFileSync(join(dataDir, 'dev-ca.pem'), 'utf8');
    expect(material.ca).toBe(caPem);
    expect(material.caFile).toBe(join(dataDir, 'dev-ca.pem'));
    const ca = new X509Certificate(caPem);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toContain('CN=dsemu development CA');
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);

    expect(readFileSync(join(dataDir, 'tls', 'contoso.com.pem'), 'utf8')).toBe(material.cert);
    expect(readFileSync(join(dataDir, 'tls', 'contoso.com.key'), 'utf8')).toBe(material.key);
    if (process.platform !== 'win32') {
      expect(statSync(join(dataDir, 'tls', 'contoso.com.key')).mode & 0o777).toBe(0o600);
      expect(statSync(join(dataDir, 'tls', 'dev-ca.key')).mode & 0o777).toBe(0o600);
    }
    // no temporary files left behind
    expect(readdirSync(join(dataDir, 'tls')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('is valid from now - 1 day for about 2 years; the CA for about 10 years', () => {
    const now = new Date('2030-06-15T12:00:00Z');
    const material = loadOrCreateDevCertificate(options({ now }));
    const cert = new X509Certificate(material.cert);
    expect(new Date(cert.validFrom).toISOString()).toBe('2030-06-14T12:00:00.000Z');
    expect(new Date(cert.validTo).toISOString()).toBe('2032-06-15T12:00:00.000Z');
    expect(new Date(caOf(material).validTo).getUTCFullYear()).toBe(2040);
  });

  it('reuses the stored certificate on a second call', () => {
    const first = loadOrCreateDevCertificate(options());
    const second = loadOrCreateDevCertificate(options());
    expect(second).toEqual(first);
  });

  it('regenerates the certificate when the SANs change and keeps the CA', () => {
    const first = loadOrCreateDevCertificate(options());
    const second = loadOrCreateDevCertificate(options({ ipAddresses: ['127.0.0.1', '::1'] }));
    expect(second.cert).not.toBe(first.cert);
    expect(second.ca).toBe(first.ca);
    const cert = new X509Certificate(second.cert);
    expect(cert.checkIP('::1')).toBeDefined();
    expect(cert.verify(caOf(second).publicKey)).toBe(true);
    // same set in another order and spelling is not a change
    const third = loadOrCreateDevCertificate(
      options({ dnsNames: ['LOCALHOST', 'contoso.com', 'dc1.contoso.com'], ipAddresses: ['0:0:0:0:0:0:0:1', '127.0.0.1'] }),
    );
    expect(third.cert).toBe(second.cert);
  });

  it('regenerates the certificate when it expires within 30 days', () => {
    const start = new Date('2030-01-01T00:00:00Z');
    const first = loadOrCreateDevCertificate(options({ now: start }));
    const later = new Date('2031-11-01T00:00:00Z');
    expect(loadOrCreateDevCertificate(options({ now: later })).cert).toBe(first.cert);
    const nearExpiry = new Date('2031-12-15T00:00:00Z');
    const renewed = loadOrCreateDevCertificate(options({ now: nearExpiry }));
    expect(renewed.cert).not.toBe(first.cert);
    expect(renewed.ca).toBe(first.ca);
    expect(new Date(new X509Certificate(renewed.cert).validTo).getUTCFullYear()).toBe(2033);
  });

  it('shares one CA between DCs in the same data directory; wildcard names work', () => {
    const onPrem = loadOrCreateDevCertificate(options());
    const entra = loadOrCreateDevCertificate(
      options({
        name: 'aaddscontoso.com',
        dnsNames: ['*.aaddscontoso.com', 'aaddscontoso.com'],
        commonName: '*.aaddscontoso.com',
      }),
    );
    expect(entra.ca).toBe(onPrem.ca);
    expect(entra.cert).not.toBe(onPrem.cert);
    const cert = new X509Certificate(entra.cert);
    expect(cert.checkHost('ldaps.aaddscontoso.com')).toBe('*.aaddscontoso.com');
    expect(cert.checkHost('aaddscontoso.com')).toBe('aaddscontoso.com');
    expect(cert.verify(caOf(entra).publicKey)).toBe(true);
  });

  it('rejects the reserved name and invalid IP addresses', () => {
    expect(() => loadOrCreateDevCertificate(options({ name: 'dev-ca' }))).toThrow(/reserved/);
    expect(() => loadOrCreateDevCertificate(options({ ipAddresses: ['999.1.1.1'] }))).toThrow(/999\.1\.1\.1/);
  });

  it('serves a TLS handshake that verifies with the CA and fails without it', async () => {
    const material = loadOrCreateDevCertificate(options());
    const server = tls.createServer({ key: material.key, cert: material.cert }, (socket) => socket.end());
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const connect = (ca?: string): Promise<string> =>
        new Promise((resolve, reject) => {
          const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...(ca ? { ca } : {}) });
          socket.on('secureConnect', () => {
            resolve(socket.getPeerX509Certificate()?.subject ?? '');
            socket.destroy();
          });
          socket.on('error', (error) => {
            reject(error);
            socket.destroy();
          });
        });
      await expect(connect(material.ca)).resolves.toContain('CN=dc1.contoso.com');
      await expect(connect()).rejects.toThrow();
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('two processes starting at once in the same data dir end up with one CA', async () => {
    const moduleUrl = new URL('../../src/ldap/tls/devCertificate.ts', import.meta.url).href;
    const script = `
      import { loadOrCreateDevCertificate } from ${JSON.stringify(moduleUrl)};
      const [dataDir, name] = process.argv.slice(1);
      const m = loadOrCreateDevCertificate({ dataDir, name, dnsNames: ['localhost'], ipAddresses: [], commonName: name });
      process.stdout.write(JSON.stringify(m));`;
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const run = (name: string): Promise<TlsMaterial> =>
      new Promise((resolve, reject) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', '--input-type=module', '-e', script, dataDir, name],
          { cwd: root },
          (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout) as TlsMaterial)),
        );
      });
    const results = await Promise.all(['dc1', 'dc2', 'dc3', 'dc4'].map(run));
    const caPem = readFileSync(join(dataDir, 'dev-ca.pem'), 'utf8');
    for (const result of results) {
      expect(result.ca).toBe(caPem);
      expect(new X509Certificate(result.cert).verify(new X509Certificate(caPem).publicKey)).toBe(true);
    }
  });
});

describe('loadCertificateFile', () => {
  function devMaterial(): TlsMaterial {
    return loadOrCreateDevCertificate(options());
  }

  function writePfx(material: TlsMaterial, password: string): string {
    const key = forge.pki.privateKeyFromPem(material.key);
    const certs = [forge.pki.certificateFromPem(material.cert), forge.pki.certificateFromPem(material.ca)];
    const asn1 = forge.pkcs12.toPkcs12Asn1(key, certs, password, { algorithm: '3des' });
    const path = join(dataDir, 'ldaps.pfx');
    writeFileSync(path, Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
    return path;
  }

  it('loads a password-protected PKCS#12 file', () => {
    const material = devMaterial();
    const path = writePfx(material, 'p@ssw0rd');
    const loaded = loadCertificateFile(path, { password: 'p@ssw0rd' });
    const leaf = new X509Certificate(loaded.cert);
    expect(leaf.fingerprint256).toBe(new X509Certificate(material.cert).fingerprint256);
    expect(leaf.checkPrivateKey(createPrivateKey(loaded.key))).toBe(true);
    expect(new X509Certificate(loaded.ca).fingerprint256).toBe(caOf(material).fingerprint256);
    expect(loaded.caFile).toBeUndefined();
  });

  it('throws a clear error for a wrong PKCS#12 password', () => {
    const path = writePfx(devMaterial(), 'right');
    expect(() => loadCertificateFile(path, { password: 'wrong' })).toThrow(/ldaps\.pfx.*wrong password/);
    expect(() => loadCertificateFile(path)).toThrow(/ldaps\.pfx.*password is required/);
  });

  it('loads a PEM bundle of certificate, chain and key', () => {
    const material = devMaterial();
    const path = join(dataDir, 'bundle.pem');
    writeFileSync(path, material.ca + material.key + material.cert);
    const loaded = loadCertificateFile(path);
    const leaf = new X509Certificate(loaded.cert); // first certificate is the leaf
    expect(leaf.fingerprint256).toBe(new X509Certificate(material.cert).fingerprint256);
    expect(loaded.cert).toContain(material.ca.trim());
    expect(loaded.ca.trim()).toBe(material.ca.trim());
    expect(leaf.checkPrivateKey(createPrivateKey(loaded.key))).toBe(true);
  });

  it('loads a certificate file plus a separate key file', () => {
    const material = devMaterial();
    const certPath = join(dataDir, 'server.crt');
    const keyPath = join(dataDir, 'server.key');
    writeFileSync(certPath, material.cert);
    writeFileSync(keyPath, material.key);
    const loaded = loadCertificateFile(certPath, { keyFile: keyPath });
    expect(new X509Certificate(loaded.cert).checkPrivateKey(createPrivateKey(loaded.key))).toBe(true);
    expect(loaded.ca).toBe('');
  });

  it('treats a self-signed certificate as its own CA', () => {
    const material = devMaterial();
    const path = join(dataDir, 'ca-bundle.pem');
    writeFileSync(path, material.ca + readFileSync(join(dataDir, 'tls', 'dev-ca.key'), 'utf8'));
    const loaded = loadCertificateFile(path);
    expect(loaded.ca.trim()).toBe(material.ca.trim());
  });

  it('throws when the key does not match or is missing', () => {
    const material = devMaterial();
    const certPath = join(dataDir, 'server.crt');
    const otherKey = join(dataDir, 'other.key');
    writeFileSync(certPath, material.cert);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(otherKey, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(() => loadCertificateFile(certPath, { keyFile: otherKey })).toThrow(/other\.key does not match/);
    expect(() => loadCertificateFile(certPath)).toThrow(/server\.crt.*no private key/);
  });

  it('throws naming the path of a missing file', () => {
    const path = join(dataDir, 'nope.pem');
    expect(() => loadCertificateFile(path)).toThrow(path);
    expect(() => loadCertificateFile(path)).toThrow(/not found/);
  });

  it('throws for a file that is neither PEM nor PKCS#12', () => {
    const path = join(dataDir, 'garbage.bin');
    writeFileSync(path, 'hello world');
    expect(() => loadCertificateFile(path)).toThrow(/garbage\.bin.*neither PEM nor PKCS#12/);
  });
});
