import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Client, type Entry } from 'ldapts';
import ldapjs, { type Client as LdapjsClient } from 'ldapjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeUnicodePwd } from '../../src/ad/crypto/unicodePwd.js';
import { ntHash } from '../../src/ad/crypto/ntHash.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator.js';
import { DirSyncControl } from '../support/dirSyncControl.js';
import { failure } from '../support/ldapResults.js';

const BASE = 'DC=contoso,DC=com';
const OU_A = `OU=Sales,OU=United States,OU=Corp,${BASE}`;
const OU_B = `OU=Finance,OU=United States,OU=Corp,${BASE}`;
const GROUP = `CN=VPN Users,OU=Groups,OU=Corp,${BASE}`;
const INCREMENTAL_VALUES = 0x80000000;

let dataDir: string;
let emulator: RunningEmulator;
let msol: { name: string; password: string };

async function start(): Promise<void> {
  emulator = await startEmulator({ ldapPort: 0, ldapsPort: 0, logLevel: 'silent', dataDir });
  const account = emulator.onpremCredentials.replication[0]!;
  msol = { name: `${account.sAMAccountName}@contoso.com`, password: account.password };
}

async function client(name: string, password: string, secure = false): Promise<Client> {
  const c = secure
    ? new Client({ url: emulator.onprem.ldapsUrl!, tlsOptions: { ca: [readFileSync(emulator.onprem.caFile!)] } })
    : new Client({ url: emulator.onprem.ldapUrl });
  await c.bind(name, password);
  return c;
}

const admin = (): Promise<Client> => client(emulator.onprem.admin.upn, emulator.onprem.admin.password, true);

/** One DirSync call as Entra Connect makes it; returns the entries and the control with the new cookie. */
async function dirSync(c: Client, cookie: Buffer, flags = INCREMENTAL_VALUES, attributes: string[] = ['objectGUID', 'sAMAccountName', 'displayName', 'member', 'isDeleted', 'name']): Promise<{ entries: Entry[]; control: DirSyncControl }> {
  const control = new DirSyncControl({ flags, cookie });
  const { searchEntries } = await c.search(BASE, { filter: '(objectClass=*)', attributes, explicitBufferAttributes: ['objectGUID', 'unicodePwd'] }, control);
  return { entries: searchEntries, control };
}

/** DirSync until the cookie says nothing more remains. */
async function drain(c: Client, cookie: Buffer): Promise<{ entries: Entry[]; cookie: Buffer }> {
  const all: Entry[] = [];
  for (;;) {
    const { entries, control } = await dirSync(c, cookie);
    all.push(...entries);
    cookie = control.cookie;
    if (!control.moreResults) return { entries: all, cookie };
  }
}

