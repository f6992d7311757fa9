// Issue 3, "Result shaping": range retrieval (MaxValRange 1500), server-side sort, extended DN,
// domain scope and the continuation references of the domain root, as ldapts, ldap3's and
// Spring's range loops and ldapsearch see them.
import { BerWriter, Client, Control, ServerSideSortingRequestControl, type Entry } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator.js';
import { guidToString, sidToString } from '../../src/directory/binary.js';
import { failure } from '../support/ldapResults.js';
import { NO_WRAP, parseLdifOutput, requireLdapUtils, runLdapTool, searchResultCode } from '../support/ldapUtils.js';

const BASE = 'DC=contoso,DC=com';
const BULK = 'OU=Bulk,OU=Corp,DC=contoso,DC=com';
const ALL_BULK_USERS = `CN=All Bulk Users,${BULK}`;
const GROUPS = 'OU=Groups,OU=Corp,DC=contoso,DC=com';
const PLATFORM_TEAM = `CN=Platform Team,${GROUPS}`;
const DAN_DN = 'CN=Dan Riley,OU=Engineering,OU=United States,OU=Corp,DC=contoso,DC=com';
const USER = 'driley@contoso.com';
const PASSWORD = 'Passw0rd!';
const REFERENCES = [
  'ldap://ForestDnsZones.contoso.com/DC=ForestDnsZones,DC=contoso,DC=com',
  'ldap://DomainDnsZones.contoso.com/DC=DomainDnsZones,DC=contoso,DC=com',
  'ldap://contoso.com/CN=Configuration,DC=contoso,DC=com',
];
const OID = {
  sortResponse: '1.2.840.113556.1.4.474',
  extendedDn: '1.2.840.113556.1.4.529',
  domainScope: '1.2.840.113556.1.4.1339',
  rangeOption: '1.2.840.113556.1.4.802',
  sort: '1.2.840.113556.1.4.473',
};

/** A control whose value is given as raw BER (or none), for the AD controls ldapts has no class for. */
class RawControl extends Control {
  constructor(
    type: string,
    private readonly value?: Buffer,
    critical = false,
  ) {
    super(type, { critical });
  }

  override writeControl(writer: BerWriter): void {
    if (this.value) writer.writeBuffer(this.value, 0x04);
  }
}

/** LDAP_SERVER_EXTENDED_DN_OID with `SEQUENCE { Flag INTEGER }`, or no value. */
function extendedDn(flag?: 0 | 1): Control {
  return new RawControl(OID.extendedDn, flag === undefined ? undefined : Buffer.from([0x30, 0x03, 0x02, 0x01, flag]));
}

function values(entry: Entry, type: string): string[] {
  const v = entry[type];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : x));
}

function rangedType(entry: Entry, attribute: string): string | undefined {
  return Object.keys(entry).find((k) => k.toLowerCase().startsWith(`${attribute.toLowerCase()};range=`));
}

let emulator: RunningEmulator;
let client: Client;

beforeAll(async () => {
  emulator = await startEmulator({ ldapPort: 0, ldapsPort: 0, logLevel: 'silent' });
  client = new Client({ url: emulator.onprem.ldapUrl });
  await client.bind(USER, PASSWORD);
});

afterAll(async () => {
  await client?.unbind();
  await emulator?.stop();
});

async function bulkUserDns(): Promise<string[]> {
  const { searchEntries } = await client.search(BULK, { filter: '(objectCategory=person)', attributes: ['1.1'], paged: { pageSize: 500 } });
  return searchEntries.map((e) => e.dn);
}

async function readGroup(attributes: string[]): Promise<Entry> {
  const { searchEntries } = await client.search(ALL_BULK_USERS, { scope: 'base', attributes });
  expect(searchEntries).toHaveLength(1);
  return searchEntries[0]!;
}

