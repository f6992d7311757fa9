// Issue 2, "Done when": ldapadd of a new user with a unicodePwd over LDAPS, then a bind as that
// user, then a password change by delete/add, then the old password fails. And the rules around
// unicodePwd (MS-ADTS 3.1.1.3.1.5.1; reference/ad-ldap.md section 8).
import { readFileSync } from 'node:fs';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator.js';
import { requireLdapUtils, runLdapTool } from '../support/ldapUtils.js';
import { failure } from '../support/ldapResults.js';

const BASE = 'DC=contoso,DC=com';
const OU = 'OU=Engineering,OU=United States,OU=Corp,DC=contoso,DC=com';
const NEW_DN = `CN=Paula Quinn,${OU}`;
const NEW_UPN = 'pquinn@contoso.com';
const FIRST = 'NewPassw0rd!';
const SECOND = 'Chang3d-Passw0rd!';
const RESET = 'Res3t-by-Admin!';

/** AD's unicodePwd value: the UTF-16LE bytes of the password in double quotes. */
function unicodePwd(password: string): Buffer {
  return Buffer.from(`"${password}"`, 'utf16le');
}


// Skip reason: ldap-utils (ldapadd) is not installed on this machine; with CI set,
// requireLdapUtils() fails the file instead of skipping.
const ldapUtils = requireLdapUtils(['ldapsearch', 'ldapadd']);

