import { randomBytes, randomInt } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { newSecretKey } from '../ad/crypto/secretBox.js';
import { DomainController } from '../ad/domainController.js';
import { importLdif } from '../ad/importLdif.js';
import { pwdLastSetNow, storePassword, verifyPassword } from '../ad/passwords.js';
import { stampChange } from '../ad/operations/stamp.js';
import { copyAttributes } from '../directory/entry.js';
import { SYSTEM } from '../ad/principal.js';
import { UF } from '../ad/uac.js';
import { parseLdif } from '../directory/ldif.js';
import { Schema } from '../directory/schema.js';
import { DirectoryStore } from '../directory/store.js';
import { domainDnOf, type DomainPersonality } from './personality.js';

export const SEED_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'seed');

export interface OpenDomainOptions {
  dataDir: string;
  personality: DomainPersonality;
  adminPassword: string;
  log: Logger;
  clock?: () => Date;
  /** lockoutThreshold written on first start (0 = no lockout, AD's default) */
  lockoutThreshold?: number;
}

/** Secrets the emulator generated for a domain, kept in its data directory (mode 0600). */
export interface DomainCredentials {
  replication: { sAMAccountName: string; password: string }[];
}

/**
 * Opens (and on first start provisions) one domain controller: its LMDB store, its domain SID,
 * its secret key, the seed estate, the built-in accounts' passwords.
 */
export function openDomain(options: OpenDomainOptions): { dc: DomainController; credentials: DomainCredentials } {
  const { personality, dataDir } = options;
  const home = join(dataDir, personality.dnsName);
  mkdirSync(home, { recursive: true });
  const schema = Schema.load();
  const store = DirectoryStore.open(join(home, 'directory'), schema);
  const secretKey = readOrCreate(join(home, 'secret.key'), () => newSecretKey());

  let sid = store.getMeta<string>('domainSid');
  if (!sid) {
    sid = `S-1-5-21-${randomInt(1, 2 ** 31)}-${randomInt(1, 2 ** 31)}-${randomInt(1, 2 ** 31)}`;
    store.write(() => store.putMeta('domainSid', sid));
  }
  const domain = { dnsName: personality.dnsName, netbiosName: personality.netbiosName, dn: domainDnOf(personality.dnsName), sid, dcName: personality.dcName };
  const dc = new DomainController({ store, schema, domain, secretKey, access: personality.access(domain), log: options.log.child({ dc: personality.dnsName }), clock: options.clock });

  const credentialsFile = join(home, 'credentials.json');
  if (!store.getMeta<boolean>('provisioned')) provision(dc, options, credentialsFile);
  ensureAdministratorPassword(dc, options.adminPassword);
  const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as DomainCredentials;
  return { dc, credentials };
}

function provision(dc: DomainController, options: OpenDomainOptions, credentialsFile: string): void {
  const started = performance.now();
  const { personality } = options;
  const credentials: DomainCredentials = { replication: personality.replicationPrincipals.map((sAMAccountName) => ({ sAMAccountName, password: generatedPassword() })) };
  const vars: Record<string, string> = { domainDn: dc.domain.dn, dnsDomain: dc.domain.dnsName, netbios: dc.domain.netbiosName, domainSid: dc.domain.sid };
  const ctx = { principal: SYSTEM, secure: true };
  dc.store.write(() => {
    for (const file of personality.seedFiles) {
      const text = readFileSync(join(SEED_DIR, file), 'utf8').replace(/\$\{(\w+)\}/g, (m, name: string) => vars[name] ?? m);
      importLdif(dc, parseLdif(text, `seed/${file}`), `seed/${file}`, ctx);
    }
    // MS-ADTS 6.1.1.2.3: the DC's own computer object, a SERVER_TRUST account in Domain Controllers.
    dc.add(`CN=${personality.dcName},OU=Domain Controllers,${dc.domain.dn}`, [
      { type: 'objectClass', values: ['computer'] },
      { type: 'sAMAccountName', values: [`${personality.dcName}$`] },
      { type: 'userAccountControl', values: [String(UF.SERVER_TRUST_ACCOUNT | UF.TRUSTED_FOR_DELEGATION)] },
      { type: 'dNSHostName', values: [`${personality.dcName}.${dc.domain.dnsName}`.toLowerCase()] },
      { type: 'isCriticalSystemObject', values: ['TRUE'] },
    ], ctx);
    if (options.lockoutThreshold !== undefined) {
      dc.modify(dc.domain.dn, [{ operation: 'replace', type: 'lockoutThreshold', values: [String(options.lockoutThreshold)] }], ctx);
    }
    for (const { sAMAccountName, password } of credentials.replication) setPassword(dc, sAMAccountName, password);
    dc.store.putMeta('provisioned', true);
  });
  writeSecretFile(credentialsFile, JSON.stringify(credentials, null, 2));
  dc.log.info({ entries: dc.store.count(), ms: Math.round(performance.now() - started) }, `provisioned ${dc.domain.dnsName}`);
}

function ensureAdministratorPassword(dc: DomainController, password: string): void {
  const admin = dc.store.byDn(`CN=Administrator,CN=Users,${dc.domain.dn}`);
  if (admin && !verifyPassword(dc, admin, password)) setPassword(dc, 'Administrator', password);
}

function setPassword(dc: DomainController, sAMAccountName: string, password: string): void {
  dc.store.write(() => {
    for (const guid of dc.store.lookup('sAMAccountName', sAMAccountName)) {
      const entry = dc.store.byGuid(guid)!;
      storePassword(dc, guid, entry.attrs, password);
      const attrs = { ...copyAttributes(entry), pwdLastSet: [pwdLastSetNow(dc)] };
      stampChange(dc, attrs);
      dc.store.put({ ...entry, attrs }, entry);
    }
  });
}

/** A random password that meets AD's complexity rules. */
function generatedPassword(): string {
  return `${randomBytes(18).toString('base64url')}aA1!`;
}

function readOrCreate(path: string, create: () => Buffer): Buffer {
  if (existsSync(path)) return readFileSync(path);
  const value = create();
  writeSecretFile(path, value);
  return value;
}

function writeSecretFile(path: string, content: string | Buffer): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}
