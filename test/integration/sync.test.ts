import { Attribute, Change, type Client, type Entry } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator.js';
import { sidToString, single, strings, values } from '../support/adValues.js';
import { searchAll, syncedEstate } from '../support/estate.js';
import { IN_SCOPE } from '../support/estateCheck.js';

// Issue 5: the sync agent. On-prem contoso.com (and fabrikam.com) -> metaverse -> AADDC Users.
const ONPREM = 'DC=contoso,DC=com';
const USERS = 'OU=AADDC Users,DC=aaddscontoso,DC=com';
const SID_ATTRIBUTES = ['objectSid', 'sIDHistory'];

let emulator: RunningEmulator;
let onprem: Client;
let managed: Client;

async function managedEntry(filter: string): Promise<Entry | undefined> {
  const entries = await searchAll(managed, USERS, filter, ['*'], SID_ATTRIBUTES);
  expect(entries.length).toBeLessThanOrEqual(1);
  return entries[0];
}

async function onpremEntry(filter: string): Promise<Entry> {
  const entries = await searchAll(onprem, ONPREM, filter, ['*'], SID_ATTRIBUTES);
  expect(entries).toHaveLength(1);
  return entries[0]!;
}

const sidOf = (entry: Entry | undefined, name = 'objectSid'): string[] => values(entry, name).map((v) => sidToString(v as Buffer));

let estate: Awaited<ReturnType<typeof syncedEstate>> | undefined;

beforeAll(async () => {
  estate = await syncedEstate({ forests: ['fabrikam.com'], sync: { schedule: false } });
  ({ emulator, onprem, managed } = estate);
}, 120_000);

afterAll(async () => {
  await estate?.close();
});

