import { createPrivateKey, randomBytes, randomInt } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { newSecretKey } from '../ad/crypto/secretBox.js';
import { newEnvelopeKeyPair } from '../ad/crypto/hashEnvelope.js';
import { DomainController } from '../ad/domainController.js';
import { importLdif } from '../ad/importLdif.js';
import { verifyPassword } from '../ad/passwords.js';
import { encodeUnicodePwd } from '../ad/crypto/unicodePwd.js';
import { SYSTEM } from '../ad/principal.js';
import { UF } from '../ad/uac.js';
import { sidOf } from '../ad/samldb.js';
import { isTombstone } from '../ad/tombstones.js';
import { parseLdif } from '../directory/ldif.js';
import { Schema } from '../directory/schema.js';
import { DirectoryStore } from '../directory/store.js';
import { domainDnOf, type DomainPersonality } from './personality.js';

import { SEED_DIR } from './seedDir.js';

export interface OpenDomainOptions {
  dataDir: string;
  personality: DomainPersonality;
  adminPassword: string;
  log: Logger;
  clock?: () => Date;
  /** lockoutThreshold written on first start (0 = no lockout, AD's default) */
  lockoutThreshold?: number;
  /** false: the domain keeps no NT hashes, so simple binds fail (Domain Services' NTLM password sync off) */
  ntlmHashes?: boolean;
}

/** Secrets the emulator generated for a domain, kept in its data directory (mode 0600). */
export interface DomainCredentials {
  /** the personality's service accounts, in its order */
  accounts: { sAMAccountName: string; password: string }[];
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
  const passwordSyncKey = personality.receivesPasswordHashes ? createPrivateKey(passwordSyncKeyPair(home)) : undefined;

  let sid = store.getMeta<string>('domainSid');
  if (!sid) {
    sid = `S-1-5-21-${randomInt(1, 2 ** 31)}-${randomInt(1, 2 ** 31)}-${randomInt(1, 2 ** 31)}`;
    store.write(() => store.putMeta('domainSid', sid));
  }
  let dcNames = store.getMeta<string[]>('dcNames');
  if (!dcNames) {
    dcNames = Array.isArray(personality.dcNames) ? [...personality.dcNames] : Array.from({ length: (personality.dcNames as { random: number }).random }, randomDcName);
    const names = dcNames;
    store.write(() => store.putMeta('dcNames', names));
  }
  const domain = { dnsName: personality.dnsName, netbiosName: personality.netbiosName, dn: domainDnOf(personality.dnsName), sid, dcName: dcNames[0]! };
  const lookup = { sidOf: (sAMAccountName: string) => accountSid(dc, sAMAccountName) };
  const dc: DomainController = new DomainController({ store, schema, domain, secretKey, access: personality.access(domain, lookup), log: options.log.child({ dc: personality.dnsName }), clock: options.clock, ntlmHashes: options.ntlmHashes, passwordSyncKey });

  const credentialsFile = join(home, 'credentials.json');
  if (!store.getMeta<boolean>('provisioned')) provision(dc, options, credentialsFile);
  if (personality.builtInAdministrator !== false) ensureAdministratorPassword(dc, options.adminPassword);
  const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as DomainCredentials;
  return { dc, credentials };
}