describe('range retrieval (MaxValRange 1500)', () => {
  it("a plain request for member of 'All Bulk Users' (1600 members) returns member with no values plus member;range=0-1499", async () => {
    const entry = await readGroup(['member', 'cn']);
    // ad-ldap.md 4: the attribute with zero values, plus the first 1500 under ;range=0-1499
    expect(Object.keys(entry)).toContain('member');
    expect(values(entry, 'member')).toEqual([]);
    expect(values(entry, 'member;range=0-1499')).toHaveLength(1500);
    expect(values(entry, 'cn')).toEqual(['All Bulk Users']);
  });

  it("'*' gets the same treatment", async () => {
    const entry = await readGroup(['*']);
    expect(values(entry, 'member')).toEqual([]);
    expect(values(entry, 'member;range=0-1499')).toHaveLength(1500);
  });

  it('reads the whole group with the loop of ldap3 do_next_range_search: 1600 distinct members, the last chunk ending in -*', async () => {
    // ldap3 strategy/base.py: take the ;range= attribute, ask for <high+1>-* until high is *.
    const first = await readGroup(['member']);
    const collected = [...values(first, 'member')];
    let current = first;
    let attrName = rangedType(first, 'member');
    const seen: string[] = [];
    while (attrName !== undefined) {
      seen.push(attrName);
      collected.push(...values(current, attrName));
      const high = attrName.split(';range=')[1]!.split('-')[1]!;
      if (high === '*') break;
      current = await readGroup([`member;range=${Number(high) + 1}-*`]);
      attrName = rangedType(current, 'member');
    }
    expect(seen).toEqual(['member;range=0-1499', 'member;range=1500-*']);
    expect(new Set(collected).size).toBe(1600);
    expect(collected).toHaveLength(1600);
    expect(new Set(collected)).toEqual(new Set(await bulkUserDns()));
  });

  it("reads the whole group with Spring's DefaultIncrementalAttributesMapper loop (page size 500, 'Range=')", async () => {
    // Spring LDAP DefaultIncrementalAttributesMapper/RangeOption: request low-(low+pageSize-1), stop when the answer ends in *.
    const pageSize = 500;
    let low = 0;
    const answered: string[] = [];
    const collected: string[] = [];
    for (;;) {
      const entry = await readGroup([`member;Range=${low}-${low + pageSize - 1}`]);
      const type = rangedType(entry, 'member')!;
      answered.push(type);
      collected.push(...values(entry, type));
      const [, range] = type.split(';range=');
      const [, high] = range!.split('-');
      if (high === '*') break;
      low = Number(high) + 1;
    }
    expect(answered).toEqual(['member;range=0-499', 'member;range=500-999', 'member;range=1000-1499', 'member;range=1500-*']);
    expect(new Set(collected)).toEqual(new Set(await bulkUserDns()));
  });

  it('caps an explicit range at MaxValRange and ends the last chunk with -*', async () => {
    const all = await readGroup(['member;range=0-*']);
    expect(Object.keys(all)).not.toContain('member');
    expect(values(all, 'member;range=0-1499')).toHaveLength(1500);
    const wide = await readGroup(['member;range=1000-5000']);
    expect(values(wide, 'member;range=1000-*')).toHaveLength(600);
    const last = await readGroup(['member;range=1599-1599']);
    expect(values(last, 'member;range=1599-*')).toHaveLength(1);
  });

  it('a small group answers member;range=0-* with every value', async () => {
    const { searchEntries } = await client.search(PLATFORM_TEAM, { scope: 'base', attributes: ['member;range=0-*'] });
    expect(values(searchEntries[0]!, 'member;range=0-*')).toContain(DAN_DN);
    expect(Object.keys(searchEntries[0]!)).not.toContain('member');
  });

  it('a range past the last link value is operationsError (MS-ADTS 3.1.1.3.4.1.22); a reversed range is unwillingToPerform (Samba)', async () => {
    expect((await failure(readGroup(['member;range=1600-*']))).code).toBe(1);
    expect((await failure(readGroup(['member;range=5-2']))).code).toBe(53);
  });

  it('the rootDSE advertises range retrieval (LDAP_SERVER_RANGE_OPTION_OID)', async () => {
    const { searchEntries } = await client.search('', { scope: 'base', attributes: ['supportedControl'] });
    const controls = values(searchEntries[0]!, 'supportedControl');
    for (const oid of Object.values(OID)) expect(controls).toContain(oid);
  });
});

