import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeUnicodePwd } from '../../src/ad/crypto/unicodePwd.js';
import { ntHash } from '../../src/ad/crypto/ntHash.js';
import { sealEnvelope } from '../../src/ad/crypto/hashEnvelope.js';
import { ManagedConnector } from '../../src/sync/connectors/managedConnector.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator.js';
import { single } from '../support/adValues.js';
import { failure } from '../support/ldapResults.js';
import { managedReader, searchAll } from '../support/estate.js';

// Issue 6: password hash sync. The managed domain takes the on-prem password, and nothing on disk
// holds a usable hash or the cleartext.
const ONPREM = 'DC=contoso,DC=com';
const USERS = 'OU=AADDC Users,DC=aaddscontoso,DC=com';
const SEEDED_PASSWORD = 'Passw0rd!';

let emulator: RunningEmulator;
let admin: Client;
const passwords = new Set<string>([SEEDED_PASSWORD]);

async function bindsOn(url: string, name: string, password: string): Promise<string> {
  const client = new Client({ url });
  try {
    await client.bind(name, password);
    return 'ok';
  } catch (e) {
    return /data (\w+)/.exec(String((e as Error).message))?.[1] ?? String((e as { code?: number }).code);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}
const managedBind = (name: string, password: string) => bindsOn(emulator.managed.ldapUrl, name, password);

beforeAll(async () => {
  emulator = await startEmulator({ ldapPort: 0, ldapsPort: 0, logLevel: 'silent', sync: { schedule: false } });
  const run = await emulator.syncNow();
  expect(run.status).toBe('success');
  admin = new Client({ url: emulator.onprem.ldapsUrl!, tlsOptions: { ca: [readFileSync(emulator.onprem.caFile!)] } });
  await admin.bind(emulator.onprem.admin.upn, emulator.onprem.admin.password);
}, 120_000);

afterAll(async () => {
  await admin?.unbind();
  await emulator?.stop();
});

describe('password hash sync', () => {
  it('lets each seeded user bind to the managed domain with the on-prem password: by UPN, and as AADDSCONTOSO\\sam where it was not generated', async () => {
    const onprem = await searchAll(admin, `OU=Corp,${ONPREM}`, '(&(objectCategory=person)(objectClass=user)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))', ['sAMAccountName', 'objectSid'], ['objectSid']);
    const managed = await managedReader(emulator);
    const synced = await searchAll(managed, USERS, '(&(objectClass=user)(sIDHistory=*))', ['sIDHistory', 'sAMAccountName', 'userPrincipalName'], ['sIDHistory']);
    await managed.unbind();
    const bySid = new Map(synced.map((e) => [(e.sIDHistory as Buffer).toString('hex'), e]));
    let checked = 0;
    for (const user of onprem) {
      const sam = single(user, 'sAMAccountName')!;
      // The seeded users with a password: they sign in on-prem with it (773: must change first).
      if (!['ok', '773'].includes(await bindsOn(emulator.onprem.ldapUrl, `CONTOSO\\${sam}`, SEEDED_PASSWORD))) continue;
      const target = bySid.get((user.objectSid as Buffer).toString('hex'));
      expect(target, sam).toBeDefined();
      expect(await managedBind(single(target, 'userPrincipalName')!, SEEDED_PASSWORD), sam).toBe('ok');
      if (single(target, 'sAMAccountName') === sam) expect(await managedBind(`AADDSCONTOSO\\${sam}`, SEEDED_PASSWORD), sam).toBe('ok');
      expect(await managedBind(single(target, 'userPrincipalName')!, 'not-the-password'), sam).toBe('52e');
      checked++;
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('brings a new user added on-prem with a password over LDAPS, and a password change: the new works, the old gets 52e', async () => {
    const dn = `CN=Tara Singh,OU=IT,OU=United States,OU=Corp,${ONPREM}`;
    passwords.add('Fr3sh!Start#1').add('S3cond!Try#2');
    await admin.add(dn, [
      new Attribute({ type: 'objectClass', values: ['user'] }),
      new Attribute({ type: 'sAMAccountName', values: ['tsingh'] }),
      new Attribute({ type: 'userPrincipalName', values: ['tsingh@contoso.com'] }),
      new Attribute({ type: 'unicodePwd', values: [encodeUnicodePwd('Fr3sh!Start#1')] }),
      new Attribute({ type: 'userAccountControl', values: ['512'] }),
    ]);
    await emulator.syncNow();
    expect(await managedBind('tsingh@contoso.com', 'Fr3sh!Start#1')).toBe('ok');

    await admin.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [encodeUnicodePwd('S3cond!Try#2')] }) }));
    const run = await emulator.syncNow();
    expect(run.passwords.synced).toBe(1);
    expect(await managedBind('tsingh@contoso.com', 'S3cond!Try#2')).toBe('ok');
    expect(await managedBind('tsingh@contoso.com', 'Fr3sh!Start#1')).toBe('52e');
  });

  it('keeps DONT_EXPIRE_PASSWORD and the source pwdLastSet, and never lets a search read the hashes', async () => {
    const managed = await managedReader(emulator);
    const [user] = await searchAll(managed, USERS, '(userPrincipalName=tsingh@contoso.com)', ['userAccountControl', 'pwdLastSet', 'unicodePwd', 'supplementalCredentials', 'msDS-aadObjectId']);
    await managed.unbind();
    expect(Number(single(user, 'userAccountControl')) & 0x10000).toBe(0x10000);
    expect(Number(single(user, 'pwdLastSet'))).toBeGreaterThan(0);
    expect(user!.unicodePwd ?? []).toEqual([]);
    expect(user!.supplementalCredentials ?? []).toEqual([]);
    // The sync principal may hand hashes in; nobody else may.
    const dcAdmin = await managedReader(emulator);
    const refused = await failure(dcAdmin.exop('1.3.6.1.4.1.55555.1.2.1', Buffer.from(JSON.stringify({ dn: user!.dn, envelope: { v: 1 } }))));
    await dcAdmin.unbind();
    expect(refused.code).toBe(50);
    // The metaverse keeps Entra's hash of the hash.
    expect(emulator.sync!.store.passwordHashHash(single(user, 'msDS-aadObjectId')!)).toMatch(/^v1;PPH1_MD4,[0-9a-f]{20},1000,[0-9a-f]{64};$/);
  });

  it('takes a batch of users in one request from the sync principal, each with its own result', async () => {
    const config = emulator.sync!.config;
    const connector = new ManagedConnector({ ...config.target, baseDn: 'DC=aaddscontoso,DC=com' });
    const key = readFileSync(config.passwordSyncKeyFile!, 'utf8');
    const sealed = (password: string) => sealEnvelope(key, Buffer.from(JSON.stringify({ nt: ntHash(password).toString('hex') })));
    const managed = await managedReader(emulator);
    const [tara] = await searchAll(managed, USERS, '(userPrincipalName=tsingh@contoso.com)', ['cn']);
    await managed.unbind();
    passwords.add('Th1rd!Batch#3');
    const results = await connector.setSyncedCredentialsBatch([
      { dn: tara!.dn, envelope: sealed('Th1rd!Batch#3') },
      { dn: `CN=Nobody Here,${USERS}`, envelope: sealed('Th1rd!Batch#3') },
      { dn: tara!.dn, envelope: { ...sealed('Wr0ng!Batch#4'), data: 'AAAA' } },
    ]);
    await connector.close();
    expect(results.map((r) => r.resultCode)).toEqual([0, 32, 2]);
    expect(results[1]!.diagnosticMessage).toMatch(/^0000208D/);
    // The refused users changed nothing; the first landed.
    expect(await managedBind('tsingh@contoso.com', 'Th1rd!Batch#3')).toBe('ok');
    expect(await managedBind('tsingh@contoso.com', 'S3cond!Try#2')).toBe('52e');
    // Anyone else gets 50 for the whole request.
    const dcAdmin = await managedReader(emulator);
    const refused = await failure(dcAdmin.exop('1.3.6.1.4.1.55555.1.2.1', Buffer.from(JSON.stringify({ credentials: [{ dn: tara!.dn, envelope: sealed('x') }] }))));
    await dcAdmin.unbind();
    expect(refused.code).toBe(50);
  });

  it('leaves no NT hash (hex or binary) and no cleartext in any LMDB file of the agent or either DC', () => {
    const needles: [string, Buffer][] = [];
    for (const password of passwords) {
      const hash = ntHash(password);
      needles.push([`NT hash of ${password}`, hash], [`hex NT hash of ${password}`, Buffer.from(hash.toString('hex'))], [`HEX NT hash of ${password}`, Buffer.from(hash.toString('hex').toUpperCase())]);
      needles.push([`${password} (UTF-8)`, Buffer.from(password)], [`${password} (UTF-16LE)`, Buffer.from(password, 'utf16le')]);
    }
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith('.mdb')) files.push(path);
      }
    };
    walk(emulator.dataDir);
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      const content = readFileSync(file);
      for (const [what, needle] of needles) expect(content.indexOf(needle), `${what} in ${file}`).toBe(-1);
    }
  });
});
