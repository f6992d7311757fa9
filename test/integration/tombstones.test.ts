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
  emulator = await startEmulator({ ldapPort: 0, ldapsPort: 0, logLevel: 'silent', clock: () => new Date(now), tombstoneLifetimeDays: 180 });
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

    expect((await failure(admin.search(dn, { scope: 'base' }))).code).toBe(32);
    const hidden = await admin.search(BASE, { filter: '(sAMAccountName=gonesoon)' });
    expect(hidden.searchEntries).toHaveLength(0);

    const shown = await admin.search(BASE, { filter: '(sAMAccountName=gonesoon)', attributes: ['*'], explicitBufferAttributes: ['objectGUID', 'objectSid'] }, SHOW_DELETED);
    expect(shown.searchEntries).toHaveLength(1);
    const tombstone = shown.searchEntries[0]!;
    expect(tombstone.dn).toBe(`CN=Gone Soon\\0ADEL:${guidText(guid)},CN=Deleted Objects,${BASE}`);
    expect(tombstone.isDeleted).toBe('TRUE');
    expect(tombstone.lastKnownParent).toBe(OU);
    expect(Buffer.compare(tombstone.objectGUID as Buffer, guid)).toBe(0);
    expect(tombstone.objectSid).toEqual(before.searchEntries[0]!.objectSid);
    expect(Number(tombstone.uSNChanged)).toBeGreaterThan(0);
    expect(tombstone.description).toBeUndefined();
    const group = await admin.search(`CN=VPN Users,OU=Groups,OU=Corp,${BASE}`, { scope: 'base', attributes: ['member'] });
    expect(String(group.searchEntries[0]!.member)).not.toContain('Gone Soon');

    // The tombstone keeps its sAMAccountName but does not hold it against a new account.
    await admin.add(`CN=Gone Soon,${OU}`, { objectClass: 'user', sAMAccountName: 'gonesoon', userPrincipalName: 'gonesoon@contoso.com' });
    await admin.del(`CN=Gone Soon,${OU}`);
  });

  it('purges tombstones once they are older than the tombstone lifetime', async () => {
    const count = async (): Promise<number> => (await admin.search(BASE, { filter: '(sAMAccountName=gonesoon)' }, SHOW_DELETED)).searchEntries.length;
    expect(await count()).toBe(2);
    now += 181 * 86_400_000;
    expect(emulator.onpremDc.purgeTombstones(180)).toBe(2);
    expect(await count()).toBe(0);
  });

  it('refuses to delete a non-leaf, unless the tree-delete control asks for the subtree', async () => {
    const ou = `OU=Doomed,${OU}`;
    await admin.add(ou, { objectClass: 'organizationalUnit' });
    await admin.add(`CN=Inside,${ou}`, { objectClass: 'user', sAMAccountName: 'insidedoomed' });
    expect((await failure(admin.del(ou))).code).toBe(66);
    await admin.del(ou, TREE_DELETE);
    expect((await failure(admin.search(ou, { scope: 'base' }))).code).toBe(32);
    const deleted = await admin.search(BASE, { filter: '(|(sAMAccountName=insidedoomed)(ou=Doomed*))', attributes: ['lastKnownParent'] }, SHOW_DELETED);
    expect(deleted.searchEntries).toHaveLength(2);
  });
});

function guidText(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  const le = (s: string): string => s.match(/../g)!.reverse().join('');
  return `${le(hex.slice(0, 8))}-${le(hex.slice(8, 12))}-${le(hex.slice(12, 16))}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