describe('server-side sort (RFC 2891, one key as AD)', () => {
  it('sorts by one key, ascending and reversed', async () => {
    const names = async (reverseOrder: boolean): Promise<string[]> => {
      const { searchEntries } = await client.search(GROUPS, {
        filter: '(objectClass=group)',
        attributes: ['cn'],
      }, [new ServerSideSortingRequestControl({ critical: true, value: { attributeType: 'cn', reverseOrder } })]);
      return searchEntries.map((e) => values(e, 'cn')[0]!);
    };
    const ascending = await names(false);
    expect(ascending.length).toBeGreaterThan(5);
    expect(ascending).toEqual([...ascending].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0)));
    expect(await names(true)).toEqual([...ascending].reverse());
  });

  it('sorts the whole result set, then pages it', async () => {
    const { searchEntries } = await client.search(BULK, {
      filter: '(objectCategory=person)',
      attributes: ['sAMAccountName'],
      paged: { pageSize: 300 },
    }, [new ServerSideSortingRequestControl({ value: { attributeType: 'sAMAccountName' } })]);
    const names = searchEntries.map((e) => values(e, 'sAMAccountName')[0]!.toLowerCase());
    expect(names).toHaveLength(1600);
    expect(names).toEqual([...names].sort());
  });

  it('sorts on an attribute that was not asked for, and puts entries without it last', async () => {
    const { searchEntries } = await client.search(GROUPS, {
      filter: '(objectClass=group)',
      attributes: ['cn'],
    }, [new ServerSideSortingRequestControl({ value: { attributeType: 'description' } })]);
    expect(Object.keys(searchEntries[0]!)).toEqual(['dn', 'cn']);
    const { searchEntries: withDescription } = await client.search(GROUPS, { filter: '(&(objectClass=group)(description=*))', attributes: ['description'] });
    const described = new Set(withDescription.map((e) => e.dn));
    const flags = searchEntries.map((e) => described.has(e.dn));
    expect(flags.indexOf(false) === -1 || flags.slice(flags.indexOf(false)).every((f) => !f)).toBe(true);
  });

  it('a critical sort on two keys or an unknown attribute fails with unavailableCriticalExtension and no entries', async () => {
    const twoKeys = new ServerSideSortingRequestControl({ critical: true, value: [{ attributeType: 'cn' }, { attributeType: 'sn' }] });
    expect((await failure(client.search(GROUPS, { filter: '(objectClass=group)' }, [twoKeys]))).code).toBe(12);
    const unknown = new ServerSideSortingRequestControl({ critical: true, value: { attributeType: 'noSuchAttribute' } });
    expect((await failure(client.search(GROUPS, { filter: '(objectClass=group)' }, [unknown]))).code).toBe(12);
  });

  it('a non-critical sort on two keys returns the entries unsorted', async () => {
    const twoKeys = new ServerSideSortingRequestControl({ value: [{ attributeType: 'cn' }, { attributeType: 'sn' }] });
    const { searchEntries } = await client.search(GROUPS, { filter: '(objectClass=group)', attributes: ['cn'] }, [twoKeys]);
    const { searchEntries: plain } = await client.search(GROUPS, { filter: '(objectClass=group)', attributes: ['cn'] });
    expect(searchEntries.map((e) => e.dn)).toEqual(plain.map((e) => e.dn));
  });
});

describe('extended DN (LDAP_SERVER_EXTENDED_DN_OID)', () => {
  async function platformTeam(control: Control): Promise<Entry> {
    const { searchEntries } = await client.search(PLATFORM_TEAM, { scope: 'base', attributes: ['member', 'managedBy', 'distinguishedName', 'objectGUID', 'objectSid'] }, [control]);
    return searchEntries[0]!;
  }

  it('flag 1: <GUID=dashed>;<SID=S-1-...>;dn on the entry and its DN-valued attributes', async () => {
    const entry = await platformTeam(extendedDn(1));
    const guid = guidToString(entry.objectGUID as Buffer);
    const sid = sidToString(entry.objectSid as Buffer);
    expect(entry.dn).toBe(`<GUID=${guid}>;<SID=${sid}>;${PLATFORM_TEAM}`);
    expect(values(entry, 'distinguishedName')).toEqual([entry.dn]);
    const dan = values(entry, 'member').find((m) => m.endsWith(`;${DAN_DN}`));
    expect(dan).toMatch(/^<GUID=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}>;<SID=S-1-5-21-\d+-\d+-\d+-\d+>;CN=Dan Riley,/);
    expect(values(entry, 'managedBy')[0]).toMatch(/^<GUID=[^>]+>;<SID=S-1-5-21-[^>]+>;CN=Priya Patel,/);
  });

  it('flag 0 and no value: the hex of the raw bytes, lower case as Windows writes it', async () => {
    for (const control of [extendedDn(0), extendedDn()]) {
      const entry = await platformTeam(control);
      const guid = (entry.objectGUID as Buffer).toString('hex');
      const sid = (entry.objectSid as Buffer).toString('hex');
      expect(entry.dn).toBe(`<GUID=${guid}>;<SID=${sid}>;${PLATFORM_TEAM}`);
      for (const member of values(entry, 'member')) expect(member).toMatch(/^<GUID=[0-9a-f]{32}>;<SID=[0-9a-f]+>;CN=/);
    }
  });

  it('objects without objectSid get only the GUID; DN-Binary values get it after their binary part', async () => {
    const { searchEntries } = await client.search(BASE, { scope: 'base', attributes: ['wellKnownObjects'] }, [extendedDn(1)]);
    const head = searchEntries[0]!;
    expect(head.dn).toMatch(/^<GUID=[0-9a-f-]{36}>;<SID=S-1-5-21-\d+-\d+-\d+>;DC=contoso,DC=com$/);
    const users = values(head, 'wellKnownObjects').find((v) => v.startsWith('B:32:A9D1CA15768811D1ADED00C04FD8D5CD:'));
    expect(users).toMatch(/^B:32:A9D1CA15768811D1ADED00C04FD8D5CD:<GUID=[0-9a-f-]{36}>;CN=Users,DC=contoso,DC=com$/);
    const { searchEntries: ous } = await client.search(GROUPS, { scope: 'base', attributes: ['1.1'] }, [extendedDn(1)]);
    expect(ous[0]!.dn).toMatch(new RegExp(`^<GUID=[0-9a-f-]{36}>;${GROUPS}$`));
  });

  it('works with range retrieval', async () => {
    const { searchEntries } = await client.search(ALL_BULK_USERS, { scope: 'base', attributes: ['member;range=1500-*'] }, [extendedDn(1)]);
    const members = values(searchEntries[0]!, 'member;range=1500-*');
    expect(members).toHaveLength(100);
    for (const member of members) expect(member).toMatch(/^<GUID=[^>]+>;<SID=S-1-5-21-[^>]+>;CN=.*,OU=Bulk,OU=Corp,DC=contoso,DC=com$/);
  });
});