describe('after one cycle, the managed domain holds the estate', () => {
  it('has every in-scope user and group of both forests in AADDC Users, carrying its on-prem SID as sIDHistory', async () => {
    const expected = new Set<string>();
    const fabrikam = emulator.forests[0]!;
    for (const [url, base] of [[emulator.onprem.ldapUrl, ONPREM], [fabrikam.endpoint.ldapUrl, fabrikam.endpoint.baseDn]] as const) {
      const client = url === emulator.onprem.ldapUrl ? onprem : await (async () => {
        const { Client: C } = await import('ldapts');
        const c = new C({ url });
        await c.bind('FABRIKAM\\Administrator', emulator.onprem.admin.password);
        return c;
      })();
      for (const e of await searchAll(client, base, IN_SCOPE, ['objectSid'], SID_ATTRIBUTES)) expected.add(sidOf(e)[0]!);
      if (client !== onprem) await client.unbind();
    }
    expect(expected.size).toBeGreaterThan(1600);

    const synced = await searchAll(managed, USERS, '(msDS-aadObjectId=*)', ['sIDHistory', 'objectSid', 'objectClass'], SID_ATTRIBUTES);
    const carried = new Set(synced.flatMap((e) => sidOf(e, 'sIDHistory')));
    expect([...expected].filter((sid) => !carried.has(sid))).toEqual([]);
    // Cloud-only objects (seed/tenant.ldif) have no on-prem SID; nothing else is there.
    const withoutHistory = synced.filter((e) => sidOf(e, 'sIDHistory').length === 0);
    expect(withoutHistory.map((e) => e.dn).sort()).toEqual([`CN=AAD DC Administrators,${USERS}`, `CN=Cloud Apps Team,${USERS}`, `CN=Megan Bowen,${USERS}`]);
    expect(carried.size).toBe(expected.size);
    // A new SID in the managed domain's namespace, never the on-prem one.
    const domainSid = sidOf((await searchAll(managed, 'DC=aaddscontoso,DC=com', '(objectClass=domainDNS)', ['objectSid'], SID_ATTRIBUTES))[0])[0]!;
    for (const e of synced) expect(sidOf(e)[0]!.startsWith(`${domainSid}-`)).toBe(true);
  });

  it('maps a user attribute by attribute, as the Domain Services table says', async () => {
    const source = await onpremEntry('(sAMAccountName=driley)');
    const user = await managedEntry('(userPrincipalName=driley@contoso.com)');
    expect(user?.dn).toBe(`CN=Dan Riley,${USERS}`);
    for (const [ds, ad] of [['displayName', 'displayName'], ['givenName', 'givenName'], ['sn', 'sn'], ['title', 'title'], ['department', 'department'], ['company', 'company'], ['l', 'l'], ['st', 'st'], ['mail', 'mail'], ['telephoneNumber', 'telephoneNumber'], ['physicalDeliveryOfficeName', 'physicalDeliveryOfficeName'], ['employeeID', 'employeeID'], ['msDS-AzureADMailNickname', 'mailNickname']]) {
      expect(strings(user, ds!), ds).toEqual(strings(source, ad!));
    }
    expect(single(user, 'sAMAccountName')).toBe('driley');
    expect(strings(user, 'proxyAddresses').sort()).toEqual(strings(source, 'proxyAddresses').sort());
    expect(sidOf(user, 'sIDHistory')).toEqual(sidOf(source));
    // Entra objectId under both names; enabled; password hash sync: the password does not expire.
    expect(single(user, 'msDS-aadObjectId')).toMatch(/^[0-9a-f-]{36}$/);
    expect(single(user, 'msDS-AzureADObjectId')).toBe(single(user, 'msDS-aadObjectId'));
    expect(Number(single(user, 'userAccountControl'))).toBe(0x200 | 0x10000);
    // The manager link points at the manager's managed object.
    const sourceManager = await onpremEntry(`(distinguishedName=${single(source, 'manager')})`);
    const manager = await managedEntry(`(distinguishedName=${single(user, 'manager')})`);
    expect(single(manager, 'userPrincipalName')).toBe(single(sourceManager, 'userPrincipalName'));
  });

  it('leaves computers and OUs out: AADDC Users stays flat', async () => {
    expect(await searchAll(managed, USERS, '(objectClass=computer)', ['1.1'])).toEqual([]);
    expect(await searchAll(managed, USERS, '(objectClass=organizationalUnit)', ['1.1'])).toHaveLength(1);
    const below = await searchAll(managed, USERS, '(objectClass=*)', ['1.1']);
    for (const e of below) if (e.dn !== USERS) expect(e.dn.toLowerCase().endsWith(`,${USERS.toLowerCase()}`) && e.dn.split(/(?<!\\),/).length === 4).toBe(true);
  });

  it('generates sAMAccountNames for long prefixes and shared mailNicknames; the UPN stays the reliable name', async () => {
    const long = await managedEntry('(userPrincipalName=christopher.montgomery-smith@contoso.com)');
    expect(single(long, 'sAMAccountName')).toMatch(/^christopher.mo\([0-9A-F]{4}\)$/);
    const john = await managedEntry('(userPrincipalName=jsmith@contoso.com)');
    const jane = await managedEntry('(userPrincipalName=jasmith@contoso.com)');
    for (const user of [john, jane]) {
      expect(single(user, 'msDS-AzureADMailNickname')).toBe('jsmith');
      expect(single(user, 'sAMAccountName')).toMatch(/^jsmith\([0-9A-F]{4}\)$/);
    }
    expect(single(john, 'sAMAccountName')).not.toBe(single(jane, 'sAMAccountName'));
  });

  it('gives the @contoso.local user a UPN in contoso.onmicrosoft.com (the suffix is not verified)', async () => {
    const oscar = await managedEntry('(displayName=Oscar Reyes)');
    expect(single(oscar, 'userPrincipalName')).toBe('oscar.reyes@contoso.onmicrosoft.com');
  });

  it('keeps nesting, translated to managed DNs, and leaves the primary group out', async () => {
    const all = await managedEntry('(cn=Engineering All)');
    expect(strings(all, 'member').sort()).toEqual([`CN=Engineering DE,${USERS}`, `CN=Engineering UK,${USERS}`, `CN=Engineering US,${USERS}`, `CN=Jordan Miller,${USERS}`, `CN=Marcus Chen,${USERS}`]);
    const transitive = await searchAll(managed, USERS, `(memberOf:1.2.840.113556.1.4.1941:=CN=Engineering All,${USERS})`, ['1.1']);
    expect(transitive.map((e) => e.dn)).toContain(`CN=Dan Riley,${USERS}`);
    // Domain Users (the primary group) is a critical system object: not synced, and not a memberOf.
    expect(await searchAll(managed, 'DC=aaddscontoso,DC=com', '(sAMAccountName=Domain Users)', ['1.1'])).toHaveLength(1);
    expect(await managedEntry('(sAMAccountName=Domain Users)')).toBeUndefined();
    const dan = await managedEntry('(userPrincipalName=driley@contoso.com)');
    expect(strings(dan, 'memberOf').some((g) => g.startsWith('CN=Domain Users'))).toBe(false);
  });

  it('brings the cloud-only AAD DC Administrators group with the synced dcadmin as member', async () => {
    const admins = await managedEntry('(cn=AAD DC Administrators)');
    expect(strings(admins, 'member')).toEqual([`CN=DC Admin,${USERS}`]);
    expect(single(admins, 'msDS-aadObjectId')).toMatch(/^[0-9a-f-]{36}$/);
    const megan = await managedEntry('(userPrincipalName=meganb@contoso.onmicrosoft.com)');
    expect(single(megan, 'displayName')).toBe('Megan Bowen');
  });

  it('puts the second forest in the same flat OU; a duplicate UPN gets a placeholder and a unique CN', async () => {
    expect(single(await managedEntry('(userPrincipalName=asilva@fabrikam.com)'), 'displayName')).toBe('Ana Silva');
    const dans = await searchAll(managed, USERS, '(sn=Riley)', ['userPrincipalName', 'displayName', 'cn']);
    expect(dans).toHaveLength(2);
    const upnOf = (displayName: string): string | undefined => single(dans.find((e) => single(e, 'displayName') === displayName), 'userPrincipalName');
    // contoso.com's Dan Riley came first and keeps the UPN; fabrikam.com's gets the placeholder.
    expect(upnOf('Dan Riley')).toBe('driley@contoso.com');
    expect(upnOf('Dan Riley (Fabrikam)')).toMatch(/^driley\d{4}@contoso\.onmicrosoft\.com$/);
    expect(dans.map((e) => single(e, 'cn')!).sort()).toEqual(['Dan Riley', expect.stringMatching(/^Dan Riley \([0-9A-F]{4}\)$/)]);
  });
});

