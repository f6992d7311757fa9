import { Attribute, Change, Client, Control } from 'ldapts';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator.js';
import { failure } from '../support/ldapResults.js';

const BASE = 'DC=contoso,DC=com';
const OU = `OU=Sales,OU=United States,OU=Corp,${BASE}`;
const SHOW_DELETED = new Control('1.2.840.113556.1.4.417');
const TREE_DELETE = new Control('1.2.840.113556.1.4.805');

let emulator: RunningEmulator;
let now = Date.parse('2026-11-22T12:00:00Z');
let admin: Client;

beforeAll(async () => {
  emulator = await startEmulator({ sync: false, ldapPort: 0, ldapsPort: 0, logLevel: 'silent', clock: () => new Date(now), tombstoneLifetimeDays: 180 });
  admin = new Client({ url: emulator.onprem.ldapsUrl!, tlsOptions: { ca: [readFileSync(emulator.onprem.caFile!)] } });
  await admin.bind(emulator.onprem.admin.upn, emulator.onprem.admin.password);
});
afterAll(async () => {
  await admin?.unbind();
  await emulator?.stop();
});

describe('deletes leave tombstones (MS-ADTS 3.1.1.5.5)', () => {
  it('keeps a tombstone under CN=Deleted Objects, visible only with show-deleted, and frees the account name', async () => {
    const dn = `CN=Gone Soon,${OU}`;
    await admin.add(dn, { objectClass: 'user', sAMAccountName: 'gonesoon', userPrincipalName: 'gonesoon@contoso.com', description: 'dropped on delete' });
    const before = await admin.search(dn, { scope: 'base', attributes: ['objectGUID', 'objectSid'], explicitBufferAttributes: ['objectGUID', 'objectSid'] });
    const guid = before.searchEntries[0]!.objectGUID as Buffer;
    await admin.modify(`CN=VPN Users,OU=Groups,OU=Corp,${BASE}`, new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [dn] }) }));
    await admin.del(dn);

    // Samba 4.17: a base search of the old DN answers 32 (its text is "acl_read: Error retrieving instanceType for base.").
    expect((await failure(admin.search(dn, { scope: 'base' }))).code).toBe(32);
    // Samba 4.17: without show-deleted a subtree search does not see the tombstone.
    const hidden = await admin.search(BASE, { filter: '(sAMAccountName=gonesoon)' });
    expect(hidden.searchEntries).toHaveLength(0);

    const shown = await admin.search(BASE, { filter: '(sAMAccountName=gonesoon)', attributes: ['*'], explicitBufferAttributes: ['objectGUID', 'objectSid'] }, SHOW_DELETED);
    expect(shown.searchEntries).toHaveLength(1);
    const tombstone = shown.searchEntries[0]!;
    // Samba 4.17 answered the same DN form, `CN=Gone Soon\0ADEL:<dashed guid>,CN=Deleted Objects,DC=contoso,DC=local`,
    // with cn and name `Gone Soon\nDEL:<guid>`. It kept objectClass, instanceType, whenCreated, whenChanged,
    // uSNCreated, uSNChanged (bumped), objectGUID, objectSid, userAccountControl, sAMAccountName, isDeleted,
    // isRecycled, lastKnownParent, cn, name, distinguishedName and nTSecurityDescriptor; it dropped description,
    // displayName, givenName, sn, mail, telephoneNumber, userPrincipalName, objectCategory, sAMAccountType,
    // primaryGroupID, pwdLastSet and the other SAM counters, and memberOf.
    expect(tombstone.dn).toBe(`CN=Gone Soon\\0ADEL:${guidText(guid)},CN=Deleted Objects,${BASE}`);
    expect(tombstone.cn).toBe(`Gone Soon\nDEL:${guidText(guid)}`);
    expect(tombstone.name).toBe(`Gone Soon\nDEL:${guidText(guid)}`);
    expect(tombstone.isDeleted).toBe('TRUE');
    expect(tombstone.lastKnownParent).toBe(OU);
    expect(Buffer.compare(tombstone.objectGUID as Buffer, guid)).toBe(0);
    expect(tombstone.objectSid).toEqual(before.searchEntries[0]!.objectSid);
    expect(tombstone.sAMAccountName).toBe('gonesoon');
    expect(tombstone.userAccountControl).toBe('546');
    expect(Number(tombstone.uSNChanged)).toBeGreaterThan(Number(tombstone.uSNCreated));
    expect(tombstone.description).toBeUndefined();
    expect(tombstone.userPrincipalName).toBeUndefined();
    expect(tombstone.objectCategory).toBeUndefined();
    expect(tombstone.memberOf).toBeUndefined();
    // Samba 4.17: the group loses the member on delete, with or without show-deleted.
    const group = await admin.search(`CN=VPN Users,OU=Groups,OU=Corp,${BASE}`, { scope: 'base', attributes: ['member'] });
    expect(String(group.searchEntries[0]!.member)).not.toContain('Gone Soon');

    // The tombstone keeps its sAMAccountName but does not hold it against a new account (Samba 4.17: the same add succeeded).
    await admin.add(`CN=Gone Soon,${OU}`, { objectClass: 'user', sAMAccountName: 'gonesoon', userPrincipalName: 'gonesoon@contoso.com' });
    await admin.del(`CN=Gone Soon,${OU}`);
  });

  it('shows CN=Deleted Objects only with show-deleted', async () => {
    const container = `CN=Deleted Objects,${BASE}`;
    // Samba 4.17 with show-deleted: the container, with isDeleted TRUE, systemFlags -1946157056,
    // isCriticalSystemObject and showInAdvancedViewOnly TRUE.
    const shown = await admin.search(container, { scope: 'base', attributes: ['isDeleted', 'systemFlags', 'isCriticalSystemObject'] }, SHOW_DELETED);
    expect(shown.searchEntries[0]!).toMatchObject({ isDeleted: 'TRUE', systemFlags: '-1946157056', isCriticalSystemObject: 'TRUE' });
    // Samba 4.17 without show-deleted: result 0 and no entry, for a base search of the container, a one-level
    // search of it, and a base search of a tombstone's DN. We answer 32, which we believe Windows answers (ldp's "No Such
    // Object" without the "Return deleted objects" control; not checked on a Windows DC).
    expect((await failure(admin.search(container, { scope: 'base' }))).code).toBe(32);
  });

  it('purges tombstones once they are older than the tombstone lifetime', async () => {
    const count = async (): Promise<number> => (await admin.search(BASE, { filter: '(sAMAccountName=gonesoon)' }, SHOW_DELETED)).searchEntries.length;
    expect(await count()).toBe(2);
    now += 181 * 86_400_000;
    expect(emulator.onpremDc.purgeTombstones(180)).toBe(2);
    expect(await count()).toBe(0);
  });

  // Samba 4.17, which we follow: it drops sAMAccountType (not fPRESERVEONDELETE in the AD schema, so Windows drops it
  // too) and sets isRecycled: TRUE, the recycle bin being off (Samba copies Windows 2008 R2+ here; unverified on Windows).
  it('drops sAMAccountType and sets isRecycled on the tombstone, as Samba 4.17 does', async () => {
    const dn = `CN=Recycled Soon,${OU}`;
    await admin.add(dn, { objectClass: 'user', sAMAccountName: 'recycledsoon' });
    await admin.del(dn);
    const { searchEntries } = await admin.search(BASE, { filter: '(sAMAccountName=recycledsoon)', attributes: ['sAMAccountType', 'isRecycled'] }, SHOW_DELETED);
    expect(searchEntries[0]!.sAMAccountType).toEqual([]);
    expect(searchEntries[0]!.isRecycled).toBe('TRUE');
  });

  it('refuses to delete a non-leaf, unless the tree-delete control asks for the subtree', async () => {
    const ou = `OU=Doomed,${OU}`;
    await admin.add(ou, { objectClass: 'organizationalUnit' });
    await admin.add(`CN=Inside,${ou}`, { objectClass: 'user', sAMAccountName: 'insidedoomed' });
    // Samba 4.17: 66, "00002015: subtree_delete: Unable to delete a non-leaf node (it has 1 children)!"; we give
    // Windows' text, 00002015 ... problem 6003 (CANT_ON_NON_LEAF).
    const nonLeaf = await failure(admin.del(ou));
    expect(nonLeaf.code).toBe(66);
    expect(nonLeaf.message).toContain('00002015');
    // Samba 4.17: the tree-delete control deletes the subtree (and a leaf, too, with success).
    await admin.del(ou, TREE_DELETE);
    expect((await failure(admin.search(ou, { scope: 'base' }))).code).toBe(32);
    const deleted = await admin.search(BASE, { filter: '(|(sAMAccountName=insidedoomed)(ou=Doomed*))', attributes: ['lastKnownParent'] }, SHOW_DELETED);
    expect(deleted.searchEntries).toHaveLength(2);
  });

  // Samba 4.17, which we follow: after a tree delete, the child's lastKnownParent is the parent's tombstone DN
  // (`OU=Doomed\0ADEL:<guid>,CN=Deleted Objects,...`), since lastKnownParent is a DN reference that follows
  // the parent's rename into Deleted Objects (Windows behaves so too: a child is restored after its parent).
  it('points a tree-deleted child at its parent\'s tombstone, as Samba 4.17 does', async () => {
    const ou = `OU=Doomed Too,${OU}`;
    await admin.add(ou, { objectClass: 'organizationalUnit' });
    await admin.add(`CN=Inside Too,${ou}`, { objectClass: 'user', sAMAccountName: 'insidetoo' });
    await admin.del(ou, TREE_DELETE);
    const { searchEntries } = await admin.search(BASE, { filter: '(sAMAccountName=insidetoo)', attributes: ['lastKnownParent'] }, SHOW_DELETED);
    expect(searchEntries[0]!.lastKnownParent).toMatch(/^OU=Doomed Too\\0ADEL:[0-9a-f-]{36},CN=Deleted Objects,DC=contoso,DC=com$/);
  });

  // Samba 4.17 answered 32 ("00000525: specified dn doesn't exist") to both member adds.
  it('refuses a link to a tombstone by its DN, and to CN=Deleted Objects', async () => {
    const dn = `CN=Linked Gone,${OU}`;
    const group = `CN=VPN Users,OU=Groups,OU=Corp,${BASE}`;
    await admin.add(dn, { objectClass: 'user', sAMAccountName: 'linkedgone' });
    await admin.del(dn);
    const { searchEntries } = await admin.search(BASE, { filter: '(sAMAccountName=linkedgone)', attributes: ['cn'] }, SHOW_DELETED);
    const tombstoneDn = searchEntries[0]!.dn;
    expect(tombstoneDn).toContain('\\0ADEL:');
    const addMember = (member: string): Promise<void> => admin.modify(group, new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [member] }) }));
    expect((await failure(addMember(tombstoneDn))).code).toBe(32);
    expect((await failure(addMember(`CN=Deleted Objects,${BASE}`))).code).toBe(32);
    expect((await failure(addMember(`CN=Deleted\\20Objects,${BASE}`))).code).toBe(32);
    const members = await admin.search(group, { scope: 'base', attributes: ['member'] });
    expect(String(members.searchEntries[0]!.member)).not.toMatch(/Deleted Objects/);
  });
});

function guidText(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  const le = (s: string): string => s.match(/../g)!.reverse().join('');
  return `${le(hex.slice(0, 8))}-${le(hex.slice(8, 12))}-${le(hex.slice(12, 16))}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