/** ldapts lists a requested attribute the server did not return as an empty array. */
function absent(entry: Entry, attribute: string): boolean {
  const value = entry[attribute];
  return value === undefined || (Array.isArray(value) && value.length === 0);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'dsemu-dirsync-'));
  await start();
});
afterAll(async () => {
  await emulator?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('DirSync (1.2.840.113556.1.4.841)', () => {
  it('follows every change from an empty cookie, across a DC restart, as Entra Connect reads it', async () => {
    let c = await client(msol.name, msol.password);
    const full = await drain(c, Buffer.alloc(0));
    expect(full.entries.length).toBeGreaterThanOrEqual(1744);
    expect(full.entries.some((e) => e.dn.startsWith('CN=Dan Riley,'))).toBe(true);
    await c.unbind();

    const a = await admin();
    const dn = `CN=Track Me,${OU_A}`;
    await a.add(dn, { objectClass: 'user', sAMAccountName: 'trackme', displayName: 'Track Me' });
    await a.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'displayName', values: ['Tracked'] }) }));
    await a.modifyDN(dn, 'CN=Tracked Me');
    await a.modifyDN(`CN=Tracked Me,${OU_A}`, `CN=Tracked Me,${OU_B}`);
    await a.modify(GROUP, new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [`CN=Tracked Me,${OU_B}`] }) }));
    await a.unbind();

    // The DC restarts between two calls: the cookie still works.
    await emulator.stop();
    await start();

    c = await client(msol.name, msol.password);
    const delta = await drain(c, full.cookie);
    const names = delta.entries.map((e) => e.dn);
    expect(names).toContain(`CN=Tracked Me,${OU_B}`);
    expect(names).toContain(GROUP);
    expect(delta.entries.length).toBe(2);
    const user = delta.entries.find((e) => e.dn.startsWith('CN=Tracked Me'))!;
    expect(user.displayName).toBe('Tracked');
    const group = delta.entries.find((e) => e.dn === GROUP)!;
    // LDAP_DIRSYNC_INCREMENTAL_VALUES: only the value added, as AD sends it.
    expect(group['member;range=1-1']).toBe(`CN=Tracked Me,${OU_B}`);
    expect(absent(group, 'member')).toBe(true);

    const a2 = await admin();
    await a2.modify(GROUP, new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [`CN=Tracked Me,${OU_B}`] }) }));
    const membership = await drain(c, delta.cookie);
    expect(membership.entries.map((e) => e.dn)).toEqual([GROUP]);
    expect(membership.entries[0]!['member;range=0-0']).toBe(`CN=Tracked Me,${OU_B}`);
    await a2.del(`CN=Tracked Me,${OU_B}`);
    await a2.unbind();
    const after = await drain(c, membership.cookie);
    const tombstone = after.entries.find((e) => e.isDeleted === 'TRUE')!;
    expect(tombstone.dn).toMatch(/^CN=Tracked Me\\0ADEL:[0-9a-f-]{36},CN=Deleted Objects,DC=contoso,DC=com$/);
    expect(after.entries).toHaveLength(1);

    const nothing = await drain(c, after.cookie);
    expect(nothing.entries).toHaveLength(0);
    await c.unbind();
  });

  it('needs DS-Replication-Get-Changes: a plain user gets insufficientAccessRights', async () => {
    const c = await client('driley@contoso.com', 'Passw0rd!');
    const error = await failure(dirSync(c, Buffer.alloc(0)));
    expect(error.code).toBe(50);
    expect(error.message).toContain('INSUFF_ACCESS_RIGHTS');
    await c.unbind();
  });

  it('gives the replication principal, and only it, the hashes of changed users over loopback', async () => {
    const a = await admin();
    const dn = `CN=Hash Me,${OU_A}`;
    await a.add(dn, { objectClass: 'user', sAMAccountName: 'hashme', userAccountControl: '512', unicodePwd: encodeUnicodePwd('Hash3d!Pass') as unknown as string });
    await a.unbind();
    const expected = ntHash('Hash3d!Pass');

    const c = await client(msol.name, msol.password);
    const { entries } = await drain(c, Buffer.alloc(0)).then(async (full) => full);
    const hashed = entries.find((e) => e.dn === dn)!;
    expect(absent(hashed, 'unicodePwd')).toBe(true); // not asked for by name
    const control = new DirSyncControl({ flags: 0 });
    const withSecrets = await c.search(BASE, { filter: '(sAMAccountName=hashme)', attributes: ['sAMAccountName', 'unicodePwd', 'supplementalCredentials'], explicitBufferAttributes: ['unicodePwd'] }, control);
    const entry = withSecrets.searchEntries.find((e) => e.dn === dn)!;
    expect(Buffer.compare(entry.unicodePwd as Buffer, expected)).toBe(0);
    const kerberos = JSON.parse(String(entry.supplementalCredentials));
    expect(kerberos['Primary:Kerberos-Newer-Keys'].keys.map((k: { type: number }) => k.type)).toEqual([18, 17]);
    await c.unbind();

    // Administrator holds Get-Changes too, but real AD never hands hashes out over LDAP.
    const adminClient = await admin();
    const asAdmin = await adminClient.search(BASE, { filter: '(sAMAccountName=hashme)', attributes: ['unicodePwd', 'supplementalCredentials'] }, new DirSyncControl());
    expect(absent(asAdmin.searchEntries[0]!, 'unicodePwd')).toBe(true);
    expect(absent(asAdmin.searchEntries[0]!, 'supplementalCredentials')).toBe(true);
    await adminClient.unbind();
  });
});

