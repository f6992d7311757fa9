import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator.js';
import { single } from '../support/adValues.js';
import { managedReader, onpremAdmin, searchAll } from '../support/estate.js';

// Issue 5: the guards around the export (prevent accidental deletes, staging) and scoping
// (Entra Connect OU filtering, Domain Services group scope, a scope change's full sync).
const ONPREM = 'DC=contoso,DC=com';
const USERS = 'OU=AADDC Users,DC=aaddscontoso,DC=com';
const TEMP = `OU=Contractors,${ONPREM}`;

const running: RunningEmulator[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const e of running) await e.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startEmulator>[0]): Promise<RunningEmulator> {
  const emulator = await startEmulator({ ldapPort: 0, ldapsPort: 0, logLevel: 'silent', ...options });
  running.push(emulator);
  return emulator;
}

async function inParallel<T>(items: T[], task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < items.length) await task(items[next++]!);
  }));
}

describe('prevent accidental deletes', () => {
  it('stops the whole export when 600 deletes exceed the threshold of 500, until they are allowed', async () => {
    const emulator = await start({ sync: { schedule: false } });
    const onprem = await onpremAdmin(emulator);
    const managed = await managedReader(emulator);
    const names = Array.from({ length: 600 }, (_, i) => `contractor${String(i).padStart(3, '0')}`);
    await onprem.add(TEMP, { objectClass: 'organizationalUnit' });
    await inParallel(names, (n) => onprem.add(`CN=${n},${TEMP}`, { objectClass: 'user', sAMAccountName: n, userPrincipalName: `${n}@contoso.com` }));
    expect((await emulator.syncNow()).status).toBe('success');
    const contractors = () => searchAll(managed, USERS, '(userPrincipalName=contractor*)', ['1.1']);
    expect(await contractors()).toHaveLength(600);

    await inParallel(names, (n) => onprem.del(`CN=${n},${TEMP}`));
    await onprem.modify(`CN=Dan Riley,OU=Engineering,OU=United States,OU=Corp,${ONPREM}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: ['Staff Engineer'] }) }));
    const stopped = await emulator.syncNow();
    expect(stopped.status).toBe('stopped-deletion-threshold-exceeded');
    expect(stopped.message).toContain('600 pending deletes');
    expect(stopped.message).toContain('threshold of 500');
    expect(stopped.message).toContain('dsemu sync --allow-deletes');
    expect(stopped.export).toEqual({ adds: 0, updates: 0, deletes: 0, renames: 0 });
    // Nothing was exported: not the deletes, not the modify.
    expect(await contractors()).toHaveLength(600);
    const dan = async () => single((await searchAll(managed, USERS, '(userPrincipalName=driley@contoso.com)', ['title']))[0], 'title');
    expect(await dan()).not.toBe('Staff Engineer');
    // Later cycles keep stopping while the deletes are pending.
    expect((await emulator.syncNow()).status).toBe('stopped-deletion-threshold-exceeded');

    const allowed = await emulator.sync!.run({ trigger: 'test', allowDeletes: true });
    expect(allowed.status).toBe('success');
    expect(allowed.export.deletes).toBe(600);
    expect(await contractors()).toHaveLength(0);
    expect(await dan()).toBe('Staff Engineer');
    await onprem.unbind();
    await managed.unbind();
  }, 120_000);
});

describe('staging mode', () => {
  it('imports and syncs, exports nothing, and writes the pending exports as LDIF and JSON', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dsemu-staging-'));
    dirs.push(dataDir);
    const emulator = await start({ dataDir, sync: { schedule: false, stagingMode: true } });
    const run = await emulator.syncNow();
    expect(run.status).toBe('staging');
    expect(run.sync.adds).toBeGreaterThan(1600);
    const managed = await managedReader(emulator);
    expect(await searchAll(managed, USERS, '(msDS-aadObjectId=*)', ['1.1'])).toEqual([]);
    await managed.unbind();
    const ldif = readFileSync(join(dataDir, 'sync', 'staging', 'pending-exports.ldif'), 'utf8');
    expect(ldif).toContain('dn: CN=Dan Riley,OU=AADDC Users,<managed domain>\nchangetype: add\n');
    expect(ldif).toContain('userPrincipalName: driley@contoso.com');
    const json = JSON.parse(readFileSync(join(dataDir, 'sync', 'staging', 'pending-exports.json'), 'utf8')) as { action: string }[];
    expect(json.length).toBe(run.sync.adds);
    expect(json.every((p) => p.action === 'add')).toBe(true);
  }, 120_000);
});

describe('scoping', () => {
  it('syncs only what OU filtering and the Domain Services group scope let through, and a scope change runs a full sync', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dsemu-scope-'));
    dirs.push(dataDir);
    const includeOUs = { 'contoso.com': [`OU=United States,OU=Corp,${ONPREM}`, `OU=Groups,OU=Corp,${ONPREM}`] };
    const managedNames = async (emulator: RunningEmulator): Promise<string[]> => {
      const managed = await managedReader(emulator);
      const entries = await searchAll(managed, USERS, '(msDS-aadObjectId=*)', ['cn']);
      await managed.unbind();
      return entries.map((e) => single(e, 'cn')!).sort();
    };
    const sourceMembers = async (emulator: RunningEmulator, group: string): Promise<string[]> => {
      const onprem = await onpremAdmin(emulator);
      const entries = await searchAll(onprem, `OU=United States,OU=Corp,${ONPREM}`, `(&(objectCategory=person)(memberOf=CN=${group},OU=Groups,OU=Corp,${ONPREM}))`, ['cn']);
      await onprem.unbind();
      return entries.map((e) => single(e, 'cn')!);
    };

    let emulator = await start({ dataDir, sync: { schedule: false, includeOUs, scopeGroups: ['Sales US'] } });
    await emulator.syncNow();
    const sales = await sourceMembers(emulator, 'Sales US');
    expect(sales.length).toBeGreaterThan(2);
    expect(await managedNames(emulator)).toEqual(['Sales US', ...sales].sort());
    await emulator.stop();
    running.pop();

    // The same data, another group: a full sync adds the new scope and deletes what left it.
    emulator = await start({ dataDir, sync: { schedule: false, includeOUs, scopeGroups: ['Platform Team'] } });
    const run = await emulator.syncNow();
    expect(run.profile).toBe('full');
    const platform = await sourceMembers(emulator, 'Platform Team');
    expect(await managedNames(emulator)).toEqual(['Platform Team', ...platform].sort());
    expect(run.export.deletes).toBe(sales.length + 1 - sales.filter((s) => platform.includes(s)).length);
    // Dan Riley's hashes came while he was out of scope; they follow him in.
    const client = new Client({ url: emulator.managed.ldapUrl });
    await client.bind('driley@contoso.com', 'Passw0rd!');
    await client.unbind();
  }, 120_000);
});

