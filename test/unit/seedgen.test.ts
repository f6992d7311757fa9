import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateEstate, generateEstateLdif, unicodePwdBase64, type EstateOptions } from '../../src/domains/seedgen.js';

const base: EstateOptions = { users: 300, baseDn: 'DC=contoso,DC=com', upnSuffix: 'contoso.com' };

interface Rec {
  dn: string;
  attrs: Array<[string, string]>;
}

/** Minimal RFC 2849 reader for what the generator writes: comments, 'attr: v', 'attr:: base64'. */
function parse(ldif: string): Rec[] {
  const blocks = ldif.split(/\n\n+/).map((b) =>
    b
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .join('\n'),
  );
  const records: Rec[] = [];
  for (const block of blocks) {
    if (block === '' || block === 'version: 1') continue;
    expect(block.startsWith('dn: ') || block.startsWith('dn:: ')).toBe(true);
    const attrs = block.split('\n').map((l): [string, string] => {
      const m = /^([A-Za-z][\w-]*)(::?) (.*)$/.exec(l);
      if (m === null) throw new Error(`unparseable line: ${l}`);
      const [, name, sep, value] = m as unknown as [string, string, string, string];
      return [name, sep === '::' && name !== 'unicodePwd' ? Buffer.from(value, 'base64').toString('utf8') : value];
    });
    records.push({ dn: (attrs[0] as [string, string])[1], attrs: attrs.slice(1) });
  }
  return records;
}

const values = (r: Rec, name: string): string[] => r.attrs.filter(([n]) => n === name).map(([, v]) => v);
const isUser = (r: Rec) => values(r, 'objectClass').includes('user');
const isGroup = (r: Rec) => values(r, 'objectClass').includes('group');

