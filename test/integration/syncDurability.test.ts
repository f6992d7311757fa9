import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importLdif } from '../../src/ad/importLdif.js';
import { SYSTEM } from '../../src/ad/principal.js';
import { SYNC_ACCOUNT } from '../../src/domains/managed.js';
import { parseLdif } from '../../src/directory/ldif.js';
import { generateEstateLdif, seededNames } from '../../src/domains/seedgen.js';
import { startEmulator } from '../../src/emulator.js';
import { single } from '../support/adValues.js';
import { managedReader, onpremAdmin, searchAll } from '../support/estate.js';
import { expectManagedMirrors } from '../support/estateCheck.js';
import { ROOT, runKillable } from '../support/killableChild.js';

// Issue 5: kill -9 at random moments of a full sync of 10,000 generated users, then a restart:
// the managed domain ends exactly as it should, with no duplicate, no lost object, no lost link.
const SYNC_CHILD = join(ROOT, 'test', 'support', 'syncChild.ts');
const ONPREM = 'DC=contoso,DC=com';
const KILLS = 5;

let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'dsemu-synckill-'));
  const emulator = await startEmulator({ dataDir, ldapPort: 0, ldapsPort: 0, logLevel: 'silent', sync: false });
  try {
    const ldif = generateEstateLdif({ users: 10_000, baseDn: ONPREM, ou: `OU=Generated,OU=Corp,${ONPREM}`, upnSuffix: 'contoso.com', reserved: seededNames() });
    emulator.onpremDc.store.write(() => importLdif(emulator.onpremDc, parseLdif(ldif, 'generated.ldif'), 'generated.ldif', { principal: SYSTEM, secure: true }));
  } finally {
    await emulator.stop();
  }
}, 300_000);

afterAll(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** One agent process; SIGKILL `killAfterMs` after its cycle starts (never, when undefined). */
const runSync = (killAfterMs: number | undefined) => runKillable(SYNC_CHILD, [dataDir], 'syncing', killAfterMs);

describe('a full sync killed at random moments', () => {
  it(`converges after ${KILLS} kills and a restart to exactly the on-prem estate`, async () => {
    let killed = 0;
    for (let i = 0; i < KILLS; i++) {
      // Anywhere in the first seconds of the cycle: import, sync and export all get hit.
      const result = await runSync(200 + Math.floor(Math.random() * 6000));
      if (result.killed) killed++;
      else expect(result.output).toContain('synced');
    }
    expect(killed).toBeGreaterThan(0);
    const last = await runSync(undefined);
    expect(last.output).toContain('synced success');

    const emulator = await startEmulator({ dataDir, ldapPort: 0, ldapsPort: 0, logLevel: 'silent', sync: false });
    let onprem: Client | undefined;
    let managed: Client | undefined;
    try {
      onprem = await onpremAdmin(emulator);
      managed = await managedReader(emulator);
      expect(await expectManagedMirrors(onprem, ONPREM, managed)).toBeGreaterThan(11_000);
    } finally {
      await onprem?.unbind();
      await managed?.unbind();
      await emulator.stop();
    }
  }, 600_000);
});

// What a kill can leave behind: the managed DC took a rename, the agent's record of it was lost.
describe('a managed object renamed without the agent knowing it', () => {
  const USERS = 'OU=AADDC Users,DC=aaddscontoso,DC=com';
  const CORP = `OU=United States,OU=Corp,${ONPREM}`;

  it('is found by its msDS-aadObjectId, named back, and then updated or deleted there', async () => {
    const emulator = await startEmulator({ ldapPort: 0, ldapsPort: 0, logLevel: 'silent', sync: { schedule: false } });
    const onprem = await onpremAdmin(emulator);
    const managed = await managedReader(emulator);
    try {
      expect((await emulator.syncNow()).status).toBe('success');
      const byUpn = async (upn: string) => (await searchAll(managed, USERS, `(userPrincipalName=${upn})`, ['cn', 'title']))[0];
      // The renames an agent killed before recording them left behind: made as it makes them, over
      // LDAP as the sync principal, and unknown to the agent's store.
      const syncPrincipal = new Client({ url: emulator.managed.ldapUrl });
      const password = emulator.managedCredentials.accounts.find((a) => a.sAMAccountName === SYNC_ACCOUNT)!.password;
      await syncPrincipal.bind(`AADDSCONTOSO\\${SYNC_ACCOUNT}`, password);
      await syncPrincipal.modifyDN(`CN=Dan Riley,${USERS}`, 'CN=Dan Riley (moved)');
      await syncPrincipal.modifyDN(`CN=Lisa Nakamura,${USERS}`, 'CN=Lisa Nakamura (moved)');
      await syncPrincipal.unbind();

      await onprem.modify(`CN=Dan Riley,OU=Engineering,${CORP}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: ['Principal Engineer'] }) }));
      await onprem.del(`CN=Lisa Nakamura,OU=Engineering,${CORP}`);
      const run = await emulator.syncNow();
      expect(run.errors).toEqual([]);
      expect(run.status).toBe('success');
      const dan = await byUpn('driley@contoso.com');
      expect(dan?.dn).toBe(`CN=Dan Riley,${USERS}`);
      expect(single(dan, 'title')).toBe('Principal Engineer');
      expect(await byUpn('lnakamura@contoso.com')).toBeUndefined();
    } finally {
      await onprem.unbind();
      await managed.unbind();
      await emulator.stop();
    }
  }, 120_000);
});
