// Issue 3, "Filters and names": AD's matching rules (803, 804, 1941), objectCategory short names,
// ANR, objectGUID/objectSid in filters, and AD's alternative DN forms as search bases and as
// DN-valued input. Each behaviour was asked of a Samba 4.17 AD DC (tools/samba-up.sh: realm
// CONTOSO.LOCAL with its sample users alice..frank, groups Engineering < AllStaff < Newsletter, and
// a LoopA > LoopB > LoopC > LoopA loop we added); the "Samba:" comments record what it answered.
import { Attribute, Change, Client, EqualityFilter, type Entry, type Filter } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator.js';
import { buffer, sidToString, single, strings } from '../support/adValues.js';
import { failure } from '../support/ldapResults.js';
import { NO_WRAP, parseLdifOutput, requireLdapUtils, runLdapTool } from '../support/ldapUtils.js';

const BASE = 'DC=contoso,DC=com';
const CORP = `OU=Corp,${BASE}`;
const GROUPS = `OU=Groups,${CORP}`;
const TESTS = `OU=Filter Tests,${CORP}`;
const DAN = `CN=Dan Riley,OU=Engineering,OU=United States,${CORP}`;
const PLATFORM = `CN=Platform Team,${GROUPS}`;
const ENGINEERING_ALL = `CN=Engineering All,${GROUPS}`;
const IN_CHAIN = '1.2.840.113556.1.4.1941';
const BIT_AND = '1.2.840.113556.1.4.803';
const BIT_OR = '1.2.840.113556.1.4.804';