describe.skipIf(ldapUtils.skip)('passwords: unicodePwd over LDAPS (skipped when ldap-utils is not installed)', () => {
  let emulator: RunningEmulator;
  let ca: Buffer;
  const clients: Client[] = [];

  function client(secure: boolean): Client {
    const c = secure
      ? new Client({ url: emulator.onprem.ldapsUrl!, tlsOptions: { ca, servername: '127.0.0.1' } })
      : new Client({ url: emulator.onprem.ldapUrl });
    clients.push(c);
    return c;
  }

  async function bound(name: string, password: string, secure = true): Promise<Client> {
    const c = client(secure);
    await c.bind(name, password);
    return c;
  }

  async function admin(secure = true): Promise<Client> {
    return bound(emulator.onprem.admin.upn, emulator.onprem.admin.password, secure);
  }

  beforeAll(async () => {
    emulator = await startEmulator({ sync: false, ldapPort: 0, ldapsPort: 0, logLevel: 'silent' });
    ca = readFileSync(emulator.onprem.caFile!);
  });

  afterAll(async () => {
    for (const c of clients) await c.unbind().catch(() => undefined);
    await emulator?.stop();
  });

  it('ldapadd over ldaps:// creates a user with unicodePwd and userAccountControl 512', async () => {
    const ldif = [
      `dn: ${NEW_DN}`,
      'objectClass: top',
      'objectClass: person',
      'objectClass: organizationalPerson',
      'objectClass: user',
      'cn: Paula Quinn',
      'givenName: Paula',
      'sn: Quinn',
      'sAMAccountName: pquinn',
      `userPrincipalName: ${NEW_UPN}`,
      'userAccountControl: 512',
      `unicodePwd:: ${unicodePwd(FIRST).toString('base64')}`,
      '',
    ].join('\n');
    const r = await runLdapTool('ldapadd', ['-x', '-H', emulator.onprem.ldapsUrl!, '-D', emulator.onprem.admin.upn, '-w', emulator.onprem.admin.password], {
      caFile: emulator.onprem.caFile!,
      reqCert: 'demand',
      input: ldif,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`adding new entry "${NEW_DN}"`);

    const c = await admin();
    const { searchEntries } = await c.search(NEW_DN, { scope: 'base', attributes: ['userAccountControl', 'pwdLastSet', 'sAMAccountType'] });
    expect(searchEntries).toHaveLength(1);
    expect(searchEntries[0]!.userAccountControl).toBe('512');
    // a password set by an administrator who holds Unexpire-Password: pwdLastSet is now (MS-SAMR 3.1.1.8.7)
    expect(Number(searchEntries[0]!.pwdLastSet)).toBeGreaterThan(0);
  });

  it('the new user binds by UPN (LDAPS and plain LDAP) and by DOMAIN\\sam', async () => {
    const s = await bound(NEW_UPN, FIRST, true);
    expect((await s.exop('1.3.6.1.4.1.4203.1.11.3')).value).toBe('u:CONTOSO\\pquinn');
    const p = await bound(NEW_UPN, FIRST, false);
    const { searchEntries } = await p.search(NEW_DN, { scope: 'base', attributes: ['sAMAccountName'] });
    expect(searchEntries[0]!.sAMAccountName).toBe('pquinn');
    await bound('CONTOSO\\pquinn', FIRST, false);
  });

  it('a change by delete old / add new over plain ldap:// fails with 53 and 0000001F, and changes nothing', async () => {
    const c = await bound(NEW_UPN, FIRST, false);
    const e = await failure(
      c.modify(NEW_DN, [
        new Change({ operation: 'delete', modification: new Attribute({ type: 'unicodePwd', values: [unicodePwd(FIRST)] }) }),
        new Change({ operation: 'add', modification: new Attribute({ type: 'unicodePwd', values: [unicodePwd(SECOND)] }) }),
      ]),
    );
    expect(e.code).toBe(53);
    expect(e.message).toMatch(/^0000001F: SvcErr: DSID-[0-9A-F]{8}, problem 5003 \(WILL_NOT_PERFORM\), data 0/);
    await bound(NEW_UPN, FIRST, false);
  });

  it('an admin reset over plain ldap:// fails with 53 and 0000001F as well', async () => {
    const c = await admin(false);
    const e = await failure(c.modify(NEW_DN, new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [unicodePwd(RESET)] }) })));
    expect(e.code).toBe(53);
    expect(e.message).toContain('0000001F');
  });

  it('a too-simple new password fails with 53 and 0000052D, and changes nothing', async () => {
    const c = await bound(NEW_UPN, FIRST, true);
    for (const weak of ['abc', 'password', 'alllowercase']) {
      const e = await failure(
        c.modify(NEW_DN, [
          new Change({ operation: 'delete', modification: new Attribute({ type: 'unicodePwd', values: [unicodePwd(FIRST)] }) }),
          new Change({ operation: 'add', modification: new Attribute({ type: 'unicodePwd', values: [unicodePwd(weak)] }) }),
        ]),
      );
      expect(e.code, weak).toBe(53);
      expect(e.message, weak).toMatch(/^0000052D: SvcErr: DSID-[0-9A-F]{8}, problem 5003 \(WILL_NOT_PERFORM\), data 0/);
    }
    await bound(NEW_UPN, FIRST, false);
  });

  it('a change with a wrong old password fails with constraintViolation 19', async () => {
    const c = await bound(NEW_UPN, FIRST, true);
    const e = await failure(
      c.modify(NEW_DN, [
        new Change({ operation: 'delete', modification: new Attribute({ type: 'unicodePwd', values: [unicodePwd('NotTheOld1!')] }) }),
        new Change({ operation: 'add', modification: new Attribute({ type: 'unicodePwd', values: [unicodePwd(SECOND)] }) }),
      ]),
    );
    expect(e.code).toBe(19);
    await bound(NEW_UPN, FIRST, false);
  });

  it('the user changes the password by delete old / add new over LDAPS; the old one then fails with 52e, the new one works', async () => {
    const c = await bound(NEW_UPN, FIRST, true);
    await c.modify(NEW_DN, [
      new Change({ operation: 'delete', modification: new Attribute({ type: 'unicodePwd', values: [unicodePwd(FIRST)] }) }),
      new Change({ operation: 'add', modification: new Attribute({ type: 'unicodePwd', values: [unicodePwd(SECOND)] }) }),
    ]);
    const e = await failure(bound(NEW_UPN, FIRST, false));
    expect(e.code).toBe(49);
    expect(e.message).toContain('AcceptSecurityContext error, data 52e, v');
    await bound(NEW_UPN, SECOND, false);
    await bound(NEW_DN, SECOND, true);
  });

  it('an administrator resets the password by replace over LDAPS', async () => {
    const c = await admin(true);
    await c.modify(NEW_DN, new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [unicodePwd(RESET)] }) }));
    expect((await failure(bound(NEW_UPN, SECOND, false))).message).toContain('data 52e');
    await bound(NEW_UPN, RESET, false);
  });

  it('a user cannot reset another user\'s password (50 insufficientAccessRights)', async () => {
    const c = await bound(NEW_UPN, RESET, true);
    const dan = 'CN=Dan Riley,OU=Engineering,OU=United States,OU=Corp,DC=contoso,DC=com';
    const e = await failure(c.modify(dan, new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [unicodePwd('Hijack3d-Passw0rd!')] }) })));
    expect(e.code).toBe(50);
    expect(e.message).toContain('INSUFF_ACCESS_RIGHTS');
    await bound('driley@contoso.com', 'Passw0rd!', false);
  });

  it('a user cannot reset even their own password by replace (that needs the reset right)', async () => {
    const c = await bound(NEW_UPN, RESET, true);
    const e = await failure(c.modify(NEW_DN, new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [unicodePwd('Self-Res3t-Passw0rd!')] }) })));
    expect(e.code).toBe(50);
    await bound(NEW_UPN, RESET, false);
  });

  it('a search never returns unicodePwd or supplementalCredentials, asked by name or with *', async () => {
    const c = await admin(true);
    for (const attributes of [['unicodePwd'], ['*'], ['unicodePwd', 'supplementalCredentials', 'sAMAccountName'], ['*', '+']]) {
      const { searchEntries } = await c.search(NEW_DN, { scope: 'base', attributes });
      expect(searchEntries).toHaveLength(1);
      const names = Object.entries(searchEntries[0]!)
        .filter(([, v]) => !(Array.isArray(v) && v.length === 0))
        .map(([k]) => k.toLowerCase());
      expect(names, attributes.join(',')).not.toContain('unicodepwd');
      expect(names, attributes.join(',')).not.toContain('supplementalcredentials');
    }
    // nor can a filter on it find anyone
    const { searchEntries } = await c.search(BASE, { filter: '(unicodePwd=*)', attributes: ['1.1'] });
    expect(searchEntries).toHaveLength(0);
  });

  it('ldapsearch does not show unicodePwd either', async () => {
    const r = await runLdapTool('ldapsearch', ['-x', '-H', emulator.onprem.ldapUrl, '-D', emulator.onprem.admin.upn, '-w', emulator.onprem.admin.password, '-b', NEW_DN, '-s', 'base', '(objectClass=*)', '*', 'unicodePwd']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('sAMAccountName: pquinn');
    expect(r.stdout.toLowerCase()).not.toContain('unicodepwd:');
  });

  it('ldapadd with a unicodePwd over plain ldap:// is refused with 53 0000001F and adds nothing', async () => {
    const dn = `CN=Plain Text,${OU}`;
    const ldif = [`dn: ${dn}`, 'objectClass: user', 'sAMAccountName: plaintext', 'userAccountControl: 512', `unicodePwd:: ${unicodePwd(FIRST).toString('base64')}`, ''].join('\n');
    const r = await runLdapTool('ldapadd', ['-x', '-H', emulator.onprem.ldapUrl, '-D', emulator.onprem.admin.upn, '-w', emulator.onprem.admin.password], { input: ldif });
    expect(r.code).toBe(53);
    expect(r.stderr).toContain('0000001F');
    const c = await admin(false);
    const { searchEntries } = await c.search(BASE, { filter: '(sAMAccountName=plaintext)', attributes: ['1.1'] });
    expect(searchEntries).toHaveLength(0);
  });
});
