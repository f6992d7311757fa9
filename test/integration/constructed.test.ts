// Issue 3, "Result shaping": AD's constructed attributes, computed on read and returned only when
// named (MS-ADTS 3.1.1.4.5): tokenGroups (and its GlobalAndUniversal and NoGCAcceptable forms),
// canonicalName, primaryGroupToken, msDS-User-Account-Control-Computed,
// msDS-UserPasswordExpiryTimeComputed, createTimeStamp and modifyTimeStamp. Each was asked of a
// Samba 4.17 AD DC (tools/samba-up.sh, realm CONTOSO.LOCAL); the "Samba:" comments record its answers.
import { Attribute, Change, Client, type Entry } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator.js';
import { buffer, sidToString, single, strings, values } from '../support/adValues.js';
import { failure } from '../support/ldapResults.js';

const BASE = 'DC=contoso,DC=com';
const CORP = `OU=Corp,${BASE}`;
const GROUPS = `OU=Groups,${CORP}`;
const TESTS = `OU=Constructed Tests,${CORP}`;
const DAN = `CN=Dan Riley,OU=Engineering,OU=United States,${CORP}`;
const NINA = `CN=Nina Petrov,OU=Finance,OU=United States,${CORP}`;
const BRANDON = `CN=Brandon Lee,OU=Sales,OU=United States,${CORP}`;
const BUILTIN_USERS = 'S-1-5-32-545';
const NEVER = '9223372036854775807';
const CONSTRUCTED = [
  'tokenGroups',
  'tokenGroupsGlobalAndUniversal',
  'tokenGroupsNoGCAcceptable',
  'canonicalName',
  'primaryGroupToken',
  'msDS-User-Account-Control-Computed',
  'msDS-UserPasswordExpiryTimeComputed',
  'createTimeStamp',
  'modifyTimeStamp',
];
const BINARY = ['objectSid', 'tokenGroups', 'tokenGroupsGlobalAndUniversal', 'tokenGroupsNoGCAcceptable'];
const DAY_MS = 86_400_000;