describe('on-prem changes reach the managed domain after syncNow()', () => {
  const OU = 'OU=Sales,OU=United States,OU=Corp,DC=contoso,DC=com';
  const newUser = `CN=Nora Quinn,${OU}`;

  it('an add', async () => {
    await onprem.add(newUser, { objectClass: 'user', sAMAccountName: 'nquinn', userPrincipalName: 'nquinn@contoso.com', givenName: 'Nora', sn: 'Quinn', displayName: 'Nora Quinn', mailNickname: 'nquinn', title: 'Account Executive' });
    await emulator.syncNow();
    const user = await managedEntry('(userPrincipalName=nquinn@contoso.com)');
    expect(user?.dn).toBe(`CN=Nora Quinn,${USERS}`);
    expect(single(user, 'sAMAccountName')).toBe('nquinn');
    expect(single(user, 'title')).toBe('Account Executive');
  });

  it('a modify, including a cleared attribute', async () => {
    await onprem.modify(newUser, [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: ['Sales Director'] }) }),
      new Change({ operation: 'replace', modification: new Attribute({ type: 'givenName', values: [] }) }),
    ]);
    await emulator.syncNow();
    const user = await managedEntry('(userPrincipalName=nquinn@contoso.com)');
    expect(single(user, 'title')).toBe('Sales Director');
    expect(strings(user, 'givenName')).toEqual([]);
  });

  it('a rename renames in place', async () => {
    const before = await managedEntry('(userPrincipalName=nquinn@contoso.com)');
    await onprem.modifyDN(newUser, 'CN=Nora Quinn-Hart');
    await emulator.syncNow();
    const after = await managedEntry('(userPrincipalName=nquinn@contoso.com)');
    expect(after?.dn).toBe(`CN=Nora Quinn-Hart,${USERS}`);
    expect(values(after, 'objectGUID')).toEqual(values(before, 'objectGUID'));
  });

  it('a move to another OU keeps the flat placement and the same object', async () => {
    const before = await managedEntry('(userPrincipalName=nquinn@contoso.com)');
    await onprem.modifyDN(`CN=Nora Quinn-Hart,${OU}`, `CN=Nora Quinn-Hart,OU=Finance,OU=United States,OU=Corp,${ONPREM}`);
    await emulator.syncNow();
    const after = await managedEntry('(userPrincipalName=nquinn@contoso.com)');
    expect(after?.dn).toBe(`CN=Nora Quinn-Hart,${USERS}`);
    expect(values(after, 'objectGUID')).toEqual(values(before, 'objectGUID'));
  });

  it('a group membership change, without rewriting the group', async () => {
    const group = `CN=Sales US,OU=Groups,OU=Corp,${ONPREM}`;
    await onprem.modify(group, new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [`CN=Nora Quinn-Hart,OU=Finance,OU=United States,OU=Corp,${ONPREM}`] }) }));
    await onprem.modify(group, new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [`CN=Ashley Kim,OU=Sales,OU=United States,OU=Corp,${ONPREM}`] }) }));
    const run = await emulator.syncNow();
    const members = strings(await managedEntry('(cn=Sales US)'), 'member');
    expect(members).toContain(`CN=Nora Quinn-Hart,${USERS}`);
    expect(members).not.toContain(`CN=Ashley Kim,${USERS}`);
    expect(run.export).toMatchObject({ adds: 0, deletes: 0, updates: 1 });
  });

  it('a disable', async () => {
    await onprem.modify(`CN=Nora Quinn-Hart,OU=Finance,OU=United States,OU=Corp,${ONPREM}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: ['514'] }) }));
    await emulator.syncNow();
    expect(Number(single(await managedEntry('(userPrincipalName=nquinn@contoso.com)'), 'userAccountControl')) & 2).toBe(2);
  });

  it('a delete', async () => {
    await onprem.del(`CN=Nora Quinn-Hart,OU=Finance,OU=United States,OU=Corp,${ONPREM}`);
    await emulator.syncNow();
    expect(await managedEntry('(userPrincipalName=nquinn@contoso.com)')).toBeUndefined();
    expect(strings(await managedEntry('(cn=Sales US)'), 'member')).not.toContain(`CN=Nora Quinn-Hart,${USERS}`);
  });
});