describe('seedgen', () => {
  it('is deterministic: same seed, same text; another seed, other text', () => {
    expect(generateEstateLdif(base)).toBe(generateEstateLdif(base));
    expect(generateEstateLdif({ ...base, seed: 7 })).toBe(generateEstateLdif({ ...base, seed: 7 }));
    expect(generateEstateLdif({ ...base, seed: 7 })).not.toBe(generateEstateLdif(base));
  });

  it('writes a version header and records that each start with dn:', () => {
    const text = generateEstateLdif(base);
    expect(text.startsWith('version: 1\n\n')).toBe(true);
    const records = parse(text);
    expect(records.length).toBe(1 + 300 + 30);
  });

  it('creates the OU first, then N users, then users/10 groups by default', () => {
    const records = parse(generateEstateLdif(base));
    expect(records[0]?.dn).toBe('OU=Generated,DC=contoso,DC=com');
    expect(values(records[0] as Rec, 'objectClass')).toContain('organizationalUnit');
    expect(records.filter(isUser)).toHaveLength(300);
    expect(records.filter(isGroup)).toHaveLength(30);
    const firstGroup = records.findIndex(isGroup);
    expect(records.slice(firstGroup).every(isGroup)).toBe(true);
    for (const r of records.slice(1)) expect(r.dn.endsWith(',OU=Generated,DC=contoso,DC=com')).toBe(true);
  });

  it('gives users unique sAMAccountNames of at most 20 characters, and the other user attributes', () => {
    const records = parse(generateEstateLdif({ ...base, users: 3000, groups: 0 }));
    const users = records.filter(isUser);
    const sams = users.map((u) => values(u, 'sAMAccountName')[0] ?? '');
    expect(new Set(sams.map((s) => s.toLowerCase())).size).toBe(3000);
    for (const s of sams) {
      expect(s.length).toBeGreaterThan(0);
      expect(s.length).toBeLessThanOrEqual(20);
      expect(s).toMatch(/^[a-z0-9]+$/);
    }
    const upns = users.map((u) => (values(u, 'userPrincipalName')[0] ?? '').toLowerCase());
    expect(new Set(upns).size).toBe(3000);
    const nicks = users.map((u) => (values(u, 'mailNickname')[0] ?? '').toLowerCase());
    expect(new Set(nicks).size).toBe(3000);
    for (const u of users) {
      for (const a of ['cn', 'givenName', 'sn', 'displayName', 'mail', 'title', 'department', 'employeeID']) {
        expect(values(u, a)).toHaveLength(1);
      }
      expect(values(u, 'unicodePwd')).toHaveLength(0);
      expect(values(u, 'userAccountControl')).toHaveLength(0);
    }
    expect(users.filter((u) => values(u, 'manager').length === 1).length).toBeGreaterThan(2000);
  });

  it('references only DNs that appear earlier (managers, members, nested groups, managedBy)', () => {
    const records = parse(generateEstateLdif({ ...base, users: 500, groups: 80, groupOfAll: 'Everyone Generated' }));
    const seen = new Set<string>();
    let nested = 0;
    for (const r of records) {
      for (const a of ['manager', 'member', 'managedBy']) {
        for (const v of values(r, a)) expect(seen.has(v.toLowerCase()), `${r.dn} ${a} ${v}`).toBe(true);
      }
      if (isGroup(r)) {
        const members = values(r, 'member');
        const groupMembers = members.filter((m) => records.some((x) => x.dn === m && isGroup(x)));
        nested += groupMembers.length > 0 ? 1 : 0;
        if (values(r, 'cn')[0] !== 'Everyone Generated') {
          expect(members.length - groupMembers.length).toBeGreaterThanOrEqual(5);
          expect(members.length - groupMembers.length).toBeLessThanOrEqual(50);
        }
      }
      expect(seen.has(r.dn.toLowerCase())).toBe(false);
      seen.add(r.dn.toLowerCase());
    }
    expect(nested).toBeGreaterThan(0);
    const all = records.find((r) => values(r, 'cn')[0] === 'Everyone Generated');
    expect(all && values(all, 'member')).toHaveLength(500);
    expect(all && values(all, 'groupType')).toEqual(['-2147483646']);
  });

  it('makes global, universal and mail-enabled distribution groups', () => {
    const groups = parse(generateEstateLdif({ ...base, users: 200, groups: 200 })).filter(isGroup);
    const types = new Set(groups.map((g) => values(g, 'groupType')[0]));
    expect(types).toEqual(new Set(['-2147483646', '-2147483640', '8']));
    for (const g of groups.filter((x) => values(x, 'groupType')[0] === '8')) {
      expect(values(g, 'mail')[0]).toMatch(/@contoso\.com$/);
      expect(values(g, 'proxyAddresses')[0]).toMatch(/^SMTP:.+@contoso\.com$/);
    }
  });

  it('sets unicodePwd and userAccountControl 512 when a password is given', () => {
    const users = parse(generateEstateLdif({ ...base, users: 5, groups: 0, password: 'Passw0rd!' })).filter(isUser);
    for (const u of users) {
      expect(values(u, 'unicodePwd')).toEqual(['IgBQAGEAcwBzAHcAMAByAGQAIQAiAA==']);
      expect(values(u, 'userAccountControl')).toEqual(['512']);
    }
    expect(unicodePwdBase64('Passw0rd!')).toBe('IgBQAGEAcwBzAHcAMAByAGQAIQAiAA==');
  });

  it('uses the given OU and avoids reserved names', () => {
    const firstRun = parse(generateEstateLdif({ ...base, users: 400, groups: 0 })).filter(isUser);
    const taken = firstRun.flatMap((u) => [...values(u, 'sAMAccountName'), ...values(u, 'mailNickname')]);
    const records = parse(
      generateEstateLdif({ ...base, users: 400, groups: 0, ou: 'OU=Bulk,OU=Corp,DC=contoso,DC=com', reserved: taken }),
    );
    expect(records[0]?.dn).toBe('OU=Bulk,OU=Corp,DC=contoso,DC=com');
    const reserved = new Set(taken.map((t) => t.toLowerCase()));
    const users = records.filter(isUser);
    expect(users).toHaveLength(400);
    for (const u of users) {
      expect(reserved.has((values(u, 'sAMAccountName')[0] ?? '').toLowerCase())).toBe(false);
      expect(reserved.has((values(u, 'mailNickname')[0] ?? '').toLowerCase())).toBe(false);
      expect(reserved.has((values(u, 'userPrincipalName')[0] ?? '').split('@')[0]?.toLowerCase() ?? '')).toBe(false);
    }
  });

  it('streams record by record', () => {
    const it = generateEstate({ ...base, users: 100_000 });
    const first = it.next();
    expect(first.done).toBe(false);
    expect(first.value).toMatch(/^dn: OU=Generated,DC=contoso,DC=com\n/);
    let n = 1;
    for (const record of it) {
      n++;
      if (n > 10) break;
      expect(record.startsWith('dn: ') || record.startsWith('dn:: ')).toBe(true);
    }
  });
});

