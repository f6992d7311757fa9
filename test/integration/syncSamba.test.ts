import { connect as connectTcp } from 'node:net';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { afterAll, describe, expect, it } from 'vitest';
import { SYNC_ACCOUNT } from '../../src/domains/managed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator.js';
import { TENANT } from '../../src/estateSync.js';
import { SyncAgent } from '../../src/sync/agent.js';
import { SYNC_PROFILES } from '../../src/sync/config.js';
import { createLogger } from '../../src/log.js';
import { managedReader } from '../support/estate.js';
import { expectManagedMirrors } from '../support/estateCheck.js';

// Issue 5: the agent speaks LDAP only, so a real AD works as its source. This runs against the
// Samba AD DC of ../shared/tools/samba-up.sh (CONTOSO.LOCAL on 127.0.0.1:389), or the one named
// by DSEMU_SAMBA_URL / DSEMU_SAMBA_BASE / DSEMU_SAMBA_USER / DSEMU_SAMBA_PASSWORD.
const SAMBA = {
  url: process.env.DSEMU_SAMBA_URL ?? 'ldap://127.0.0.1:389',
  baseDn: process.env.DSEMU_SAMBA_BASE ?? 'DC=contoso,DC=local',
  bindName: process.env.DSEMU_SAMBA_USER ?? 'administrator@contoso.local',
  password: process.env.DSEMU_SAMBA_PASSWORD ?? 'Passw0rd!Adm1n',
};

async function sambaAnswers(): Promise<boolean> {
  const { hostname, port } = new URL(SAMBA.url);
  const open = await new Promise<boolean>((resolve) => {
    const socket = connectTcp({ host: hostname, port: Number(port || 389) }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
  if (!open) return false;
  const client = new Client({ url: SAMBA.url, connectTimeout: 2000 });
  try {
    await client.bind(SAMBA.bindName, SAMBA.password);
    return true;
  } catch {
    return false;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

const available = await sambaAnswers();
if (!available) console.warn(`syncSamba: skipped, no Samba AD DC answers at ${SAMBA.url} (start one with ../shared/tools/samba-up.sh, or set DSEMU_SAMBA_URL)`);

let emulator: RunningEmulator | undefined;
let agent: SyncAgent | undefined;
afterAll(async () => {
  await agent?.stop();
  await emulator?.stop();
});

describe.skipIf(!available)('a Samba AD DC as the source', () => {
  it('gives the managed domain exactly its in-scope users and groups, the same way as contoso.com', async () => {
    emulator = await startEmulator({ ldapPort: 0, ldapsPort: 0, logLevel: 'silent', sync: false });
    const realm = new URL(`ldap://x/${SAMBA.baseDn}`).pathname.slice(1).split(',').map((rdn) => rdn.slice(3)).join('.').toLowerCase();
    agent = new SyncAgent({
      sources: [{ name: realm, ...SAMBA }],
      target: { url: emulator.managed.ldapUrl, baseDn: emulator.managed.baseDn, bindName: `AADDSCONTOSO\\${SYNC_ACCOUNT}`, password: emulator.managedCredentials.accounts[0]!.password },
      tenant: TENANT,
      scope: {},
      deletionThreshold: 500,
      stagingMode: false,
      passwordHashSync: false,
      schedule: SYNC_PROFILES.live,
      reportDir: join(emulator.dataDir, 'sync', 'staging'),
    }, join(emulator.dataDir, 'samba-sync'), createLogger('silent'));
    const run = await agent.syncNow();
    expect(run.errors).toEqual([]);
    expect(run.status).toBe('success');

    const source = new Client({ url: SAMBA.url });
    await source.bind(SAMBA.bindName, SAMBA.password);
    const managed = await managedReader(emulator);
    try {
      expect(await expectManagedMirrors(source, SAMBA.baseDn, managed)).toBeGreaterThan(0);
      // contoso.local is not a verified domain of the tenant: every UPN is the MOERA.
      const { searchEntries } = await managed.search(`OU=AADDC Users,${emulator.managed.baseDn}`, { filter: '(&(sIDHistory=*)(objectClass=user))', attributes: ['userPrincipalName'], paged: true });
      expect(searchEntries.length).toBeGreaterThan(0);
      for (const e of searchEntries) expect(String(e.userPrincipalName)).toMatch(/@contoso\.onmicrosoft\.com$/);
    } finally {
      await source.unbind();
      await managed.unbind();
    }
  }, 300_000);
});
