import { readFileSync } from 'node:fs';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeUnicodePwd } from '../../src/ad/crypto/unicodePwd.js';
import { sidToString } from '../../src/directory/binary.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator.js';
import { failure } from '../support/ldapResults.js';
import { requireLdapUtils, runLdapTool } from '../support/ldapUtils.js';
import { connect } from 'node:tls';

// The managed domain (Microsoft Entra Domain Services), issue 4: layout, SIDs, and who may write.
const BASE = 'DC=aaddscontoso,DC=com';
const USERS = `OU=AADDC Users,${BASE}`;
const ADMINS = `CN=AAD DC Administrators,${USERS}`;
const ldapUtils = requireLdapUtils(['ldapsearch']);
let emulator: RunningEmulator;
let now = Date.parse('2026-11-22T12:00:00Z');

const tls = () => ({ ca: [readFileSync(emulator.managed.caFile!)] });
async function bind(name: string, password: string, secure = true): Promise<Client> {
  const client = secure ? new Client({ url: emulator.managed.ldapsUrl!, tlsOptions: tls() }) : new Client({ url: emulator.managed.ldapUrl });
  await client.bind(name, password);
  return client;
}
const sync = (): Promise<Client> => bind('AADDSSync@aaddscontoso.com', emulator.managedCredentials.accounts[0]!.password);
const pwd = (password: string): Attribute => new Attribute({ type: 'unicodePwd', values: [encodeUnicodePwd(password)] });

beforeAll(async () => {
  emulator = await startEmulator({ sync: false, ldapPort: 0, ldapsPort: 0, managedLdapPort: 0, managedLdapsPort: 0, logLevel: 'silent', clock: () => new Date(now) });
  // What the sync will do (issue 5), written directly as the sync principal. dcadmin@contoso.com is
  // the bootstrap AAD DC Administrators member the emulator creates by default (--dc-admin).
  const s = await sync();
  await s.add(`CN=Dan Riley,${USERS}`, [
    new Attribute({ type: 'objectClass', values: ['user'] }),
    new Attribute({ type: 'sAMAccountName', values: ['driley'] }),
    new Attribute({ type: 'userPrincipalName', values: ['driley@contoso.com'] }),
    new Attribute({ type: 'userAccountControl', values: ['512'] }),
    new Attribute({ type: 'description', values: ['synced'] }),
    pwd('Passw0rd!'),
  ]);
  await s.unbind();
});
afterAll(async () => {
  await emulator?.stop();
});