describe('no search leaks a hash or a key', () => {
  it('walks every attribute of every seeded user as Administrator and as a user', async () => {
    const schemaText = readFileSync(join(import.meta.dirname, '..', '..', 'schema', 'ad.schema'), 'utf8');
    const attributes = ['*', ...[...schemaText.matchAll(/^attributeTypes: \( \S+ NAME '([^']+)'/gm)].map((m) => m[1]!)];
    expect(attributes).toContain('unicodePwd');
    const hash = ntHash('Passw0rd!');
    for (const [name, password] of [[emulator.onprem.admin.upn, emulator.onprem.admin.password], ['driley@contoso.com', 'Passw0rd!']] as const) {
      const c = await client(name, password, true);
      const { searchEntries } = await c.search(BASE, { filter: '(&(objectCategory=person)(objectClass=user))', attributes: attributes.filter((a) => !/^tokenGroups/i.test(a)), paged: { pageSize: 500 }, explicitBufferAttributes: attributes });
      expect(searchEntries.length).toBeGreaterThan(1600);
      for (const entry of searchEntries) {
        for (const [type, value] of Object.entries(entry)) {
          const values = Array.isArray(value) ? value : [value];
          if (values.length > 0) expect(type.toLowerCase()).not.toMatch(/unicodepwd|supplementalcredentials|dbcspwd|ntpwdhistory|lmpwdhistory/);
          for (const v of values) {
            const bytes = Buffer.isBuffer(v) ? v : Buffer.from(String(v));
            expect(bytes.includes(hash)).toBe(false);
            expect(bytes.includes(Buffer.from(hash.toString('hex')))).toBe(false);
          }
        }
      }
      await c.unbind();
    }
  }, 120_000);
});

describe('change notification (1.2.840.113556.1.4.528)', () => {
  // ldapts waits for SearchResultDone, which a notification search never sends; ldapjs's client
  // streams entries as they come, so it plays the long-lived watcher here.
  const DAN = `CN=Dan Riley,OU=Engineering,OU=United States,OU=Corp,${BASE}`;
  const JOHN = `CN=John Smith,${OU_A}`;

  function watch(filter: string): Promise<{ entries: string[]; first: Promise<number>; done: Promise<{ status: number }>; abandon: () => void; client: LdapjsClient }> {
    return new Promise((resolve, reject) => {
      const client = ldapjs.createClient({ url: emulator.onprem.ldapUrl });
      client.on('error', reject);
      client.bind(DAN, 'Passw0rd!', (bindError) => {
        if (bindError) return reject(bindError);
        const control = new ldapjs.Control({ type: '1.2.840.113556.1.4.528', criticality: true });
        client.search(OU_A, { filter, scope: 'sub', attributes: ['description'] }, [control], (error, res) => {
          if (error) return reject(error);
          const entries: string[] = [];
          let messageId = 0;
          res.on('searchRequest', (req: { messageId: number }) => (messageId = req.messageId));
          let seen: (t: number) => void = () => undefined;
          const first = new Promise<number>((r) => (seen = r));
          const done = new Promise<{ status: number }>((r) => {
            res.on('end', (result) => r({ status: result?.status ?? 0 }));
            res.on('error', (e: { code?: number }) => r({ status: e.code ?? -1 }));
          });
          res.on('searchEntry', (entry) => {
            entries.push(String(entry.pojo.objectName));
            seen(performance.now());
          });
          resolve({ entries, first, done, client, abandon: () => client.abandon(messageId, () => undefined) });
        });
      });
    });
  }

  it('sends a modify as an entry of the open search within 100 ms of its commit, until abandoned', async () => {
    const w = await watch('(objectClass=*)');
    await new Promise((r) => setTimeout(r, 20));
    const a = await admin();
    await a.modify(JOHN, new Change({ operation: 'replace', modification: new Attribute({ type: 'description', values: ['watched'] }) }));
    const committed = performance.now();
    const seenAt = await Promise.race([w.first, new Promise<number>((r) => setTimeout(() => r(Number.POSITIVE_INFINITY), 1000))]);
    expect(seenAt - committed).toBeLessThan(100);
    expect(w.entries).toEqual([JOHN]);
    w.abandon();
    await new Promise((r) => setTimeout(r, 20));
    await a.modify(JOHN, new Change({ operation: 'replace', modification: new Attribute({ type: 'description', values: ['after abandon'] }) }));
    await new Promise((r) => setTimeout(r, 50));
    expect(w.entries).toEqual([JOHN]);
    await a.unbind();
    w.client.destroy();
  });

  it('refuses any filter but (objectClass=*) with unwillingToPerform', async () => {
    const w = await watch('(sAMAccountName=*)');
    expect((await w.done).status).toBe(53);
    w.client.destroy();
  });
});