/** MS-DTYP 2.3.4.2: the dashed string of a GUID's 16 stored bytes. */
function guidString(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  const swap = (s: string): string => s.match(/../g)!.reverse().join('');
  return `${swap(hex.slice(0, 8))}-${swap(hex.slice(8, 12))}-${swap(hex.slice(12, 16))}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** RFC 4515: every byte as \xx. */
function escapeBytes(bytes: Buffer): string {
  return [...bytes].map((b) => '\\' + b.toString(16).padStart(2, '0')).join('');
}

const ldapUtils = requireLdapUtils();

describe('AD filters and names', () => {
  let emulator: RunningEmulator;
  let admin: Client;

  async function search(filter: string | Filter, base = BASE, attributes = ['sAMAccountName'], scope: 'base' | 'one' | 'sub' = 'sub'): Promise<Entry[]> {
    // paged: OU=Corp holds the 1,600 bulk users, more than AD's 1000 per page
    const { searchEntries } = await admin.search(base, { scope, filter, attributes, explicitBufferAttributes: ['objectGUID', 'objectSid'], paged: { pageSize: 1000 } });
    return searchEntries;
  }

  /** The sAMAccountNames a filter finds, sorted. */
  async function names(filter: string | Filter, base = BASE): Promise<string[]> {
    return (await search(filter, base)).map((e) => single(e, 'sAMAccountName') ?? `(${e.dn})`).sort();
  }

  async function dns(filter: string | Filter, base = BASE): Promise<string[]> {
    return (await search(filter, base, ['1.1'])).map((e) => e.dn.toLowerCase()).sort();
  }

  async function read(dn: string, attributes: string[]): Promise<Entry> {
    const [entry] = await search('(objectClass=*)', dn, attributes, 'base');
    return entry!;
  }

  async function addGroup(cn: string, members: string[] = []): Promise<string> {
    const dn = `CN=${cn},${TESTS}`;
    await admin.add(dn, { objectClass: 'group', sAMAccountName: cn.replace(/ /g, ''), ...(members.length ? { member: members } : {}) });
    return dn;
  }

  const addMember = (group: string, member: string): Promise<void> =>
    admin.modify(group, new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [member] }) }));

  beforeAll(async () => {
    emulator = await startEmulator({ sync: false, ldapPort: 0, ldapsPort: 0, logLevel: 'silent' });
    admin = new Client({ url: emulator.onprem.ldapUrl });
    await admin.bind(emulator.onprem.admin.upn, emulator.onprem.admin.password);
    await admin.add(TESTS, { objectClass: 'organizationalUnit', ou: 'Filter Tests' });
  });

  afterAll(async () => {
    await admin?.unbind().catch(() => undefined);
    await emulator?.stop();
  });

  describe('LDAP_MATCHING_RULE_TRANSITIVE_EVAL (1.2.840.113556.1.4.1941)', () => {
    it('memberOf in chain finds every transitive member of a three-level nested group', async () => {
      // Dan is in Platform Team, which is in Engineering US, which is in Engineering All.
      // Samba: (memberOf:1941:=CN=Newsletter) gave the groups and users of all three levels
      // (AllStaff, Engineering, Sales, Marketing, alice, bob, carol, dave, eve, frank), while
      // plain (memberOf=CN=Newsletter) gave only the direct members (AllStaff, bob).
      const transitive = await names(`(memberOf:${IN_CHAIN}:=${ENGINEERING_ALL})`);
      expect(transitive).toEqual(expect.arrayContaining(['driley', 'sramirez', 'Platform Team', 'Engineering US', 'Engineering UK', 'Engineering DE', 'mchen', 'jmueller', 'jmiller']));
      expect(transitive).not.toContain('Engineering All');
      expect(transitive).not.toContain('jsmith');
      const direct = await names(`(memberOf=${ENGINEERING_ALL})`);
      expect(direct).not.toContain('driley');
      expect(direct).toEqual(expect.arrayContaining(['Engineering US', 'mchen']));
      // and every direct member is a transitive one
      for (const name of direct) expect(transitive).toContain(name);
    });

    it('member in chain finds every group that holds a user, through nesting', async () => {
      // Samba: (member:1941:=CN=Alice Anderson) gave Engineering, App-Admins, AllStaff, Newsletter
      // (distribution groups included; the primary group Domain Users not, as it is no member value).
      expect(await names(`(member:${IN_CHAIN}:=${DAN})`, GROUPS)).toEqual(
        ['App-Webapp-Users', 'Contoso Newsletter', 'Engineering All', 'Engineering US', 'FS-Engineering-RO', 'Platform Team', 'Project Phoenix', 'VPN Users'].sort(),
      );
      // The DN is matched as a DN: case and spacing do not matter (Samba: same four groups).
      expect(await names(`(member:${IN_CHAIN}:=${DAN.toLowerCase().replace(/,/g, ', ')})`, GROUPS)).toHaveLength(8);
      // Samba: (memberOf:1941:=CN=Domain Users,...) found nobody: primary group membership is not a link.
      expect(await names(`(memberOf:${IN_CHAIN}:=CN=Domain Users,CN=Users,${BASE})`)).toEqual([]);
    });

    it('ends on a membership loop, in both directions, and the looped groups reach themselves', async () => {
      const a = await addGroup('Loop A');
      const b = await addGroup('Loop B');
      const c = await addGroup('Loop C', [a, DAN]);
      await addMember(a, b);
      await addMember(b, c);
      // Samba (LoopA > LoopB > LoopC > LoopA, alice in LoopC): memberOf in chain of LoopA gave
      // LoopA, LoopB, LoopC, alice; member in chain of LoopA gave LoopA, LoopB, LoopC; member in
      // chain of alice added the three loop groups to her five others.
      expect(await names(`(memberOf:${IN_CHAIN}:=${a})`)).toEqual(['LoopA', 'LoopB', 'LoopC', 'driley']);
      expect(await names(`(member:${IN_CHAIN}:=${a})`)).toEqual(['LoopA', 'LoopB', 'LoopC']);
      const dansGroups = await names(`(member:${IN_CHAIN}:=${DAN})`);
      expect(dansGroups).toEqual(expect.arrayContaining(['LoopA', 'LoopB', 'LoopC', 'Engineering All']));
      expect(dansGroups).toHaveLength(11);
    });

    it('takes the asserted object as <GUID=...> too', async () => {
      const guid = buffer(await read(PLATFORM, ['objectGUID']), 'objectGUID')!;
      const direct = await names(`(memberOf=${PLATFORM})`);
      // Samba: (memberOf:1941:=<GUID=dashed>) and (memberOf=<GUID=dashed>) and (memberOf=<GUID=32 hex>)
      // all found AllStaff's members. (Samba's 1941 alone missed the 32-hex form; AD reads both.)
      expect(await names(`(memberOf:${IN_CHAIN}:=<GUID=${guidString(guid)}>)`)).toEqual(direct);
      expect(await names(`(memberOf:${IN_CHAIN}:=<GUID=${guid.toString('hex')}>)`)).toEqual(direct);
      expect(await names(`(memberOf=<GUID=${guidString(guid)}>)`)).toEqual(direct);
      expect(await names(`(memberOf=<GUID=${guid.toString('hex')}>)`)).toEqual(direct);
    });

    it('is FALSE for an object that does not exist or a value that is no DN', async () => {
      // Samba: (memberOf:1941:=CN=Nope,...) and (memberOf:1941:=notadn) found nothing, and their
      // negations found every object: FALSE, not Undefined.
      expect(await names(`(memberOf:${IN_CHAIN}:=CN=Nope,${GROUPS})`)).toEqual([]);
      expect(await names(`(memberOf:${IN_CHAIN}:=notadn)`)).toEqual([]);
      const all = await dns('(objectClass=*)', GROUPS);
      expect(await dns(`(!(memberOf:${IN_CHAIN}:=CN=Nope,${GROUPS}))`, GROUPS)).toEqual(all);
      expect(await dns(`(!(memberOf:${IN_CHAIN}:=notadn))`, GROUPS)).toEqual(all);
    });

    it('is Undefined on an attribute that is not a link (MS-ADTS 3.1.1.3.4.4)', async () => {
      expect(await names(`(cn:${IN_CHAIN}:=${ENGINEERING_ALL})`, GROUPS)).toEqual([]);
      // Windows differs from Samba here: Samba answered (!(cn:1941:=...)) with every object (FALSE).
      expect(await names(`(!(cn:${IN_CHAIN}:=${ENGINEERING_ALL}))`, GROUPS)).toEqual([]);
    });
  });

  describe('LDAP_MATCHING_RULE_BIT_AND (803) and BIT_OR (804)', () => {
    let security: string[];
    let globalSecurity: string[];
    let universal: string[];
    let distribution: string[];

    beforeAll(async () => {
      const groups = await search('(objectClass=group)', GROUPS, ['sAMAccountName', 'groupType']);
      const typed = groups.map((g) => ({ name: single(g, 'sAMAccountName')!, type: Number(single(g, 'groupType')) }));
      security = typed.filter((g) => g.type < 0).map((g) => g.name).sort();
      globalSecurity = typed.filter((g) => g.type === -2147483646).map((g) => g.name).sort();
      universal = typed.filter((g) => (g.type & 8) !== 0).map((g) => g.name).sort();
      distribution = typed.filter((g) => g.type > 0).map((g) => g.name).sort();
      expect(security.length).toBeGreaterThan(5);
      expect(distribution).toEqual(expect.arrayContaining(['Contoso Newsletter']));
    });

    it('(userAccountControl:803:=2) finds the disabled accounts', async () => {
      const disabled = await search(`(userAccountControl:${BIT_AND}:=2)`, CORP, ['sAMAccountName', 'userAccountControl']);
      const who = disabled.map((e) => single(e, 'sAMAccountName'));
      expect(who).toContain('blee');
      expect(who).not.toContain('driley');
      for (const e of disabled) expect(Number(single(e, 'userAccountControl')) & 2).toBe(2);
    });

    it('reads a negative groupType as its bits: 2147483648 and -2147483648 both find the security groups', async () => {
      // Samba: (groupType:803:=2147483648), (...:=-2147483648), (...:=0x80000000) and
      // (groupType:804:=2147483648) each gave the five security groups and not Newsletter (8).
      expect(await names(`(groupType:${BIT_AND}:=2147483648)`, GROUPS)).toEqual(security);
      expect(await names(`(groupType:${BIT_AND}:=-2147483648)`, GROUPS)).toEqual(security);
      expect(await names(`(groupType:${BIT_AND}:=0x80000000)`, GROUPS)).toEqual(security);
      expect(await names(`(groupType:${BIT_OR}:=2147483648)`, GROUPS)).toEqual(security);
      expect(await names(`(groupType:${BIT_OR}:=-2147483648)`, GROUPS)).toEqual(security);
      expect(await names(`(&(objectClass=group)(!(groupType:${BIT_AND}:=2147483648)))`, GROUPS)).toEqual(distribution);
      // an object without groupType (the OU itself) is FALSE, so its negation holds
      expect(await dns(`(!(groupType:${BIT_AND}:=2147483648))`, GROUPS)).toContain(GROUPS.toLowerCase());
      // Samba: :=2147483650 and :=-2147483646 both gave the global security groups only.
      expect(await names(`(groupType:${BIT_AND}:=2147483650)`, GROUPS)).toEqual(globalSecurity);
      expect(await names(`(groupType:${BIT_AND}:=-2147483646)`, GROUPS)).toEqual(globalSecurity);
      // Samba: :=8 gave AllStaff and Newsletter (universal, security or not); 804 :=6 the global and domain-local ones.
      expect(await names(`(groupType:${BIT_AND}:=8)`, GROUPS)).toEqual(universal);
    });

    it('parses the operand as C strtoull does, 64 bits wide, as Samba', async () => {
      // Samba: :=010 is octal 8; a leading space is skipped; 0 matches every value for 803 and none for 804.
      expect(await names(`(groupType:${BIT_AND}:=010)`, GROUPS)).toEqual(universal);
      expect(await names(`(groupType:${BIT_AND}:= 8)`, GROUPS)).toEqual(universal);
      expect(await names(`(groupType:${BIT_AND}:=0)`, GROUPS)).toEqual([...security, ...distribution].sort());
      expect(await names(`(groupType:${BIT_OR}:=0)`, GROUPS)).toEqual([]);
      // Samba: a negative value is sign-extended to 64 bits, so 804 :=4294967296 (bit 32) found the
      // security groups, 803 :=4294967295 nothing, and 803 :=6442450944 the security groups.
      expect(await names(`(groupType:${BIT_OR}:=4294967296)`, GROUPS)).toEqual(security);
      expect(await names(`(groupType:${BIT_AND}:=4294967295)`, GROUPS)).toEqual([]);
      expect(await names(`(groupType:${BIT_AND}:=6442450944)`, GROUPS)).toEqual(security);
    });

    it('fails with operationsError on an operand that is no integer', async () => {
      // Samba: :=abc, :="8 " (trailing space) and (cn:803:=1) (cn values are no integers) each
      // ended the search with operationsError (1), "00002020: Indexed and full searches both failed!".
      for (const filter of [`(groupType:${BIT_AND}:=abc)`, `(groupType:${BIT_AND}:=8 )`, `(cn:${BIT_AND}:=1)`, `(!(description:${BIT_OR}:=1))`]) {
        const e = await failure(search(filter, GROUPS));
        expect(e.code, filter).toBe(1);
      }
    });

    it('matches nothing with a matching rule it does not know', async () => {
      // Samba: (cn:1.2.3.4:=x) found nothing and (!(cn:1.2.3.4:=x)) everything (FALSE).
      expect(await dns('(cn:1.2.3.4:=x)', GROUPS)).toEqual([]);
      expect(await dns('(!(cn:1.2.3.4:=x))', GROUPS)).toEqual(await dns('(objectClass=*)', GROUPS));
    });
  });

  describe('objectCategory and objectClass', () => {
    const PERSON = `CN=Person,CN=Schema,CN=Configuration,${BASE}`;

    it('objectCategory=person means the Person category DN: users, no computers', async () => {
      const people = await search('(objectCategory=person)', CORP, ['sAMAccountName', 'objectCategory']);
      expect(people.map((e) => single(e, 'sAMAccountName'))).toContain('driley');
      for (const e of people) expect(single(e, 'objectCategory')).toBe(PERSON);
      expect(people.some((e) => single(e, 'sAMAccountName')?.endsWith('$'))).toBe(false);
      const byName = await dns('(objectCategory=person)', CORP);
      // Samba: user, Person, organizationalPerson and contact all have defaultObjectCategory CN=Person
      // and found the same seven users; the DN itself, in any case, too.
      for (const alias of ['user', 'Person', 'organizationalPerson', 'contact', PERSON, PERSON.toLowerCase()]) {
        expect(await dns(`(objectCategory=${alias})`, CORP), alias).toEqual(byName);
      }
    });

    it('computer, group and organizationalUnit expand to their own categories', async () => {
      const computers = await names('(objectCategory=computer)');
      expect(computers).toContain('DC1$');
      expect(computers.every((n) => n.endsWith('$'))).toBe(true);
      const groups = await search('(objectCategory=group)', CORP, ['groupType', 'sAMAccountName']);
      expect(groups.map((g) => single(g, 'sAMAccountName'))).toContain('Platform Team');
      expect(groups.every((g) => single(g, 'groupType') !== undefined)).toBe(true);
      const ous = await dns('(objectCategory=organizationalUnit)', CORP);
      expect(ous).toContain(CORP.toLowerCase());
      expect(ous.every((dn) => dn.startsWith('ou='))).toBe(true);
      // Samba: objectCategory=domain found the domain head (class domain's category is Domain-DNS).
      expect(await dns('(objectCategory=domain)', BASE)).toEqual([BASE.toLowerCase()]);
    });

    it('matches nothing for an unknown name, a class OID, top, or a substring', async () => {
      // Samba: nosuchclass, 1.2.840.113556.1.5.9 (user's OID), top and pers* found nothing;
      // (!(objectCategory=nosuchclass)) found every object.
      for (const f of ['(objectCategory=nosuchclass)', '(objectCategory=1.2.840.113556.1.5.9)', '(objectCategory=top)', '(objectCategory=pers*)']) {
        expect(await dns(f, CORP), f).toEqual([]);
      }
      expect(await dns('(!(objectCategory=nosuchclass))', CORP)).toEqual(await dns('(objectClass=*)', CORP));
    });

    it('(objectClass=user) also finds computers; objectCategory=person with it does not', async () => {
      // Samba: (objectClass=user) gave the seven users and WS01$, whose objectClass is
      // top, person, organizationalPerson, user, computer.
      const users = await names('(objectClass=user)');
      expect(users).toEqual(expect.arrayContaining(['driley', 'DC1$']));
      const people = await names('(&(objectCategory=person)(objectClass=user))');
      expect(people).toContain('driley');
      expect(people).not.toContain('DC1$');
      const [dc] = await search('(sAMAccountName=DC1$)', BASE, ['objectClass']);
      expect(strings(dc, 'objectClass').map((c) => c.toLowerCase())).toEqual(['top', 'person', 'organizationalperson', 'user', 'computer']);
    });
  });

  describe('ANR (anr=...)', () => {
    const ANR = ['displayName', 'givenName', 'sn', 'name', 'sAMAccountName', 'mailNickname', 'proxyAddresses', 'physicalDeliveryOfficeName', 'legacyExchangeDN'];

    it('is an OR of prefix matches over the ANR attributes', async () => {
      // Samba: (anr=alice), (anr=Ali), (anr=ANDER) and (anr=alice*) each found alice only.
      const found = await search('(anr=dan)', BASE, ANR);
      expect(found.map((e) => single(e, 'sAMAccountName'))).toContain('driley');
      for (const e of found) {
        const hit = ANR.some((a) => strings(e, a).some((v) => v.toLowerCase().startsWith('dan')));
        expect(hit, e.dn).toBe(true);
      }
      expect(await names('(anr=dan*)')).toEqual(found.map((e) => single(e, 'sAMAccountName')).sort());
      expect(await names('(anr=smtp:dan.riley)')).toEqual(['driley']); // proxyAddresses
      expect(await names('(anr=Redmond)')).toContain('driley'); // physicalDeliveryOfficeName
      expect(await names('(anr=Jürgen)')).toContain('jmueller'); // non-ASCII, UTF-8 on the wire
      // Samba: mail and userPrincipalName are not ANR attributes: (anr=alice@contoso.local) found nothing.
      expect(await names('(anr=driley@contoso.com)')).toEqual([]);
    });

    it('splits "first last" at the first space and tries both orders', async () => {
      // Samba: (anr=alice anderson), (anr=anderson alice), (anr=ali and) and (anr=and ali) found alice.
      expect(await names('(anr=dan riley)')).toEqual(['driley']);
      expect(await names('(anr=riley dan)')).toEqual(['driley']);
      expect(await names('(anr=ri da)')).toEqual(['driley']);
      // Samba folds repeated and edge spaces: (anr=alice  anderson) and (anr= alice) found alice.
      expect(await names('(anr=dan  riley)')).toEqual(['driley']);
    });

    it('matches exactly after a leading "="', async () => {
      // Samba: (anr==alice) and (anr==Alice Anderson) found alice; (anr==ali) and (anr==alice and) nothing.
      expect(await names('(anr==Dan Riley)')).toEqual(['driley']);
      expect(await names('(anr==driley)')).toEqual(['driley']);
      expect(await names('(anr==dri)')).toEqual([]);
      expect(await names('(anr==dan ril)')).toEqual([]);
    });

    it('matches nothing for presence, a leading wildcard or an empty value', async () => {
      // Samba: (anr=*), (anr=*lice), (anr=a*e), (anr>=alice) and (anr=) found nothing; (!(anr=*)) and
      // (!(anr=zzz)) found every object. ((anr~=alice) was an operationsError there; FALSE here.)
      for (const f of ['(anr=*)', '(anr=*iley)', '(anr=d*y)', '(anr>=dan)', '(anr~=dan)']) expect(await dns(f, CORP), f).toEqual([]);
      expect(await dns(new EqualityFilter({ attribute: 'anr', value: '' }), CORP)).toEqual([]);
      const all = await dns('(objectClass=*)', CORP);
      expect(await dns('(!(anr=*))', CORP)).toEqual(all);
      expect(await dns('(!(anr=zzzz))', CORP)).toEqual(all);
    });

    it.skipIf(ldapUtils.skip)('works from ldapsearch', async () => {
      const r = await runLdapTool('ldapsearch', ['-x', ...NO_WRAP, '-LLL', '-H', emulator.onprem.ldapUrl, '-D', 'driley@contoso.com', '-w', 'Passw0rd!', '-b', BASE, '(anr=Dan Riley)', 'sAMAccountName']);
      expect(r.code).toBe(0);
      expect([...parseLdifOutput(r.stdout).values()].map((e) => e.get('samaccountname')?.[0])).toEqual(['driley']);
    });
  });

  describe('objectGUID and objectSid in filters', () => {
    let guid: Buffer;
    let sid: Buffer;

    beforeAll(async () => {
      guid = buffer(await read(PLATFORM, ['objectGUID']), 'objectGUID')!;
      sid = buffer(await read(DAN, ['objectSid']), 'objectSid')!;
      expect(guid).toHaveLength(16);
    });

    it('finds an object by its objectGUID bytes', async () => {
      expect(await names(new EqualityFilter({ attribute: 'objectGUID', value: guid }))).toEqual(['Platform Team']);
    });

    it('finds an object by its objectSid bytes and by the S-1-5-... string', async () => {
      expect(await names(new EqualityFilter({ attribute: 'objectSid', value: sid }))).toEqual(['driley']);
      // Samba: (objectSid=S-1-5-21-...-1114) found AllStaff.
      expect(await names(`(objectSid=${sidToString(sid)})`)).toEqual(['driley']);
      // Samba: the same SID with a lower-case 's-1-5-' found nothing.
      expect(await names(`(objectSid=${sidToString(sid).toLowerCase()})`)).toEqual([]);
      expect(await names(`(objectSid=S-1-5-21-999-1)`)).toEqual([]);
      // sIDHistory has the SID syntax too (Amelia Clarke's migrated SID).
      expect(await names('(sIDHistory=S-1-5-21-1004336348-1177238915-682003330-1105)')).toEqual(['aclarke']);
    });

    it('takes objectGUID as its dashed string, as Samba does, but not as 32 hex digits', async () => {
      // Samba: (objectGUID=0cfb5d36-...) and (objectGUID={0cfb5d36-...}) found AllStaff;
      // (objectGUID=365dfb0c...) (the 32 hex digits as text) found nothing. [U] on Windows (ad-ldap.md 5.5).
      expect(await names(`(objectGUID=${guidString(guid)})`)).toEqual(['Platform Team']);
      expect(await names(`(objectGUID={${guidString(guid).toUpperCase()}})`)).toEqual(['Platform Team']);
      expect(await names(`(objectGUID=${guid.toString('hex')})`)).toEqual([]);
    });

    it.skipIf(ldapUtils.skip)('takes \\xx escapes from ldapsearch, in either case', async () => {
      // Samba: (objectGUID=\36\5d\fb...) and (objectGUID=\36\5D\FB...) found AllStaff; so did objectSid escaped.
      const run = (filter: string) =>
        runLdapTool('ldapsearch', ['-x', ...NO_WRAP, '-LLL', '-H', emulator.onprem.ldapUrl, '-D', 'driley@contoso.com', '-w', 'Passw0rd!', '-b', BASE, filter, 'sAMAccountName']);
      for (const [filter, expected] of [
        [`(objectGUID=${escapeBytes(guid)})`, 'Platform Team'],
        [`(objectGUID=${escapeBytes(guid).toUpperCase()})`, 'Platform Team'],
        [`(objectSid=${escapeBytes(sid)})`, 'driley'],
      ] as const) {
        const r = await run(filter);
        expect(r.code, r.stderr).toBe(0);
        expect([...parseLdifOutput(r.stdout).values()].map((e) => e.get('samaccountname')?.[0]), filter).toEqual([expected]);
      }
    });
  });

  describe('alternative DN forms', () => {
    let guid: Buffer;
    let sid: Buffer;

    beforeAll(async () => {
      guid = buffer(await read(PLATFORM, ['objectGUID']), 'objectGUID')!;
      sid = buffer(await read(DAN, ['objectSid']), 'objectSid')!;
    });

    it('are search bases: <GUID=dashed>, <GUID=32 hex>, <SID=S-...>, <SID=hex>', async () => {
      // Samba: <GUID=dashed>, <GUID=32 hex> (either case), <SID=S-...> and <SID=hex> each found the object.
      for (const base of [`<GUID=${guidString(guid)}>`, `<GUID=${guid.toString('hex')}>`, `<GUID=${guid.toString('hex').toUpperCase()}>`]) {
        expect((await search('(objectClass=*)', base, ['cn'], 'base')).map((e) => e.dn), base).toEqual([PLATFORM]);
      }
      for (const base of [`<SID=${sidToString(sid)}>`, `<SID=${sid.toString('hex')}>`]) {
        expect((await search('(objectClass=*)', base, ['cn'], 'base')).map((e) => e.dn), base).toEqual([DAN]);
      }
      // a subtree under a <GUID=> base
      expect(await names('(objectClass=group)', `<GUID=${guidString(guid)}>`)).toEqual(['Platform Team']);
    });

    it('answer 32 for an object that does not exist and 34 for a malformed one', async () => {
      // Samba: <GUID=00000000-0000-0000-0000-000000000001> and <SID=S-1-5-21-1-2-3-4> gave 32;
      // <GUID=zz> and <WKGUID=...> without a DN gave 34.
      expect((await failure(search('(objectClass=*)', '<GUID=00000000-0000-0000-0000-000000000001>', ['cn'], 'base'))).code).toBe(32);
      expect((await failure(search('(objectClass=*)', '<SID=S-1-5-21-1-2-3-4>', ['cn'], 'base'))).code).toBe(32);
      expect((await failure(search('(objectClass=*)', '<GUID=zz>', ['cn'], 'base'))).code).toBe(34);
      expect((await failure(search('(objectClass=*)', '<WKGUID=a9d1ca15768811d1aded00c04fd8d5cd>', ['cn'], 'base'))).code).toBe(34);
    });

    it('<WKGUID=...,DC=contoso,DC=com> resolves the well-known containers', async () => {
      // Samba resolved every row of ad-ldap.md 5.6 on DC=contoso,DC=local, in either case (Infrastructure
      // and NTDS Quotas too; Deleted Objects answered success with no entry, as it is deleted).
      const wellKnown: Record<string, string> = {
        a9d1ca15768811d1aded00c04fd8d5cd: `CN=Users,${BASE}`,
        AA312825768811D1ADED00C04FD8D5CD: `CN=Computers,${BASE}`,
        a361b2ffffd211d1aa4b00c04fd7d83a: `OU=Domain Controllers,${BASE}`,
        ab1d30f3768811d1aded00c04fd8d5cd: `CN=System,${BASE}`,
        ab8153b7768811d1aded00c04fd8d5cd: `CN=LostAndFound,${BASE}`,
        '22b70c67d56e4efb91e9300fca3dc1aa': `CN=ForeignSecurityPrincipals,${BASE}`,
        '09460c08ae1e4a4ea0f64aee7daa1e5a': `CN=Program Data,${BASE}`,
        f4be92a4c777485e878e9421d53087db: `CN=Microsoft,CN=Program Data,${BASE}`,
      };
      for (const [wkguid, dn] of Object.entries(wellKnown)) {
        const found = await search('(objectClass=*)', `<WKGUID=${wkguid},${BASE}>`, ['1.1'], 'base');
        expect(found.map((e) => e.dn.toLowerCase()), wkguid).toEqual([dn.toLowerCase()]);
      }
      // one level below the Users container (Samba: its groups, Administrator, krbtgt, Guest)
      expect(await names('(objectClass=user)', `<WKGUID=a9d1ca15768811d1aded00c04fd8d5cd,${BASE}>`)).toContain('Administrator');
      // Samba: an unknown well-known GUID, or a DN that is no naming context, gave 32.
      expect((await failure(search('(objectClass=*)', `<WKGUID=00000000768811d1aded00c04fd8d5cd,${BASE}>`, ['1.1'], 'base'))).code).toBe(32);
      expect((await failure(search('(objectClass=*)', `<WKGUID=a9d1ca15768811d1aded00c04fd8d5cd,${CORP}>`, ['1.1'], 'base'))).code).toBe(32);
    });

    it('are DN-valued input: member by <GUID=...> and <SID=...>, managedBy by <WKGUID=...>, and the object of a modify', async () => {
      // Samba: adding member <GUID=dashed> and <SID=S-...> to LoopB stored Bob's and Carol's DNs; the
      // same member again as <GUID=32 hex> was refused as already there; <GUID=0...1> gave 32
      // (00000525); managedBy <WKGUID=Users,...> stored CN=Users; a modify of <GUID=bob> changed bob.
      const group = await addGroup('Alt Names');
      const blee = await read(`CN=Brandon Lee,OU=Sales,OU=United States,${CORP}`, ['objectGUID']);
      const bleeGuid = buffer(blee, 'objectGUID')!;
      await addMember(group, `<GUID=${guidString(bleeGuid)}>`);
      await addMember(group, `<SID=${sidToString(sid)}>`);
      const again = await failure(addMember(group, `<GUID=${bleeGuid.toString('hex')}>`));
      expect([20, 68]).toContain(again.code);
      expect((await failure(addMember(group, '<GUID=00000000-0000-0000-0000-000000000001>'))).code).toBe(32);
      await admin.modify(group, new Change({ operation: 'replace', modification: new Attribute({ type: 'managedBy', values: [`<WKGUID=a9d1ca15768811d1aded00c04fd8d5cd,${BASE}>`] }) }));
      await admin.modify(`<GUID=${guidString(bleeGuid)}>`, new Change({ operation: 'replace', modification: new Attribute({ type: 'description', values: ['set through <GUID=>'] }) }));
      const stored = await read(group, ['member', 'managedBy']);
      expect(strings(stored, 'member').map((d) => d.toLowerCase()).sort()).toEqual([blee.dn, DAN].map((d) => d.toLowerCase()).sort());
      expect(single(stored, 'managedBy')).toBe(`CN=Users,${BASE}`);
      expect(single(await read(blee.dn, ['description']), 'description')).toBe('set through <GUID=>');
      // and the group is found by its members' alternative names
      expect(await names(`(member=<SID=${sidToString(sid)}>)`, TESTS)).toEqual(['AltNames', 'LoopC']);
    });

    it('in a filter value, one that names nothing or is malformed is FALSE, not an error', async () => {
      // Samba: (member=<GUID=0...1>), (member=<GUID=zz>) and (member=notadn) found nothing; their
      // negations every object.
      const all = await dns('(objectClass=*)', GROUPS);
      for (const value of ['<GUID=00000000-0000-0000-0000-000000000001>', '<GUID=zz>', 'notadn']) {
        expect(await dns(`(member=${value})`, GROUPS), value).toEqual([]);
        expect(await dns(`(!(member=${value}))`, GROUPS), value).toEqual(all);
      }
    });
  });
});