describe('seed files', () => {
  const root = new URL('../../seed/', import.meta.url);
  const read = (name: string) => readFileSync(new URL(name, root), 'utf8');
  const domain = read('ad-domain.ldif')
    .replaceAll('${domainDn}', 'DC=contoso,DC=com')
    .replaceAll('${domainSid}', 'S-1-5-21-1-2-3');
  const files = { domain: parse(domain), contoso: parse(read('contoso.ldif')), bulk: parse(read('contoso-bulk.ldif')) };

  it('name only entries that appear earlier, in the order ad-domain, contoso, contoso-bulk', () => {
    const seen = new Set<string>();
    for (const records of [files.domain, files.contoso, files.bulk]) {
      for (const r of records) {
        for (const a of ['manager', 'member', 'managedBy']) {
          for (const v of values(r, a)) expect(seen.has(v.toLowerCase()), `${r.dn} ${a} ${v}`).toBe(true);
        }
        expect(seen.has(r.dn.toLowerCase()), `duplicate ${r.dn}`).toBe(false);
        seen.add(r.dn.toLowerCase());
      }
    }
  });

  it('keep sAMAccountName and UPN unique across the estate', () => {
    const all = [...files.domain, ...files.contoso, ...files.bulk];
    const sams = all.flatMap((r) => values(r, 'sAMAccountName')).map((s) => s.toLowerCase());
    expect(new Set(sams).size).toBe(sams.length);
    const upns = all.flatMap((r) => values(r, 'userPrincipalName')).map((s) => s.toLowerCase());
    expect(new Set(upns).size).toBe(upns.length);
  });

  it('bulk: 1600 users and All Bulk Users holding them all (over MaxValRange)', () => {
    expect(files.bulk[0]?.dn).toBe('OU=Bulk,OU=Corp,DC=contoso,DC=com');
    expect(files.bulk.filter(isUser)).toHaveLength(1600);
    const all = files.bulk.find((r) => r.dn === 'CN=All Bulk Users,OU=Bulk,OU=Corp,DC=contoso,DC=com');
    expect(all && values(all, 'member')).toHaveLength(1600);
  });

  it('contoso: Dan Riley, the MSOL_ account and the three-level nesting', () => {
    const driley = files.contoso.find((r) => values(r, 'sAMAccountName')[0] === 'driley');
    expect(driley?.dn).toBe('CN=Dan Riley,OU=Engineering,OU=United States,OU=Corp,DC=contoso,DC=com');
    const msol = files.contoso.find((r) => values(r, 'sAMAccountName')[0]?.startsWith('MSOL_'));
    expect(msol && values(msol, 'unicodePwd')).toEqual([]);
    const groups = 'OU=Groups,OU=Corp,DC=contoso,DC=com';
    const group = (cn: string) => files.contoso.find((r) => r.dn === `CN=${cn},${groups}`);
    expect(values(group('Engineering US') as Rec, 'member')).toContain(`CN=Platform Team,${groups}`);
    expect(values(group('Engineering All') as Rec, 'member')).toContain(`CN=Engineering US,${groups}`);
  });
});