describe('the managed domain aaddscontoso.com', () => {
  it('names itself and its two DCs in the rootDSE, and has the Domain Services layout', async () => {
    const anonymous = new Client({ url: emulator.managed.ldapUrl });
    const { searchEntries } = await anonymous.search('', { scope: 'base', attributes: ['defaultNamingContext', 'dnsHostName', 'ldapServiceName', 'rootDomainNamingContext'] });
    const rootDse = searchEntries[0]!;
    expect(rootDse.defaultNamingContext).toBe(BASE);
    expect(String(rootDse.dnsHostName)).toMatch(/^[a-z0-9]{15}\.aaddscontoso\.com$/);
    expect(String(rootDse.ldapServiceName)).toMatch(/^aaddscontoso\.com:[a-z0-9]{15}\$@AADDSCONTOSO\.COM$/);
    await anonymous.unbind();

    const c = await bind('dcadmin@contoso.com', 'Passw0rd!', false);
    const top = await c.search(BASE, { scope: 'one', attributes: ['dn'] });
    const names = top.searchEntries.map((e) => e.dn.split(',')[0]);
    for (const name of ['OU=AADDC Users', 'OU=AADDC Computers', 'OU=Domain Controllers', 'CN=Users', 'CN=Builtin', 'CN=Computers', 'CN=System', 'CN=ForeignSecurityPrincipals', 'CN=Managed Service Accounts', 'CN=Program Data', 'CN=LostAndFound']) {
      expect(names).toContain(name);
    }
    const dcs = await c.search(`OU=Domain Controllers,${BASE}`, { scope: 'one', attributes: ['dNSHostName'] });
    expect(dcs.searchEntries).toHaveLength(2);
    const pso = await c.search(`CN=Password Settings Container,CN=System,${BASE}`, { scope: 'one', attributes: ['msDS-LockoutThreshold', 'msDS-PasswordSettingsPrecedence'] });
    expect(pso.searchEntries[0]).toMatchObject({ 'msDS-LockoutThreshold': '5', 'msDS-PasswordSettingsPrecedence': '200' });
    await c.unbind();
  });

  it('gives every object a SID of its own domain, not the on-prem one', async () => {
    const c = await bind('dcadmin@contoso.com', 'Passw0rd!', false);
    const { searchEntries } = await c.search(BASE, { filter: '(objectSid=*)', attributes: ['objectSid'], explicitBufferAttributes: ['objectSid'] });
    const domainSid = emulator.managedDc.domain.sid;
    expect(domainSid).not.toBe(emulator.onpremDc.domain.sid);
    for (const entry of searchEntries) {
      const sid = sidToString(entry.objectSid as Buffer);
      // CN=Builtin (S-1-5-32) and its groups (S-1-5-32-544, ...) are the same in every domain.
      if (!sid.startsWith('S-1-5-32')) expect(sid, entry.dn).toMatch(new RegExp(`^${domainSid}(-\\d+)?$`));
    }
    expect(searchEntries.length).toBeGreaterThan(25);
    await c.unbind();
  });

  it('keeps synced objects read-only to everyone but the sync principal: 50, and nothing changes', async () => {
    const admin = await bind('dcadmin@contoso.com', 'Passw0rd!');
    const dan = `CN=Dan Riley,${USERS}`;
    const attempts = [
      admin.modify(dan, new Change({ operation: 'replace', modification: new Attribute({ type: 'description', values: ['changed'] }) })),
      admin.modify(dan, new Change({ operation: 'replace', modification: pwd('Chang3d!Pass') })),
      admin.modifyDN(dan, 'CN=Dan Moved'),
      admin.modifyDN(dan, `CN=Dan Riley,OU=AADDC Computers,${BASE}`),
      admin.del(dan),
      admin.add(`CN=Intruder,${USERS}`, { objectClass: 'user', sAMAccountName: 'intruder' }),
    ];
    for (const attempt of attempts) {
      const error = await failure(attempt);
      expect(error.code).toBe(50);
      expect(error.message).toContain('INSUFF_ACCESS_RIGHTS');
    }
    const { searchEntries } = await admin.search(dan, { scope: 'base', attributes: ['description'] });
    expect(searchEntries[0]!.description).toBe('synced');
    await bind('driley@contoso.com', 'Passw0rd!').then((c) => c.unbind());
    await admin.unbind();
  });

  it('lets an AAD DC Administrators member run a custom OU: OU, service account with a password over LDAPS, bind, delete', async () => {
    const admin = await bind('dcadmin@contoso.com', 'Passw0rd!');
    await admin.add(`OU=Apps,${BASE}`, { objectClass: 'organizationalUnit' });
    const svc = `CN=svc-app,OU=Apps,${BASE}`;
    await admin.add(svc, [
      new Attribute({ type: 'objectClass', values: ['user'] }),
      new Attribute({ type: 'sAMAccountName', values: ['svc-app'] }),
      new Attribute({ type: 'userPrincipalName', values: ['svc-app@aaddscontoso.com'] }),
      new Attribute({ type: 'userAccountControl', values: ['512'] }),
      pwd('Svc!Passw0rd'),
    ]);
    // Users created in the managed domain also need length 7 and complexity.
    const weak = await failure(admin.modify(svc, new Change({ operation: 'replace', modification: pwd('simple') })));
    expect(weak.code).toBe(53);
    expect(weak.message).toContain('0000052D');
    const service = await bind('svc-app@aaddscontoso.com', 'Svc!Passw0rd');
    await service.unbind();
    await admin.del(svc);
    expect((await failure(bind('svc-app@aaddscontoso.com', 'Svc!Passw0rd'))).code).toBe(49);
    // They are not Domain Admins: built-in containers stay closed.
    expect((await failure(admin.add(`CN=Nope,CN=Users,${BASE}`, { objectClass: 'user', sAMAccountName: 'nope' }))).code).toBe(50);
    expect((await failure(admin.add(`CN=Nope,OU=Domain Controllers,${BASE}`, { objectClass: 'computer', sAMAccountName: 'nope$' }))).code).toBe(50);
    // ... but they join computers to AADDC Computers.
    await admin.add(`CN=WS-JOINED,OU=AADDC Computers,${BASE}`, { objectClass: 'computer', sAMAccountName: 'WS-JOINED$' });
    await admin.unbind();
  });

  it('locks a user after five bad passwords within two minutes, for thirty minutes (data 775)', async () => {
    const fail = async (password: string): Promise<string | undefined> => {
      try {
        await bind('driley@contoso.com', password, false).then((c) => c.unbind());
        return undefined;
      } catch (e) {
        return /data ([0-9a-f]+)/.exec(String(e))?.[1];
      }
    };
    for (let i = 0; i < 5; i++) expect(await fail('wrong')).toBe('52e');
    expect(await fail('Passw0rd!')).toBe('775');
    now += 29 * 60_000;
    expect(await fail('Passw0rd!')).toBe('775');
    now += 2 * 60_000;
    expect(await fail('Passw0rd!')).toBeUndefined();
  });

  // Skip reason: ldap-utils (ldapsearch) is not installed here; with CI set, requireLdapUtils() fails instead.
  it.skipIf(ldapUtils.skip)('answers ldapsearch -D <admin UPN> on a fresh start, and the admin is in AAD DC Administrators', async () => {
    const admin = emulator.managed.admin!;
    expect(admin.upn).toBe('dcadmin@contoso.com');
    const result = await runLdapTool('ldapsearch', ['-x', '-LLL', '-H', emulator.managed.ldapUrl, '-D', admin.upn, '-w', admin.password, '-b', USERS, '(objectClass=group)', 'cn', 'member']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`dn: ${ADMINS}`);
    expect(result.stdout).toContain(`member: ${admin.dn}`);
  });

  it('does not let the built-in Administrator in: nobody is a Domain Admin there', async () => {
    expect((await failure(bind('Administrator@aaddscontoso.com', 'Passw0rd!'))).code).toBe(49);
  });

  it('lets a synced user bind only once its password hashes have arrived (data 52e until then)', async () => {
    const s = await sync();
    await s.add(`CN=No Hashes Yet,${USERS}`, { objectClass: 'user', sAMAccountName: 'nohashes', userPrincipalName: 'nohashes@contoso.com', userAccountControl: '512' });
    await s.unbind();
    const error = await failure(bind('nohashes@contoso.com', 'Passw0rd!', false));
    expect(error.message).toContain('data 52e');
  });

  it('serves LDAPS with the wildcard development certificate, as Domain Services wants *.<domain>', async () => {
    const url = new URL(emulator.managed.ldapsUrl!);
    const san = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: url.hostname, port: Number(url.port), ca: tls().ca, servername: 'ldaps.aaddscontoso.com' }, () => {
        resolve(socket.getPeerCertificate().subjectaltname ?? '');
        socket.end();
      });
      socket.on('error', reject);
    });
    expect(san).toContain('DNS:*.aaddscontoso.com');
    expect(san).toContain('IP Address:127.0.0.1');
  });

  it('expires passwords after 90 days, except for accounts whose password never expires (data 532)', async () => {
    now += 91 * 86_400_000;
    const expired = await failure(bind('driley@contoso.com', 'Passw0rd!', false));
    expect(expired.message).toContain('data 532');
    await bind(emulator.managed.admin!.upn, emulator.managed.admin!.password).then((c) => c.unbind());
  });
});

describe('Domain Services security settings', () => {
  it('fails every simple bind with data 52e when NTLM password hash synchronization is off, and has no LDAPS when secure LDAP is off', async () => {
    const off = await startEmulator({ sync: false, ldapPort: 0, ldapsPort: 0, logLevel: 'silent', managedDomain: { ntlmPasswordSync: false, secureLdap: false } });
    try {
      expect(off.managed.ldapsUrl).toBeUndefined();
      const client = new Client({ url: off.managed.ldapUrl });
      const error = await failure(client.bind(off.managed.admin!.upn, off.managed.admin!.password));
      expect(error.code).toBe(49);
      expect(error.message).toContain('data 52e');
      // The on-prem DC is not affected.
      const onprem = new Client({ url: off.onprem.ldapUrl });
      await onprem.bind('driley@contoso.com', 'Passw0rd!');
      await onprem.unbind();
    } finally {
      await off.stop();
    }
  });
});