function provision(dc: DomainController, options: OpenDomainOptions, credentialsFile: string): void {
  const started = performance.now();
  const { personality } = options;
  const credentials: DomainCredentials = { accounts: personality.serviceAccounts.map((sAMAccountName) => ({ sAMAccountName, password: generatedPassword() })) };
  const vars: Record<string, string> = { domainDn: dc.domain.dn, dnsDomain: dc.domain.dnsName, netbios: dc.domain.netbiosName, domainSid: dc.domain.sid };
  const ctx = { principal: SYSTEM, secure: true };
  dc.store.write(() => {
    for (const file of personality.seedFiles) {
      const text = readFileSync(join(SEED_DIR, file), 'utf8').replace(/\$\{(\w+)\}/g, (m, name: string) => vars[name] ?? m);
      importLdif(dc, parseLdif(text, `seed/${file}`), `seed/${file}`, ctx);
    }
    // MS-ADTS 6.1.1.2.3: each DC's computer object, a SERVER_TRUST account in Domain Controllers.
    for (const name of dcNamesOf(dc)) {
      dc.add(`CN=${name},OU=Domain Controllers,${dc.domain.dn}`, [
        { type: 'objectClass', values: ['computer'] },
        { type: 'sAMAccountName', values: [`${name}$`] },
        { type: 'userAccountControl', values: [String(UF.SERVER_TRUST_ACCOUNT | UF.TRUSTED_FOR_DELEGATION)] },
        { type: 'dNSHostName', values: [`${name}.${dc.domain.dnsName}`.toLowerCase()] },
        { type: 'isCriticalSystemObject', values: ['TRUE'] },
      ], ctx);
    }
    const policy = { ...personality.domainPolicy, ...(options.lockoutThreshold !== undefined ? { lockoutThreshold: String(options.lockoutThreshold) } : {}) };
    const changes = Object.entries(policy).map(([type, value]) => ({ operation: 'replace' as const, type, values: [value] }));
    if (changes.length > 0) dc.modify(dc.domain.dn, changes, ctx);
    for (const { sAMAccountName, password } of credentials.accounts) setPassword(dc, sAMAccountName, password);
    if (personality.builtInAdministrator === false) {
      dc.modify(`CN=Administrator,CN=Users,${dc.domain.dn}`, [{ operation: 'replace', type: 'userAccountControl', values: [String(UF.NORMAL_ACCOUNT | UF.ACCOUNTDISABLE | UF.DONT_EXPIRE_PASSWD)] }], ctx);
    }
    dc.store.putMeta('provisioned', true);
  });
  writeSecretFile(credentialsFile, JSON.stringify(credentials, null, 2));
  dc.log.info({ entries: dc.store.count(), ms: Math.round(performance.now() - started) }, `provisioned ${dc.domain.dnsName}`);
}

function ensureAdministratorPassword(dc: DomainController, password: string): void {
  const admin = dc.store.byDn(`CN=Administrator,CN=Users,${dc.domain.dn}`);
  if (admin && !verifyPassword(dc, admin, password)) setPassword(dc, 'Administrator', password);
}

/** A password reset by the emulator itself, through the DC's own write path. */
function setPassword(dc: DomainController, sAMAccountName: string, password: string): void {
  for (const guid of [...dc.store.lookup('sAMAccountName', sAMAccountName)]) {
    const entry = dc.store.byGuid(guid);
    if (!entry || isTombstone(entry)) continue;
    dc.modify(entry.dn, [{ operation: 'replace', type: 'unicodePwd', values: [encodeUnicodePwd(password)] }], { principal: SYSTEM, secure: true });
  }
}

function accountSid(dc: DomainController, sAMAccountName: string): string | undefined {
  for (const guid of dc.store.lookup('sAMAccountName', sAMAccountName)) {
    const entry = dc.store.byGuid(guid);
    if (entry && !isTombstone(entry)) return sidOf(entry);
  }
  return undefined;
}

/** The names of the domain's DCs, this one first. */
export function dcNamesOf(dc: DomainController): string[] {
  return dc.store.getMeta<string[]>('dcNames') ?? [dc.domain.dcName];
}

/** A DC host name as Domain Services makes them up: 15 upper-case letters and digits. */
function randomDcName(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return Array.from(randomBytes(15), (b, i) => alphabet[b % (i === 0 ? 26 : 36)]).join('');
}

/** A random password that meets AD's complexity rules. */
function generatedPassword(): string {
  return `${randomBytes(18).toString('base64url')}aA1!`;
}

/** The file a sync agent seals password hashes with: the domain's public key (PEM). */
export function passwordSyncPublicKeyFile(domainHome: string): string {
  return join(domainHome, 'password-sync-public.pem');
}

/** The private key (PEM) of the domain's password-hash key pair, made on first start. */
function passwordSyncKeyPair(home: string): string {
  const privateFile = join(home, 'password-sync-key.pem');
  if (existsSync(privateFile) && existsSync(passwordSyncPublicKeyFile(home))) return readFileSync(privateFile, 'utf8');
  const { publicKey, privateKey } = newEnvelopeKeyPair();
  writeSecretFile(privateFile, privateKey);
  writeFileSync(passwordSyncPublicKeyFile(home), publicKey);
  return privateKey;
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