describe('constructed attributes', () => {
  let emulator: RunningEmulator;
  let admin: Client;
  let domainSid: string;
  let clockMs = Date.now();

  async function read(dn: string, attributes: string[]): Promise<Entry> {
    const { searchEntries } = await admin.search(dn, { scope: 'base', attributes, explicitBufferAttributes: BINARY });
    return searchEntries[0]!;
  }

  async function sidOf(dn: string): Promise<string> {
    return sidToString(buffer(await read(dn, ['objectSid']), 'objectSid')!);
  }

  async function sids(dn: string, attribute: string): Promise<string[]> {
    return values(await read(dn, [attribute]), attribute)
      .map((v) => sidToString(v as Buffer))
      .sort();
  }

  async function found(filter: string, base = CORP): Promise<string[]> {
    const { searchEntries } = await admin.search(base, { scope: 'sub', filter, attributes: ['1.1'], paged: { pageSize: 1000 } });
    return searchEntries.map((e) => e.dn).sort();
  }

  const replace = (dn: string, type: string, ...vals: string[]): Promise<void> =>
    admin.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type, values: vals }) }));

  beforeAll(async () => {
    emulator = await startEmulator({ sync: false, ldapPort: 0, ldapsPort: 0, logLevel: 'silent', lockoutThreshold: 3, clock: () => new Date(clockMs) });
    admin = new Client({ url: emulator.onprem.ldapUrl });
    await admin.bind(emulator.onprem.admin.upn, emulator.onprem.admin.password);
    domainSid = await sidOf(BASE);
    await admin.add(TESTS, { objectClass: 'organizationalUnit', ou: 'Constructed Tests' });
  });

  afterAll(async () => {
    await admin?.unbind().catch(() => undefined);
    await emulator?.stop();
  });

  describe('tokenGroups', () => {
    it("holds the binary SIDs of Dan's transitive security groups and his primary group, no distribution group", async () => {
      // Samba, alice (in Engineering < AllStaff < Newsletter, and Engineering in App-Admins): the SIDs
      // of Engineering, AllStaff, App-Admins (domain local), Domain Users (513, the primary group) and
      // BUILTIN\Users S-1-5-32-545 (which holds Domain Users); not Newsletter (distribution).
      const security = ['Platform Team', 'Engineering US', 'Engineering All', 'FS-Engineering-RO', 'App-Webapp-Users', 'Project Phoenix', 'VPN Users'];
      const expected = [...(await Promise.all(security.map((cn) => sidOf(`CN=${cn},${GROUPS}`)))), `${domainSid}-513`, BUILTIN_USERS].sort();
      expect(await sids(DAN, 'tokenGroups')).toEqual(expected);
      expect(await sids(DAN, 'tokenGroups')).not.toContain(await sidOf(`CN=Contoso Newsletter,${GROUPS}`));
      // Samba: tokenGroupsNoGCAcceptable is the same list.
      expect(await sids(DAN, 'tokenGroupsNoGCAcceptable')).toEqual(expected);
      // each value is a 28-byte (or 16-byte builtin) binary SID
      for (const v of values(await read(DAN, ['tokenGroups']), 'tokenGroups')) expect([16, 28]).toContain((v as Buffer).length);
    });

    it('tokenGroupsGlobalAndUniversal leaves out domain-local and builtin groups', async () => {
      // Samba, alice: Engineering, AllStaff and Domain Users only.
      const globalAndUniversal = ['Platform Team', 'Engineering US', 'Engineering All', 'Project Phoenix', 'VPN Users'];
      const expected = [...(await Promise.all(globalAndUniversal.map((cn) => sidOf(`CN=${cn},${GROUPS}`)))), `${domainSid}-513`].sort();
      expect(await sids(DAN, 'tokenGroupsGlobalAndUniversal')).toEqual(expected);
    });

    it('is refused outside a base-scope search with operationsError', async () => {
      // Samba: 1 (operationsError), "00002020: operational_search_post_process failed for attribute
      // 'tokenGroups' - Cannot provide tokenGroups attribute, this is not a BASE search"; the same
      // for tokenGroupsGlobalAndUniversal.
      for (const scope of ['one', 'sub'] as const) {
        for (const attribute of ['tokenGroups', 'tokenGroupsGlobalAndUniversal']) {
          const e = await failure(admin.search(`OU=Engineering,OU=United States,${CORP}`, { scope, filter: '(objectClass=*)', attributes: [attribute] }));
          expect(e.code, `${scope} ${attribute}`).toBe(1);
          expect(e.message).toContain('Cannot provide tokenGroups attribute, this is not a BASE search');
        }
      }
    });

    it('ends on a membership loop and does not pass through a distribution group', async () => {
      // Samba: bob is in Newsletter (distribution), and Newsletter in SecOuter (security): bob's
      // tokenGroups had neither. With LoopA > LoopB > LoopC > LoopA and bob in LoopB, all three loop
      // groups were there, once each.
      const user = `CN=Token User,${TESTS}`;
      await admin.add(user, { objectClass: 'user', sAMAccountName: 'tokenuser' });
      const distribution = `CN=Token Dist,${TESTS}`;
      await admin.add(distribution, { objectClass: 'group', sAMAccountName: 'tokendist', groupType: '2', member: user });
      const outer = `CN=Token Outer,${TESTS}`;
      await admin.add(outer, { objectClass: 'group', sAMAccountName: 'tokenouter', member: distribution });
      const loopA = `CN=Token Loop A,${TESTS}`;
      const loopB = `CN=Token Loop B,${TESTS}`;
      await admin.add(loopA, { objectClass: 'group', sAMAccountName: 'tokenloopa', member: user });
      await admin.add(loopB, { objectClass: 'group', sAMAccountName: 'tokenloopb', member: loopA });
      await admin.modify(loopA, new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [loopB] }) }));
      const expected = [await sidOf(loopA), await sidOf(loopB), `${domainSid}-513`, BUILTIN_USERS].sort();
      expect(await sids(user, 'tokenGroups')).toEqual(expected);
    });

    it("includes a computer's primary group", async () => {
      // Samba: WS01$ (primaryGroupID 515) had exactly Domain Computers.
      const [dc] = (await admin.search(BASE, { filter: '(sAMAccountName=DC1$)', attributes: ['primaryGroupID'] })).searchEntries;
      const primary = single(dc, 'primaryGroupID');
      expect(primary).toBeDefined();
      expect(await sids(dc!.dn, 'tokenGroups')).toContain(`${domainSid}-${primary}`);
    });
  });

  it('are returned only when named, never for *', async () => {
    // Samba: a '*' search of alice and of AllStaff returned none of them.
    const all = await read(DAN, ['*']);
    for (const name of CONSTRUCTED) expect(values(all, name), name).toEqual([]);
    const named = await read(DAN, ['*', 'canonicalName', 'msDS-User-Account-Control-Computed']);
    expect(single(named, 'sAMAccountName')).toBe('driley');
    expect(single(named, 'canonicalName')).toBe('contoso.com/Corp/United States/Engineering/Dan Riley');
    expect(single(named, 'msDS-User-Account-Control-Computed')).toBe('0');
  });

  it('canonicalName is the DNS domain and the RDN values from the top', async () => {
    // Samba: contoso.local/Corp/Users/Alice Anderson, contoso.local/ for the domain head,
    // contoso.local/Users for CN=Users.
    expect(single(await read(DAN, ['canonicalName']), 'canonicalName')).toBe('contoso.com/Corp/United States/Engineering/Dan Riley');
    expect(single(await read(BASE, ['canonicalName']), 'canonicalName')).toBe('contoso.com/');
    expect(single(await read(`CN=Users,${BASE}`, ['canonicalName']), 'canonicalName')).toBe('contoso.com/Users');
    const slashed = `OU=A/B,${TESTS}`;
    await admin.add(slashed, { objectClass: 'organizationalUnit', ou: 'A/B' });
    // Windows escapes a '/' inside a name as '\/' (ADS_NAME_TYPE_CANONICAL); Samba printed it bare: contoso.local/Corp/A/B.
    expect(single(await read(slashed, ['canonicalName']), 'canonicalName')).toBe('contoso.com/Corp/Constructed Tests/A\\/B');
  });

  it('primaryGroupToken is the RID of a group, and absent elsewhere', async () => {
    // Samba: AllStaff 1114 (its RID), Newsletter (distribution) its RID too, Domain Users 513;
    // none on a user or an OU.
    expect(single(await read(`CN=Domain Users,CN=Users,${BASE}`, ['primaryGroupToken']), 'primaryGroupToken')).toBe('513');
    for (const cn of ['Platform Team', 'Contoso Newsletter']) {
      const dn = `CN=${cn},${GROUPS}`;
      expect(single(await read(dn, ['primaryGroupToken']), 'primaryGroupToken')).toBe((await sidOf(dn)).split('-').pop());
    }
    expect(values(await read(DAN, ['primaryGroupToken']), 'primaryGroupToken')).toEqual([]);
    expect(values(await read(GROUPS, ['primaryGroupToken']), 'primaryGroupToken')).toEqual([]);
  });

  it('createTimeStamp and modifyTimeStamp are whenCreated and whenChanged', async () => {
    // Samba: createTimeStamp = whenCreated and modifyTimeStamp = whenChanged (20261122050212.0Z
    // form), and filters on them read those attributes.
    const dn = `CN=Stamp User,${TESTS}`;
    await admin.add(dn, { objectClass: 'user', sAMAccountName: 'stampuser' });
    const before = await read(dn, ['whenCreated', 'whenChanged', 'createTimeStamp', 'modifyTimeStamp']);
    expect(single(before, 'createTimeStamp')).toMatch(/^\d{14}\.0Z$/);
    expect(single(before, 'createTimeStamp')).toBe(single(before, 'whenCreated'));
    expect(single(before, 'modifyTimeStamp')).toBe(single(before, 'whenChanged'));
    clockMs += 5_000;
    await replace(dn, 'description', 'changed');
    const after = await read(dn, ['whenCreated', 'whenChanged', 'createTimeStamp', 'modifyTimeStamp']);
    expect(single(after, 'createTimeStamp')).toBe(single(before, 'createTimeStamp'));
    expect(single(after, 'modifyTimeStamp')).toBe(single(after, 'whenChanged'));
    expect(single(after, 'modifyTimeStamp')! > single(before, 'modifyTimeStamp')!).toBe(true);
    expect(await found(`(&(sAMAccountName=stampuser)(modifyTimeStamp>=${single(after, 'whenChanged')}))`)).toEqual([dn]);
    expect(await found(`(&(sAMAccountName=stampuser)(createTimeStamp>=${single(after, 'whenChanged')}))`)).toEqual([]);
    expect(await found(`(&(sAMAccountName=stampuser)(createTimeStamp=*))`)).toEqual([dn]);
  });

  it('filters on the other constructed attributes match nothing', async () => {
    // Samba: (canonicalName=contoso.local/Corp/Users/Alice Anderson), (canonicalName=*),
    // (primaryGroupToken=1114), (msDS-User-Account-Control-Computed=8388608), (tokenGroups=*) and
    // (msDS-UserPasswordExpiryTimeComputed=0) found nothing; their negations every object.
    for (const f of [
      '(canonicalName=contoso.com/Corp/United States/Engineering/Dan Riley)',
      '(canonicalName=*)',
      '(primaryGroupToken=513)',
      '(msDS-User-Account-Control-Computed=0)',
      '(tokenGroups=*)',
      '(msDS-UserPasswordExpiryTimeComputed=0)',
    ]) {
      expect(await found(f, BASE), f).toEqual([]);
    }
    expect(await found('(!(msDS-User-Account-Control-Computed=8388608))', GROUPS)).toEqual(await found('(objectClass=*)', GROUPS));
  });

  describe('msDS-User-Account-Control-Computed and msDS-UserPasswordExpiryTimeComputed', () => {
    async function computed(dn: string): Promise<{ uac: string | undefined; expiry: string | undefined; pwdLastSet: string | undefined }> {
      const e = await read(dn, ['msDS-User-Account-Control-Computed', 'msDS-UserPasswordExpiryTimeComputed', 'pwdLastSet']);
      return { uac: single(e, 'msDS-User-Account-Control-Computed'), expiry: single(e, 'msDS-UserPasswordExpiryTimeComputed'), pwdLastSet: single(e, 'pwdLastSet') };
    }

    it('hold only the computed bits and the expiry of each kind of account', async () => {
      const maxPwdAge = BigInt(single(await read(BASE, ['maxPwdAge']), 'maxPwdAge')!);
      // Samba, alice (512): 0, and pwdLastSet - maxPwdAge (42 days later).
      const dan = await computed(DAN);
      expect(dan.uac).toBe('0');
      expect(dan.expiry).toBe(String(BigInt(dan.pwdLastSet!) - maxPwdAge));
      // Samba, frank (pwdLastSet 0): 8388608 (PASSWORD_EXPIRED) and 0.
      expect(await computed(NINA)).toMatchObject({ uac: '8388608', expiry: '0' });
      // Samba, svc-app (66048, DONT_EXPIRE_PASSWD): 0 and 9223372036854775807.
      const [svc] = (await admin.search(CORP, { filter: '(sAMAccountName=svc-webapp)', attributes: ['userAccountControl'] })).searchEntries;
      expect(single(svc, 'userAccountControl')).toBe('66048');
      expect(await computed(svc!.dn)).toMatchObject({ uac: '0', expiry: NEVER });
      // Samba, carol (514, disabled): 0 and a normal expiry; the stored bits are not repeated.
      expect((await computed(BRANDON)).uac).toBe('0');
      // Samba, WS01$ (4098, pwdLastSet 0): 0 and never: trust accounts do not expire.
      const [dc] = (await admin.search(BASE, { filter: '(sAMAccountName=DC1$)', attributes: ['1.1'] })).searchEntries;
      expect(await computed(dc!.dn)).toMatchObject({ uac: '0', expiry: NEVER });
      // Samba answers 8388608 and 0 even on groups and OUs; here they are absent where there is no account.
      expect(await computed(GROUPS)).toMatchObject({ uac: undefined, expiry: undefined });
    });

    it('sets LOCKOUT (16) after the lockout threshold, until the lockout duration has passed', async () => {
      // Samba, after three bad binds of dave with lockoutThreshold 3: 16, with userAccountControl still 512.
      const bad = new Client({ url: emulator.onprem.ldapUrl });
      for (let i = 0; i < 3; i++) await failure(bad.bind('jsmith@contoso.com', 'wrong password'));
      const jsmith = `CN=John Smith,OU=Sales,OU=United States,${CORP}`;
      const locked = await read(jsmith, ['msDS-User-Account-Control-Computed', 'userAccountControl', 'lockoutTime']);
      expect(single(locked, 'msDS-User-Account-Control-Computed')).toBe('16');
      expect(single(locked, 'userAccountControl')).toBe('512');
      expect(single(locked, 'lockoutTime')).not.toBe('0');
      clockMs += 31 * 60_000; // lockoutDuration is 30 minutes
      expect(single(await read(jsmith, ['msDS-User-Account-Control-Computed']), 'msDS-User-Account-Control-Computed')).toBe('0');
    });

    it('sets PASSWORD_EXPIRED (8388608) once maxPwdAge has passed', async () => {
      const dan = await computed(DAN);
      clockMs += 43 * DAY_MS; // maxPwdAge is 42 days
      expect((await computed(DAN)).uac).toBe('8388608');
      expect((await computed(DAN)).expiry).toBe(dan.expiry);
      const [svc] = (await admin.search(CORP, { filter: '(sAMAccountName=svc-webapp)', attributes: ['1.1'] })).searchEntries;
      expect((await computed(svc!.dn)).uac).toBe('0');
    });
  });

  it('structuralObjectClass lists the class chain', async () => {
    // Samba: alice had top, person, organizationalPerson, user.
    expect(strings(await read(DAN, ['structuralObjectClass']), 'structuralObjectClass')).toEqual(['top', 'person', 'organizationalPerson', 'user']);
  });
});