describe('continuation references at the domain root, and the domain scope control', () => {
  it('a subtree search based at the domain root ends with the ForestDnsZones, DomainDnsZones and Configuration references', async () => {
    const { searchEntries, searchReferences } = await client.search(BASE, { filter: '(sAMAccountName=driley)', attributes: ['cn'] });
    expect(searchEntries.map((e) => e.dn)).toEqual([DAN_DN]);
    expect(searchReferences).toEqual(REFERENCES);
  });

  it('even when nothing matches; and a one-level search gets them with ??base', async () => {
    const { searchReferences } = await client.search(BASE, { filter: '(sAMAccountName=nobody-here)' });
    expect(searchReferences).toEqual(REFERENCES);
    const { searchReferences: oneLevel } = await client.search(BASE, { scope: 'one', filter: '(objectClass=organizationalUnit)' });
    expect(oneLevel).toEqual(REFERENCES.map((r) => `${r}??base`));
  });

  it('none with the domain scope control, for a base search, or below the domain root', async () => {
    const scoped = await client.search(BASE, { filter: '(sAMAccountName=driley)' }, [new RawControl(OID.domainScope, undefined, true)]);
    expect(scoped.searchEntries).toHaveLength(1);
    expect(scoped.searchReferences).toEqual([]);
    expect((await client.search(BASE, { scope: 'base' })).searchReferences).toEqual([]);
    expect((await client.search(GROUPS, { filter: '(objectClass=group)' })).searchReferences).toEqual([]);
  });

  it('a paged search gets them once, with the first page', async () => {
    const { searchEntries, searchReferences } = await client.search(BASE, { filter: '(objectCategory=person)', attributes: ['1.1'], paged: { pageSize: 400 } });
    expect(searchEntries.length).toBeGreaterThan(1600);
    expect(searchReferences).toEqual(REFERENCES);
  });

  it('over LDAPS they are ldaps:// URLs', async () => {
    const secure = new Client({ url: emulator.onprem.ldapsUrl!, tlsOptions: { rejectUnauthorized: false } });
    await secure.bind(USER, PASSWORD);
    const { searchReferences } = await secure.search(BASE, { filter: '(sAMAccountName=driley)' });
    await secure.unbind();
    expect(searchReferences).toEqual(REFERENCES.map((r) => r.replace(/^ldap:/, 'ldaps:')));
  });

  it('a DC started with referrals: false (--no-referrals) sends none', async () => {
    const quiet = await startEmulator({ ldapPort: 0, ldapsPort: 0, logLevel: 'silent', referrals: false });
    try {
      const c = new Client({ url: quiet.onprem.ldapUrl });
      await c.bind(USER, PASSWORD);
      const { searchEntries, searchReferences } = await c.search(BASE, { filter: '(sAMAccountName=driley)' });
      await c.unbind();
      expect(searchEntries).toHaveLength(1);
      expect(searchReferences).toEqual([]);
    } finally {
      await quiet.stop();
    }
  });
});

