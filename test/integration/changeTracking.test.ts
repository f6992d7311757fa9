import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, BerWriter, Change, Client, Control, type Entry } from 'ldapts';
import ldapjs, { type Client as LdapjsClient } from 'ldapjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeUnicodePwd } from '../../src/ad/crypto/unicodePwd.js';
import { ntHash } from '../../src/ad/crypto/ntHash.js';
import { guidToString, sidToString } from '../../src/directory/binary.js';
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
  emulator = await startEmulator({ sync: false, ldapPort: 0, ldapsPort: 0, logLevel: 'silent', dataDir });
  const account = emulator.onpremCredentials.accounts[0]!;
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

/** LDAP_SERVER_EXTENDED_DN_OID (MS-ADTS 3.1.1.3.4.1.5): value SEQUENCE { Flag INTEGER }, 1 = string GUID/SID, 0 = hex. */
class ExtendedDnControl extends Control {
  constructor(private readonly flag = 1) {
    super('1.2.840.113556.1.4.529');
  }

  protected override writeControl(writer: BerWriter): void {
    const value = new BerWriter();
    value.startSequence();
    value.writeInt(this.flag);
    value.endSequence();
    writer.writeBuffer(value.buffer, 0x04);
  }
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
    // Samba 4.17 (as Administrator, empty cookie): every object of the NC in one response (1505 entries, more
    // flag 0, second field 0, a 108-byte cookie starting "MSDS"), the NC root, CN=Deleted Objects and its
    // tombstones included, each with objectGUID, instanceType and parentGUID added unasked; it ignored MaxBytes.
    // We send at most 1000 entries per response and set the more flag until the last.
    const first = await dirSync(c, Buffer.alloc(0));
    expect(first.entries).toHaveLength(1000);
    expect(first.control.moreResults).toBe(true);
    const full = await drain(c, Buffer.alloc(0));
    expect(full.entries.length).toBeGreaterThanOrEqual(1744);
    expect(full.entries.some((e) => e.dn === BASE)).toBe(true);
    expect(full.entries.some((e) => e.dn === `CN=Deleted Objects,${BASE}`)).toBe(true);
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
    // Samba 4.17: an entry carries the requested attributes that changed, plus objectGUID and instanceType
    // always; a requested attribute that did not change does not come back.
    expect(user.displayName).toBe('Tracked');
    expect(user.instanceType).toBe('4');
    expect((user.objectGUID as Buffer).length).toBe(16);
    const group = delta.entries.find((e) => e.dn === GROUP)!;
    // LDAP_DIRSYNC_INCREMENTAL_VALUES: only the value added, as AD sends it (Samba 4.17: `member;range=1-1`
    // with the added DN, no plain member, no unchanged attribute; without the flag, the whole member list).
    expect(group['member;range=1-1']).toBe(`CN=Tracked Me,${OU_B}`);
    expect(absent(group, 'member')).toBe(true);
    expect(absent(group, 'sAMAccountName')).toBe(true);
    const whole = await dirSync(c, full.cookie, 0);
    expect(whole.entries.find((e) => e.dn === GROUP)!.member).toContain(`CN=Tracked Me,${OU_B}`);

