import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type Entry } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ntHash } from '../../src/ad/crypto/ntHash.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator.js';
import { single } from '../support/adValues.js';
import { runDsemu, startDsemu } from '../support/dsemuCli.js';
import { managedReader, searchAll } from '../support/estate.js';

// Issue 6: cloud-only users (seed/tenant.ldif and `dsemu cloud user add`) get hashes only when
// their password is set in the tenant; legacy hash sync can be switched off and forced through again.
const USERS = 'OU=AADDC Users,DC=aaddscontoso,DC=com';
const MEGAN = 'meganb@contoso.onmicrosoft.com';
const PASSWORD = 'N3w!Passw0rd';

/** undefined when the bind works; else its result code and AD's diagnostic text. */
async function bindFailure(url: string, name: string, password: string): Promise<{ code: number; message: string } | undefined> {
  const client = new Client({ url });
  try {
    await client.bind(name, password);
    return undefined;
  } catch (e) {
    return { code: (e as { code: number }).code, message: (e as Error).message };
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

describe('cloud-only users', () => {
  let dir: string;
  let emulator: RunningEmulator;
  let managed: Client;
  const userEntry = async (upn: string): Promise<Entry | undefined> => (await searchAll(managed, USERS, `(userPrincipalName=${upn})`, ['*', 'pwdLastSet']))[0];
  const bind = (name: string, password: string) => bindFailure(emulator.managed.ldapUrl, name, password);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dsemu-cloud-'));
    emulator = await startEmulator({ dataDir: dir, ldapPort: 0, ldapsPort: 0, logLevel: 'silent', sync: { schedule: false } });
    expect((await emulator.syncNow()).status).toBe('success');
    managed = await managedReader(emulator);
  }, 120_000);
  afterAll(async () => {
    await managed?.unbind();
    await emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the seeded user is in AADDC Users but cannot bind until her password is set; force-change gives data 773', async () => {
    const megan = await userEntry(MEGAN);
    expect(megan?.dn).toBe(`CN=Megan Bowen,${USERS}`);
    for (const password of [PASSWORD, 'Passw0rd!', 'anything']) {
      const failure = await bind(MEGAN, password);
      expect(failure?.code).toBe(49);
      expect(failure?.message).toContain('data 52e');
    }

    await emulator.cloud.setPassword(MEGAN, PASSWORD);
    expect(await bind(MEGAN, PASSWORD)).toBeUndefined();
    expect((await bind(MEGAN, 'Wr0ng!Password'))?.message).toContain('data 52e');
    expect(single(await userEntry(MEGAN), 'pwdLastSet')).not.toBe('0');

    await emulator.cloud.setPassword(MEGAN, 'S3cond!Passw0rd', { forceChange: true });
    const mustChange = await bind(MEGAN, 'S3cond!Passw0rd');
    expect(mustChange?.code).toBe(49);
    expect(mustChange?.message).toContain('data 773');
    expect(single(await userEntry(MEGAN), 'pwdLastSet')).toBe('0');
  });

  it('keeps only the hash of the hash: no hash or password in the agent store, none readable from the managed DC', async () => {
    const objectId = emulator.sync!.store.nameHolder('upn', MEGAN)!;
    expect(emulator.sync!.store.passwordHashHash(objectId)).toMatch(/^v1;PPH1_MD4,[0-9a-f]{20},1000,[0-9a-f]{64};$/);
    const file = join(dir, 'sync', 'agent', 'data.mdb');
    expect(statSync(file).size).toBeLessThan(512 * 1024 ** 2);
    const bytes = readFileSync(file);
    for (const secret of [PASSWORD, 'S3cond!Passw0rd']) {
      const nt = ntHash(secret);
      for (const needle of [nt, Buffer.from(nt.toString('hex')), Buffer.from(nt.toString('hex').toUpperCase()), Buffer.from(secret), Buffer.from(secret, 'utf16le')]) expect(bytes.includes(needle)).toBe(false);
    }
    const secretAttributes = ['unicodePwd', 'dBCSPwd', 'ntPwdHistory', 'lmPwdHistory', 'supplementalCredentials', 'msDS-KeyCredentialLink'];
    const [entry] = await searchAll(managed, USERS, `(userPrincipalName=${MEGAN})`, ['*', ...secretAttributes]);
    // ldapts lists every requested attribute; the DC sends none of these.
    expect(Object.entries(entry!).filter(([name, value]) => secretAttributes.includes(name) && [value].flat().length > 0)).toEqual([]);
  });

  it('a user added with cloud.addUser appears after syncNow, cannot bind, then can after setPassword', async () => {
    const upn = 'isaiahl@contoso.onmicrosoft.com';
    const user = await emulator.cloud.addUser({ userPrincipalName: upn, displayName: 'Isaiah Langer', givenName: 'Isaiah', surname: 'Langer', jobTitle: 'Sales Rep', department: 'Sales' });
    expect(user).toMatchObject({ userPrincipalName: upn, mailNickname: 'isaiahl', accountEnabled: true });
    expect(await userEntry(upn)).toBeUndefined();

    const run = await emulator.syncNow();
    expect(run.status).toBe('success');
    const entry = await userEntry(upn);
    expect(entry?.dn).toBe(`CN=Isaiah Langer,${USERS}`);
    expect(single(entry, 'sAMAccountName')).toBe('isaiahl');
    expect(single(entry, 'title')).toBe('Sales Rep');
    expect(single(entry, 'sn')).toBe('Langer');
    expect(single(entry, 'msDS-aadObjectId')).toBe(user.objectId);
    expect((await bind(upn, PASSWORD))?.message).toContain('data 52e');

    await emulator.cloud.setPassword(upn, PASSWORD);
    expect(await bind(upn, PASSWORD)).toBeUndefined();
    // Still there after another cycle: the added user is kept in the agent's state.
    await emulator.syncNow();
    expect((await userEntry(upn))?.dn).toBe(`CN=Isaiah Langer,${USERS}`);
  });

  it('a user added and given a password at once is brought to the managed domain by setPassword', async () => {
    const upn = 'diegos@contoso.com';
    await emulator.cloud.addUser({ userPrincipalName: upn, displayName: 'Diego Siciliani' });
    await emulator.cloud.setPassword(upn, PASSWORD);
    expect(await bind(upn, PASSWORD)).toBeUndefined();
  });

  it('refuses what Entra refuses: an unverified suffix, a UPN in use, a weak password, a synced user', async () => {
    await expect(emulator.cloud.addUser({ userPrincipalName: 'x@fabrikam.example', displayName: 'X' })).rejects.toThrow(/domain portion of the userPrincipalName property is invalid/);
    await expect(emulator.cloud.addUser({ userPrincipalName: MEGAN.toUpperCase(), displayName: 'Megan Again' })).rejects.toThrow(/Another object with the same value for property userPrincipalName already exists/);
    await expect(emulator.cloud.addUser({ userPrincipalName: 'driley@contoso.com', displayName: 'Dan Again' })).rejects.toThrow(/already exists/);
    await expect(emulator.cloud.setPassword(MEGAN, 'short')).rejects.toThrow(/does not comply with password complexity requirements/);
    await expect(emulator.cloud.setPassword('nobody@contoso.onmicrosoft.com', PASSWORD)).rejects.toThrow(/no user nobody@contoso.onmicrosoft.com in the tenant/);
    await expect(emulator.cloud.setPassword('driley@contoso.com', PASSWORD)).rejects.toThrow(/driley@contoso.com is synchronized from on-premises \(contoso.com\): set its password there/);
    // The synced user's own password is untouched.
    expect(await bind('driley@contoso.com', 'Passw0rd!')).toBeUndefined();
  });

  it('dsemu cloud user add and set-password work against the emulator running on the data dir, and never print the password', async () => {
    const upn = 'lidiah@contoso.onmicrosoft.com';
    const added = await runDsemu(['cloud', 'user', 'add', upn, '--display-name', 'Lidia Holloway', '--job-title', 'Product Manager', '--data-dir', dir]);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(new RegExp(`^created ${upn} \\(objectId [0-9a-f-]{36}\\)$`, 'm'));
    expect(added.stdout).toContain(`managed domain: CN=Lidia Holloway,${USERS} (sAMAccountName lidiah)`);
    expect((await bind(upn, PASSWORD))?.message).toContain('data 52e');

    // From standard input, as a script pipes it.
    const set = await runDsemu(['cloud', 'user', 'set-password', upn, '--data-dir', dir], `${PASSWORD}\n`);
    expect(set.code).toBe(0);
    expect(set.stdout).toBe(`password set for ${upn}\n`);
    expect(set.stdout + set.stderr).not.toContain(PASSWORD);
    expect(await bind(upn, PASSWORD)).toBeUndefined();

    const forced = await runDsemu(['cloud', 'user', 'set-password', upn, '--password', 'Th1rd!Passw0rd', '--force-change', '--data-dir', dir]);
    expect(forced.code).toBe(0);
    expect(forced.stdout + forced.stderr).not.toContain('Th1rd!Passw0rd');
    expect((await bind(upn, 'Th1rd!Passw0rd'))?.message).toContain('data 773');

    const refused = await runDsemu(['cloud', 'user', 'set-password', 'driley@contoso.com', '--password', 'Fourth!Passw0rd', '--data-dir', dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('driley@contoso.com is synchronized from on-premises');
    expect(refused.stdout + refused.stderr).not.toContain('Fourth!Passw0rd');

    const duplicate = await runDsemu(['cloud', 'user', 'add', upn, '--display-name', 'Lidia Again', '--data-dir', dir]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('Another object with the same value for property userPrincipalName already exists.');

    const full = await runDsemu(['sync', '--full-password-sync', '--data-dir', dir]);
    expect(full.code).toBe(0);
    expect(full.stdout).toMatch(/^run \d+: success /m);
    // Every on-prem user with a password, again (the seed gives most of the bulk users none).
    expect(emulator.sync!.history(1)[0]!.passwords.synced).toBeGreaterThan(20);
  }, 90_000);
});

describe('legacy password hash sync switched off, then forced through', () => {
  let dir: string;
  let emulator: RunningEmulator | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dsemu-phs-'));
  });
  afterAll(async () => {
    await emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('synced users exist on the managed domain but cannot bind; a full password sync lets them', async () => {
    emulator = await startEmulator({ dataDir: dir, ldapPort: 0, ldapsPort: 0, logLevel: 'silent', sync: { schedule: false, passwordHashSync: false } });
    const run = await emulator.syncNow();
    expect(run.status).toBe('success');
    expect(run.passwords.synced).toBe(0);
    const managed = await managedReader(emulator);
    expect((await searchAll(managed, USERS, '(userPrincipalName=driley@contoso.com)', ['1.1']))[0]?.dn).toBe(`CN=Dan Riley,${USERS}`);
    await managed.unbind();
    const failure = await bindFailure(emulator.managed.ldapUrl, 'driley@contoso.com', 'Passw0rd!');
    expect(failure?.code).toBe(49);
    expect(failure?.message).toContain('data 52e');
    // A cloud-only user's hashes come from Entra itself, not from Entra Connect: they still flow.
    await emulator.cloud.setPassword(MEGAN, PASSWORD);
    expect(await bindFailure(emulator.managed.ldapUrl, MEGAN, PASSWORD)).toBeUndefined();
    await emulator.stop();
    emulator = undefined;

    emulator = await startEmulator({ dataDir: dir, ldapPort: 0, ldapsPort: 0, logLevel: 'silent', sync: { schedule: false } });
    const forced = await emulator.sync!.run({ trigger: 'test', fullPasswordSync: true });
    expect(forced.status).toBe('success');
    expect(forced.passwords.synced).toBeGreaterThan(20);
    expect(await bindFailure(emulator.managed.ldapUrl, 'driley@contoso.com', 'Passw0rd!')).toBeUndefined();
  }, 120_000);
});

describe('dsemu start --no-password-hash-sync', () => {
  it('runs the agent without legacy hash sync, and says so to later commands on the data dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dsemu-nophs-'));
    try {
      const { logged, stop } = await startDsemu(['--data-dir', dir, '--ldap-port', '0', '--ldaps-port', '0', '--no-password-hash-sync', '--sync-profile', 'realistic']);
      expect(logged.find((l) => String(l.msg).startsWith('sync agent'))).toMatchObject({ passwordHashSync: false });
      const endpoints = JSON.parse(readFileSync(join(dir, 'sync', 'endpoints.json'), 'utf8')) as { options: { passwordHashSync?: boolean } };
      expect(endpoints.options.passwordHashSync).toBe(false);
      expect(await stop()).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