const ldapUtils = requireLdapUtils(['ldapsearch']);

describe.skipIf(ldapUtils.skip)('with ldapsearch: the sort response control, and MaxPageSize with sort and references', () => {
  function search(...rest: string[]) {
    return runLdapTool('ldapsearch', ['-x', ...NO_WRAP, '-H', emulator.onprem.ldapUrl, '-D', USER, '-w', PASSWORD, ...rest]);
  }

  it('answers a sort with the sort response control (sortResult 0)', async () => {
    const r = await search('-b', GROUPS, '-E', '!sss=cn', '(objectClass=group)', 'cn');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^sortResult: \(0\) Success/m);
  });

  it('reads a key with an ordering rule and the reverse flag (the rule is not checked, as Samba)', async () => {
    const r = await search('-b', GROUPS, '-E', '!sss=-cn:2.5.13.3', '(objectClass=group)', 'cn');
    expect(r.stdout).toMatch(/^sortResult: \(0\) Success/m);
    const names = [...parseLdifOutput(r.stdout).values()].map((a) => a.get('cn')![0]!.toLowerCase());
    expect(names.length).toBeGreaterThan(5);
    expect(names).toEqual([...names].sort().reverse());
  });

  it('two keys: unwillingToPerform (53) in the response control; critical, the search fails with 12', async () => {
    const critical = await search('-b', GROUPS, '-E', '!sss=cn/sn', '(objectClass=group)', 'cn');
    expect(searchResultCode(critical.stdout)).toBe(12);
    expect(critical.stdout).toMatch(/^sortResult: \(53\)/m);
    expect(parseLdifOutput(critical.stdout).size).toBe(0);
    const plain = await search('-b', GROUPS, '-E', 'sss=cn/sn', '(objectClass=group)', 'cn');
    expect(searchResultCode(plain.stdout)).toBe(0);
    expect(plain.stdout).toMatch(/^sortResult: \(53\)/m);
    expect(parseLdifOutput(plain.stdout).size).toBeGreaterThan(5);
  });

  it('an unknown attribute: noSuchAttribute (16), naming it', async () => {
    const r = await search('-b', GROUPS, '-E', 'sss=noSuchAttribute', '(objectClass=group)', 'cn');
    expect(searchResultCode(r.stdout)).toBe(0);
    expect(r.stdout).toMatch(/^sortResult: \(16\) .*noSuchAttribute/m);
  });

  it('unpaged and sorted over more than 1000 matches: the first 1000 in order, the references, then result 4', async () => {
    const r = await search('-b', BASE, '-E', 'sss=sAMAccountName', '(objectCategory=person)', 'sAMAccountName');
    expect(searchResultCode(r.stdout)).toBe(4);
    expect(r.stdout).toMatch(/^sortResult: \(0\) Success/m);
    const names = [...parseLdifOutput(r.stdout).values()].map((a) => a.get('samaccountname')![0]!.toLowerCase());
    expect(names).toHaveLength(1000);
    expect(names).toEqual([...names].sort());
    const refs = [...r.stdout.matchAll(/^ref: (.*)$/gm)].map((m) => m[1]);
    expect(refs).toEqual(REFERENCES);
    expect(r.stdout.indexOf('ref: ')).toBeGreaterThan(r.stdout.lastIndexOf('dn: '));
  });

  it('paged and reverse-sorted: every person, in order, each page with its sort response', async () => {
    const r = await search('-b', BULK, '-E', 'pr=400/noprompt', '-E', 'sss=-sAMAccountName', '(objectCategory=person)', 'sAMAccountName');
    expect(r.code).toBe(0);
    const names = [...parseLdifOutput(r.stdout).values()].map((a) => a.get('samaccountname')![0]!.toLowerCase());
    expect(names).toHaveLength(1600);
    expect(names).toEqual([...names].sort().reverse());
    expect([...r.stdout.matchAll(/^sortResult: \(0\)/gm)]).toHaveLength(4);
  });

  it("ldapsearch prints the group's ranged member attribute", async () => {
    const r = await search('-b', ALL_BULK_USERS, '-s', 'base', '(objectClass=*)', 'member;range=1500-*');
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^member;range=1500-\*:/gm)).toHaveLength(100);
  });
});