    const a2 = await admin();
    await a2.modify(GROUP, new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [`CN=Tracked Me,${OU_B}`] }) }));
    const membership = await drain(c, delta.cookie);
    expect(membership.entries.map((e) => e.dn)).toEqual([GROUP]);
    // Samba 4.17: `member;range=0-0` with the removed DN.
    expect(membership.entries[0]!['member;range=0-0']).toBe(`CN=Tracked Me,${OU_B}`);
    await a2.del(`CN=Tracked Me,${OU_B}`);
    await a2.unbind();
    const after = await drain(c, membership.cookie);
    const tombstone = after.entries.find((e) => e.isDeleted === 'TRUE')!;
    // Samba 4.17: the delete comes back as the tombstone, with isDeleted TRUE and name `<cn>\nDEL:<guid>`.
    expect(tombstone.dn).toMatch(/^CN=Tracked Me\\0ADEL:[0-9a-f-]{36},CN=Deleted Objects,DC=contoso,DC=com$/);
    expect(tombstone.name).toMatch(/^Tracked Me\nDEL:[0-9a-f-]{36}$/);
    expect(after.entries).toHaveLength(1);

    // Samba 4.17: no change since the cookie, no entry.
    const nothing = await drain(c, after.cookie);
    expect(nothing.entries).toHaveLength(0);
    await c.unbind();
  });

  it('needs DS-Replication-Get-Changes: a plain user gets insufficientAccessRights', async () => {
    const c = await client('driley@contoso.com', 'Passw0rd!');
    const error = await failure(dirSync(c, Buffer.alloc(0)));
    // Samba 4.17: 50, "error in module dirsync: insufficient access rights during LDB_SEARCH (50)"; we give
    // Windows' 00002098 SecErr text.
    expect(error.code).toBe(50);
    expect(error.message).toContain('INSUFF_ACCESS_RIGHTS');
    await c.unbind();
  });

  it('works only from a naming-context root', async () => {
    const a = await admin();
    const control = (flags: number): DirSyncControl => new DirSyncControl({ flags });
    // Samba 4.17: a base below the NC root gets 50 ("dN is not one of the naming context"), and 53 when
    // LDAP_DIRSYNC_OBJECT_SECURITY (1) is set ("DN is not one of the naming context").
    expect((await failure(a.search(OU_A, { filter: '(objectClass=*)' }, control(0)))).code).toBe(50);
    expect((await failure(a.search(OU_A, { filter: '(objectClass=*)' }, control(1)))).code).toBe(53);
    await a.unbind();
  });

  // Samba 4.17, which we follow: with LDAP_DIRSYNC_OBJECT_SECURITY (1) a plain user (alice) got a full sync there
  // (1468 entries, the objects and attributes she may read), as Windows documents for the flag; before, we answered 50.
  it('lets a plain user sync what it may read with LDAP_DIRSYNC_OBJECT_SECURITY, as Samba 4.17 does', async () => {
    const c = await client('driley@contoso.com', 'Passw0rd!');
    const { entries } = await dirSync(c, Buffer.alloc(0), 1);
    expect(entries.length).toBeGreaterThan(0);
    await c.unbind();
  });

  // Differs from Samba 4.17 (1) parentGUID: Samba adds it unasked, with name, on the initial sync, an add, a rename,
  // a move and a delete (then the GUID of CN=Deleted Objects), when name is asked for or all attributes are (as
  // here); we did not.
  // (2) a cleared attribute: Samba sends it as an attribute with no values (here description after
  // `delete: description`); before, we left it out and a client could not see the clear.
  it('sends parentGUID on a move and a cleared attribute with no values, as Samba 4.17 does', async () => {
    const c = await client(msol.name, msol.password);
    const { cookie } = await drain(c, Buffer.alloc(0));
    const a = await admin();
    const dn = `CN=Moved Clear,${OU_A}`;
    await a.add(dn, { objectClass: 'user', sAMAccountName: 'movedclear', description: 'to clear' });
    const added = await drain(c, cookie);
    expect(added.entries[0]!.parentGUID).toBeDefined();
    await a.modifyDN(dn, `CN=Moved Clear,${OU_B}`);
    await a.modify(`CN=Moved Clear,${OU_B}`, new Change({ operation: 'delete', modification: new Attribute({ type: 'description', values: [] }) }));
    await a.unbind();
    const control = new DirSyncControl({ flags: INCREMENTAL_VALUES, cookie: added.cookie });
    const { searchEntries } = await c.search(BASE, { filter: '(objectClass=*)' }, control);
    const moved = searchEntries.find((e) => e.dn === `CN=Moved Clear,${OU_B}`)!;
    expect(moved.parentGUID).toBeDefined();
    expect(moved.name).toBe('Moved Clear');
    expect(moved.description).toEqual([]);
    await c.unbind();
  });

  // Samba 4.17 with the Extended DN control (flag 1) next to DirSync: the entry's DN and every forward-link value,
  // incremental (`member;range=1-1`, `member;range=0-0`) or not, as `<GUID=dashed>;<SID=S-1-5-...>;DN`
  // (`<GUID=..>;DN` for objects without a SID); flag 0 gives the hex of the raw bytes instead. Before, we ignored it.
  it('honours the Extended DN control on DirSync entries and link values, full and incremental, as Samba 4.17 does', async () => {
    const DAN = `CN=Dan Riley,OU=Engineering,OU=United States,OU=Corp,${BASE}`;
    const a = await admin();
    const identity = async (dn: string): Promise<{ guid: string; sid: string; hexGuid: string; hexSid: string }> => {
      const [entry] = (await a.search(dn, { scope: 'base', attributes: ['objectGUID', 'objectSid'], explicitBufferAttributes: ['objectGUID', 'objectSid'] })).searchEntries;
      const guid = entry!.objectGUID as Buffer;
      const sid = entry!.objectSid as Buffer;
      return { guid: guidToString(guid), sid: sidToString(sid), hexGuid: guid.toString('hex'), hexSid: sid.toString('hex') };
    };
    const extended = (id: { guid: string; sid: string }, dn: string): string => `<GUID=${id.guid}>;<SID=${id.sid}>;${dn}`;
    const group = await identity(GROUP);
    const dan = await identity(DAN);
    const c = await client(msol.name, msol.password);
    const search = async (cookie: Buffer, flag = 1): Promise<{ entries: Entry[]; cookie: Buffer; more: boolean }> => {
      const control = new DirSyncControl({ flags: INCREMENTAL_VALUES, cookie });
      const { searchEntries } = await c.search(BASE, { filter: '(|(objectClass=user)(objectClass=group))', attributes: ['objectGUID', 'objectSid', 'name', 'member', 'manager', 'isDeleted'], explicitBufferAttributes: ['objectGUID', 'objectSid'] }, [control, new ExtendedDnControl(flag)]);
      return { entries: searchEntries, cookie: control.cookie, more: control.moreResults };
    };

    const full: Entry[] = [];
    let cookie: Buffer = Buffer.alloc(0);
    for (;;) {
      const batch = await search(cookie);
      full.push(...batch.entries);
      cookie = batch.cookie;
      if (!batch.more) break;
    }
    for (const entry of full) {
      // Every DN is extended, and its GUID and SID are the entry's own.
      const m = /^<GUID=([0-9a-f-]{36})>;<SID=(S-1-5-[0-9-]+)>;(.+)$/.exec(entry.dn);
      expect(m, entry.dn).not.toBeNull();
      expect(m![1]).toBe(guidToString(entry.objectGUID as Buffer));
      expect(m![2]).toBe(sidToString(entry.objectSid as Buffer));
    }
    const groupEntry = full.find((e) => e.dn === extended(group, GROUP))!;
    expect(groupEntry).toBeDefined();
    const members = [groupEntry['member;range=1-1']].flat() as string[];
    expect(members).toContain(extended(dan, DAN));
    for (const v of members) expect(v).toMatch(/^<GUID=[0-9a-f-]{36}>;<SID=S-1-5-21-[0-9-]+>;CN=[^,]+,.*DC=contoso,DC=com$/);
    const danEntry = full.find((e) => e.dn === extended(dan, DAN))!;
    expect(String(danEntry['manager;range=1-1'])).toMatch(/^<GUID=[0-9a-f-]{36}>;<SID=S-1-5-21-[0-9-]+>;CN=Priya Patel,/);

    const dn = `CN=Extended Member,${OU_A}`;
    await a.add(dn, { objectClass: 'user', sAMAccountName: 'extmember' });
    const added = await identity(dn);
    cookie = (await search(cookie)).cookie;
    await a.modify(GROUP, new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [dn] }) }));
    // Samba 4.17, flag 1: `member;range=1-1: <GUID=..>;<SID=..>;CN=...` and the group's own DN extended alike.
    let delta = await search(cookie);
    expect(delta.entries.map((e) => e.dn)).toEqual([extended(group, GROUP)]);
    expect(delta.entries[0]!['member;range=1-1']).toBe(extended(added, dn));
    // Flag 0: the same in hex (Samba 4.17: `<GUID=a5f359be...>;<SID=0105000000000005...>;CN=...`).
    const hex = await search(cookie, 0);
    expect(hex.entries[0]!.dn).toBe(`<GUID=${group.hexGuid}>;<SID=${group.hexSid}>;${GROUP}`);
    expect(hex.entries[0]!['member;range=1-1']).toBe(`<GUID=${added.hexGuid}>;<SID=${added.hexSid}>;${dn}`);
    cookie = delta.cookie;

    await a.modify(GROUP, new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [dn] }) }));
    delta = await search(cookie);
    expect(delta.entries.map((e) => e.dn)).toEqual([extended(group, GROUP)]);
    expect(delta.entries[0]!['member;range=0-0']).toBe(extended(added, dn));
    await a.del(dn);
    await a.unbind();
    await c.unbind();
  });

  // Samba 4.17 dirsync.c, which we now follow: no RDN attribute (cn) and no non-replicated one (whenChanged,
  // uSNChanged, logonCount...); a link cleared without LDAP_DIRSYNC_INCREMENTAL_VALUES as an attribute with no values;
  // an object none of whose requested attributes changed not at all (a rename when name is not asked for); and
  // with LDAP_DIRSYNC_OBJECT_SECURITY a plain user sees no tombstone, so no delete.
  it('sends only replicated, requested changes, a cleared link as empty, and hides deletes from a plain user', async () => {
    const c = await client(msol.name, msol.password);
    const { cookie } = await drain(c, Buffer.alloc(0));
    const plain = await client('driley@contoso.com', 'Passw0rd!');
    const plainCookie = (await dirSync(plain, Buffer.alloc(0), INCREMENTAL_VALUES | 1, ['objectGUID', 'isDeleted', 'name'])).control.cookie;
    const a = await admin();
    const dn = `CN=Replicated Only,${OU_A}`;
    await a.add(dn, { objectClass: 'user', sAMAccountName: 'replonly', manager: `CN=John Smith,${OU_A}` });
    const control = new DirSyncControl({ flags: 0, cookie });
    const { searchEntries } = await c.search(BASE, { filter: '(sAMAccountName=replonly)' }, control);
    const entry = searchEntries[0]!;
    expect(entry.sAMAccountName).toBe('replonly');
    expect(entry.name).toBe('Replicated Only');
    for (const attribute of ['cn', 'whenChanged', 'uSNChanged', 'uSNCreated', 'logonCount', 'badPwdCount', 'lastLogon']) expect(entry[attribute], attribute).toBeUndefined();

    await a.modify(dn, new Change({ operation: 'delete', modification: new Attribute({ type: 'manager', values: [] }) }));
    const cleared = await c.search(BASE, { filter: '(sAMAccountName=replonly)' }, new DirSyncControl({ flags: 0, cookie: control.cookie }));
    expect(cleared.searchEntries[0]!.manager).toEqual([]);

    const renamed = new DirSyncControl({ flags: INCREMENTAL_VALUES, cookie: control.cookie });
    await a.modifyDN(dn, 'CN=Replicated Renamed');
    const notAsked = await c.search(BASE, { filter: '(sAMAccountName=replonly)', attributes: ['sAMAccountName', 'displayName'] }, renamed);
    expect(notAsked.searchEntries).toHaveLength(0);

    await a.del(`CN=Replicated Renamed,${OU_A}`);
    await a.unbind();
    const deletes = await dirSync(plain, plainCookie, INCREMENTAL_VALUES | 1, ['objectGUID', 'isDeleted', 'name']);
    expect(deletes.entries.some((e) => e.dn.startsWith('CN=Replicated'))).toBe(false);
    const asReplicator = await dirSync(c, plainCookie, INCREMENTAL_VALUES, ['objectGUID', 'isDeleted', 'name']);
    expect(asReplicator.entries.some((e) => e.isDeleted === 'TRUE' && e.dn.startsWith('CN=Replicated Renamed\\0ADEL:'))).toBe(true);
    await plain.unbind();
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
    const asAdmin = await adminClient.search(BASE, { filter: '(sAMAccountName=hashme)', attributes: ['sAMAccountName', 'unicodePwd', 'supplementalCredentials'] }, new DirSyncControl());
    expect(asAdmin.searchEntries).toHaveLength(1);
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

  function watch(filter: string): Promise<{ entries: string[]; attributes: string[][]; first: Promise<number>; done: Promise<{ status: number }>; abandon: () => void; client: LdapjsClient }> {
    return new Promise((resolve, reject) => {
      const client = ldapjs.createClient({ url: emulator.onprem.ldapUrl });
      client.on('error', reject);
      client.bind(DAN, 'Passw0rd!', (bindError) => {
        if (bindError) return reject(bindError);
        const control = new ldapjs.Control({ type: '1.2.840.113556.1.4.528', criticality: true });
        client.search(OU_A, { filter, scope: 'sub', attributes: ['description'] }, [control], (error, res) => {
          if (error) return reject(error);
          const entries: string[] = [];
          const attributes: string[][] = [];
          let messageId = 0;
          res.on('searchRequest', (req: { messageId: number }) => (messageId = req.messageId));
          let seen: (t: number) => void = () => undefined;
          const first = new Promise<number>((r) => (seen = r));
          const done = new Promise<{ status: number }>((r) => {
            res.on('end', (result) => r({ status: result?.status ?? 0 }));
            res.on('error', (e: { code?: number }) => r({ status: e.code ?? -1 }));
          });
          res.on('searchEntry', (entry) => {
            attributes.push((entry.pojo as unknown as { attributes: { type: string }[] }).attributes.map((a) => a.type));
            entries.push(String(entry.pojo.objectName));
            seen(performance.now());
          });
          resolve({ entries, attributes, first, done, client, abandon: () => client.abandon(messageId, () => undefined) });
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
    // Samba 4.17 polls (it sent the change about 9 s after the commit); Windows and we send at once.
    expect(seenAt - committed).toBeLessThan(100);
    expect(w.entries).toEqual([JOHN]);
    // Samba 4.17: the entry holds the requested attributes only (here description; the whole entry when none
    // are named), with the search's own message ID.
    expect(w.attributes).toEqual([['description']]);
    w.abandon();
    await new Promise((r) => setTimeout(r, 20));
    await a.modify(JOHN, new Change({ operation: 'replace', modification: new Attribute({ type: 'description', values: ['after abandon'] }) }));
    await new Promise((r) => setTimeout(r, 50));
    expect(w.entries).toEqual([JOHN]);
    await a.unbind();
    w.client.destroy();
  });

  it('refuses any filter but (objectClass=*) with unwillingToPerform', async () => {
    // Samba 4.17: 53, "000020B9: Search filter too complex." (ERROR_DS_NOTIFY_FILTER_TOO_COMPLEX), for
    // (sAMAccountName=*), (cn=*) and (objectClass=user) alike; (OBJECTCLASS=*) is taken. Our text starts 00000035.
    for (const filter of ['(sAMAccountName=*)', '(objectClass=user)']) {
      const w = await watch(filter);
      expect((await w.done).status).toBe(53);
      w.client.destroy();
    }
  });

  it('takes at most 5 per connection (MaxNotificationPerConn), then adminLimitExceeded', async () => {
    const c = await client('driley@contoso.com', 'Passw0rd!');
    const notification = (): Control => new Control('1.2.840.113556.1.4.528', { critical: true });
    for (let i = 0; i < 5; i++) c.search(OU_A, { scope: 'base', filter: '(objectClass=*)', attributes: ['ou'] }, notification()).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    // Samba 4.17: the sixth gets 11, "00002024: MaxNotificationPerConn reached"; refused ones do not count.
    const sixth = await failure(c.search(OU_A, { scope: 'base', filter: '(objectClass=*)', attributes: ['ou'] }, notification()));
    expect(sixth.code).toBe(11);
    await c.unbind().catch(() => undefined);
  });
});
