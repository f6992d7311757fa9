// Issue 2, "Done when": a restart keeps every entry and the USN; kill -9 during a large import
// leaves the directory as before the import or after it, never between.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Attribute, Change, Client, ResultCodeError } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEstateLdif } from '../../src/domains/seedgen.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator.js';
import { runKillable } from '../support/killableChild.js';
import { single, strings } from '../support/adValues.js';

const BASE = 'DC=contoso,DC=com';
const GENERATED = `OU=Generated,OU=Corp,${BASE}`;
const USERS = 10_000;
const IMPORT_CHILD = fileURLToPath(new URL('../support/importChild.ts', import.meta.url));

async function withAdmin<T>(emulator: RunningEmulator, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ url: emulator.onprem.ldapUrl });
  try {
    await client.bind(emulator.onprem.admin.upn, emulator.onprem.admin.password);
    return await use(client);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** How many entries match under base (0 when base does not exist), counted over paged LDAP. */
async function count(client: Client, base: string, filter: string): Promise<number> {
  try {
    const { searchEntries } = await client.search(base, { filter, attributes: ['1.1'], paged: { pageSize: 1000 } });
    return searchEntries.length;
  } catch (e) {
    if (e instanceof ResultCodeError && e.code === 32) return 0;
    throw e;
  }
}

async function highestCommittedUsn(client: Client): Promise<number> {
  const { searchEntries } = await client.search('', { scope: 'base', attributes: ['highestCommittedUSN'] });
  return Number(single(searchEntries[0], 'highestCommittedUSN'));
}

async function open(dataDir: string): Promise<RunningEmulator> {
  return startEmulator({ sync: false, ldapPort: 0, ldapsPort: 0, logLevel: 'silent', dataDir });
}

/** A restart (stop, start on the same data dir) keeps every entry and the USN. */
async function restartKeepsEverything(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dsemu-restart-'));
  try {
    const first = await open(dataDir);
    let before: { entries: number; users: number; usn: number; uSNChanged: string | undefined };
    try {
      before = await withAdmin(first, async (c) => {
        await c.add(`CN=Restart Person,OU=Corp,${BASE}`, { objectClass: 'user', sAMAccountName: 'restartperson', description: 'before restart' });
        await c.modify(`CN=Platform Team,OU=Groups,OU=Corp,${BASE}`, new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [`CN=Restart Person,OU=Corp,${BASE}`] }) }));
        const { searchEntries } = await c.search(`CN=Restart Person,OU=Corp,${BASE}`, { scope: 'base', attributes: ['uSNChanged'] });
        return { entries: await count(c, BASE, '(objectClass=*)'), users: await count(c, BASE, '(objectClass=user)'), usn: await highestCommittedUsn(c), uSNChanged: single(searchEntries[0], 'uSNChanged') };
      });
      expect(before.entries).toBeGreaterThan(1700);
    } finally {
      await first.stop();
    }

    const second = await open(dataDir);
    try {
      await withAdmin(second, async (c) => {
        expect(await count(c, BASE, '(objectClass=*)')).toBe(before.entries);
        expect(await count(c, BASE, '(objectClass=user)')).toBe(before.users);
        expect(await highestCommittedUsn(c)).toBe(before.usn);
        const { searchEntries } = await c.search(`CN=Restart Person,OU=Corp,${BASE}`, { scope: 'base', attributes: ['description', 'uSNChanged', 'memberOf'] });
        expect(single(searchEntries[0], 'description')).toBe('before restart');
        expect(single(searchEntries[0], 'uSNChanged')).toBe(before.uSNChanged);
        expect(strings(searchEntries[0], 'memberOf')).toEqual([`CN=Platform Team,OU=Groups,OU=Corp,${BASE}`]);
        // the next write continues the USN sequence; it never reuses a number
        await c.modify(`CN=Restart Person,OU=Corp,${BASE}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'description', values: ['after restart'] }) }));
        expect(await highestCommittedUsn(c)).toBeGreaterThan(before.usn);
      });
      // passwords (stored encrypted with the domain key in the data dir) still verify
      const dan = new Client({ url: second.onprem.ldapUrl });
      await dan.bind('driley@contoso.com', 'Passw0rd!');
      await dan.unbind();
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('kill -9 during a large import', () => {
  // Two copies of one provisioned data directory: on the first, three imports are killed at
  // random moments; on the second, one is killed and the next left to finish. Both run at once
  // so that the file stays well under a minute.
  let killDir: string;
  let finishDir: string;
  let ldifFile: string;
  let usersBefore: number;
  let usnBefore: number;

  beforeAll(async () => {
    killDir = mkdtempSync(join(tmpdir(), 'dsemu-kill-'));
    finishDir = mkdtempSync(join(tmpdir(), 'dsemu-finish-'));
    // provision the data directory first, and learn the names the domain already uses
    const emulator = await open(killDir);
    let reserved: string[];
    try {
      reserved = await withAdmin(emulator, async (c) => {
        usersBefore = await count(c, BASE, '(objectClass=user)');
        usnBefore = await highestCommittedUsn(c);
        const { searchEntries } = await c.search(BASE, { filter: '(|(sAMAccountName=*)(mailNickname=*)(mail=*)(userPrincipalName=*))', attributes: ['sAMAccountName', 'mailNickname', 'mail', 'userPrincipalName'], paged: { pageSize: 1000 } });
        return searchEntries.flatMap((e) => ['sAMAccountName', 'mailNickname', 'mail', 'userPrincipalName'].flatMap((a) => strings(e, a).map((v) => v.split('@')[0]!)));
      });
    } finally {
      await emulator.stop();
    }
    cpSync(killDir, finishDir, { recursive: true });
    ldifFile = join(killDir, 'generated.ldif');
    writeFileSync(ldifFile, generateEstateLdif({ users: USERS, baseDn: BASE, ou: GENERATED, upnSuffix: 'contoso.com', reserved }));
  }, 120_000);

  afterAll(() => {
    rmSync(killDir, { recursive: true, force: true });
    rmSync(finishDir, { recursive: true, force: true });
  });

  /** Runs the import in a child; kills it with SIGKILL `killAfterMs` after it says 'importing' (never, when undefined). */
  async function runImport(dataDir: string, killAfterMs: number | undefined): Promise<{ killed: boolean; finished: boolean; output: string }> {
    const { killed, code, output } = await runKillable(IMPORT_CHILD, [dataDir, ldifFile], 'importing', killAfterMs);
    return { killed, finished: code === 0 && output.includes('imported'), output };
  }

  async function generatedUsers(dataDir: string): Promise<{ generated: number; all: number; usn: number }> {
    const emulator = await open(dataDir);
    try {
      return await withAdmin(emulator, async (c) => ({ generated: await count(c, GENERATED, '(objectClass=user)'), all: await count(c, BASE, '(objectClass=user)'), usn: await highestCommittedUsn(c) }));
    } finally {
      await emulator.stop();
    }
  }

  /** Kills an import after `delay` ms and checks that it left all or nothing. */
  async function killAndCheck(dataDir: string, delay: number, outcomes: string[]): Promise<number> {
    const run = await runImport(dataDir, Math.round(delay));
    expect(run.output).toContain('importing');
    const { generated, all, usn } = await generatedUsers(dataDir);
    outcomes.push(`kill after ${Math.round(delay)} ms: ${run.killed ? 'killed' : 'finished first'}, ${generated} generated users`);
    expect([0, USERS], outcomes.join('; ')).toContain(generated);
    expect(all).toBe(usersBefore + generated);
    // nothing of a killed import is left, not even a USN
    if (generated === 0) expect(usn).toBe(usnBefore);
    return generated;
  }

  it.concurrent(
    'leaves 0 or 10,000 generated users, never a number between, whenever the process dies (3 random kills)',
    async () => {
      const outcomes: string[] = [];
      // three kills at random moments inside the import transaction (which runs for seconds)
      for (const delay of [50 + Math.random() * 400, 500 + Math.random() * 1500, 2000 + Math.random() * 3000]) {
        if ((await killAndCheck(killDir, delay, outcomes)) === USERS) break; // the import won the race
      }
      console.info(outcomes.join('\n'));
    },
    150_000,
  );

  it.concurrent(
    'after a killed import, a run left to finish imports all 10,000',
    async () => {
      const outcomes: string[] = [];
      await killAndCheck(finishDir, 100 + Math.random() * 900, outcomes);
      const before = await generatedUsers(finishDir);
      if (before.generated === USERS) return; // the killed run had already finished
      const run = await runImport(finishDir, undefined);
      expect(run.finished, run.output).toBe(true);
      const { generated, all, usn } = await generatedUsers(finishDir);
      expect(generated).toBe(USERS);
      expect(all).toBe(usersBefore + USERS);
      expect(usn).toBeGreaterThan(usnBefore + USERS);
    },
    150_000,
  );

  it.concurrent(
    'a restart keeps every entry, the highestCommittedUSN, the writes and the passwords',
    restartKeepsEverything,
    150_000,
  );
});
