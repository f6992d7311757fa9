import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Attribute, Change, type Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator.js';
import { single } from '../support/adValues.js';
import { ROOT, runDsemu, startDsemu } from '../support/dsemuCli.js';
import { managedReader, onpremAdmin, searchAll } from '../support/estate.js';

const run = promisify(execFile);
const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });

const dsemu = (...args: string[]) => runDsemu(args);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dsemu-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dsemu on the command line', () => {
  it('prints the NT hash and Kerberos keys of a password (MS-NLMP and RFC 3962 vectors)', async () => {
    const { stdout } = await cli('hash', 'Password1', '--salt', 'EXAMPLE.COMAdministrator');
    expect(stdout).toContain('aes256-cts-hmac-sha1-96: 5064ad242a65cc6e6c5690bb93c615629453a1a69e4d86cebc1f57296ff08365');
    expect(stdout).toContain('aes128-cts-hmac-sha1-96: 69b7119721c73d3a5bb022530b4e060a');
    expect((await cli('hash', 'Password')).stdout).toContain('nt-hash: a4f49c406510bdcab6824ee7c30fd852');
  });

  it('refuses an invalid LDIF with file, line and reason, and writes none of it', async () => {
    const data = join(dir, 'data');
    const file = join(dir, 'bad.ldif');
    writeFileSync(file, ['dn: OU=Good,DC=contoso,DC=com', 'objectClass: organizationalUnit', '', 'dn: CN=Bad,OU=Good,DC=contoso,DC=com', 'objectClass: user', 'noSuchAttribute: x', ''].join('\n'));
    const failed = await cli('import', file, '--data-dir', data).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toMatch(new RegExp(`${file.replace(/[.\\/]/g, '\\$&')}:4: .*LDAP error 17`));
    const exported = await cli('export', '--data-dir', data, '--base', 'DC=contoso,DC=com');
    expect(exported.stdout).not.toContain('OU=Good');

    const syntax = join(dir, 'syntax.ldif');
    writeFileSync(syntax, 'dn: OU=x,DC=contoso,DC=com\nobjectClass organizationalUnit\n');
    const failedSyntax = await cli('import', syntax, '--data-dir', data).catch((e: { code: number; stderr: string }) => e);
    expect((failedSyntax as { stderr: string }).stderr).toContain(`${syntax}:2:`);
  });

  it('imports generated users and exports them again', async () => {
    const data = join(dir, 'data2');
    const file = join(dir, 'gen.ldif');
    const generated = await cli('seed', 'generate', '--users', '50', '--groups', '5');
    writeFileSync(file, generated.stdout);
    const imported = await cli('import', file, '--data-dir', data);
    expect(imported.stdout).toContain('56 added');
    const exported = await cli('export', '--data-dir', data, '--base', 'OU=Generated,OU=Corp,DC=contoso,DC=com');
    expect(exported.stdout.match(/^dn::? /gm)).toHaveLength(56);
    expect(exported.stdout).not.toMatch(/unicodePwd|supplementalCredentials/i);
  });
});

// Issue 5: the operator's commands for the sync agent. One estate runs in this process (its agent
// only syncs when asked); the CLI runs in child processes against its data directory.
describe('dsemu sync, sync history and explain', () => {
  const ONPREM = 'DC=contoso,DC=com';
  const USERS = 'OU=AADDC Users,DC=aaddscontoso,DC=com';
  let emulator: RunningEmulator;
  let data: string;
  let onprem: Client;
  let managed: Client;
  let firstSync: Awaited<ReturnType<typeof dsemu>>;

  beforeAll(async () => {
    data = join(dir, 'estate');
    // A deletion threshold of 2, so that three deletes show the guard.
    emulator = await startEmulator({ dataDir: data, ldapPort: 0, ldapsPort: 0, logLevel: 'silent', sync: { schedule: false, deletionThreshold: 2 } });
    onprem = await onpremAdmin(emulator);
    managed = await managedReader(emulator);
    firstSync = await dsemu('sync', '--data-dir', data);
  }, 120_000);
  afterAll(async () => {
    await onprem?.unbind();
    await managed?.unbind();
    await emulator?.stop();
  });

  const onpremDn = async (sAMAccountName: string): Promise<string> => (await searchAll(onprem, ONPREM, `(sAMAccountName=${sAMAccountName})`, ['1.1']))[0]!.dn;
  const managedTitle = async (upn: string): Promise<string | undefined> => single((await searchAll(managed, USERS, `(userPrincipalName=${upn})`, ['title']))[0], 'title');
  const setTitle = (dn: string, title: string) => onprem.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: [title] }) }));

  it('runs a cycle with the agent of the emulator running on the data dir and prints its counts', async () => {
    expect(firstSync.code).toBe(0);
    expect(firstSync.stdout).toMatch(/^run 1: success \(delta, cli, \d+ ms\)$/m);
    expect(firstSync.stdout).toMatch(/^ {2}import {2}\d{4} adds, 0 updates, 0 deletes$/m);
    expect(firstSync.stdout).toMatch(/^ {2}sync {4}\d{4} adds, 0 updates, 0 deletes, \d+ filtered$/m);
    expect(firstSync.stdout).toMatch(/^ {2}export {2}\d{4} adds, \d+ updates, 0 deletes, \d+ renames$/m);
    expect(firstSync.stdout).toMatch(/^ {2}errors {2}0$/m);
    expect(await managedTitle('driley@contoso.com')).toBe('Senior Software Engineer');
  });

  it('lists the runs with their counts, as text and as JSON', async () => {
    const [text, json] = await Promise.all([dsemu('sync', 'history', '--data-dir', data), dsemu('sync', 'history', '--data-dir', data, '--json')]);
    expect(text.stdout).toMatch(/^RUN +STARTED +TRIGGER +PROFILE +STATUS +IMPORT A\/U\/D +SYNC A\/U\/D +EXPORT A\/U\/D +ERRORS +MS$/m);
    expect(text.stdout).toMatch(/^ +1 +\d{4}-\d\d-\d\dT[\d:.]+Z +cli +delta +success +\d{4}\/0\/0 +\d{4}\/0\/0 +\d{4}\/\d+\/0 +0 +\d+$/m);
    const runs = JSON.parse(json.stdout) as { run: number; status: string; errors: unknown[] }[];
    expect(runs.find((r) => r.run === 1)).toMatchObject({ status: 'success', errors: [] });
  });

  it('explains a synced user through the three stages, with the rule behind each attribute', async () => {
    const [text, json, john] = await Promise.all([
      dsemu('explain', 'driley@contoso.com', '--data-dir', data),
      dsemu('explain', 'driley@contoso.com', '--data-dir', data, '--json'),
      dsemu('explain', `CN=John Smith,${USERS}`, '--data-dir', data),
    ]);
    expect(text.code).toBe(0);
    const sections = text.stdout.split('\n').filter((l) => /^\S/.test(l)).slice(1);
    expect(sections).toEqual(['On-prem (contoso.com)', 'Metaverse (Entra ID)', 'Managed domain (aaddscontoso.com)']);
    expect(text.stdout).toContain('  dn: CN=Dan Riley,OU=Engineering,OU=United States,OU=Corp,DC=contoso,DC=com');
    expect(text.stdout).toMatch(/^ {2}jobTitle: Senior Software Engineer +\[Trim\(\[title\]\)\]$/m);
    expect(text.stdout).toMatch(/^ {2}userPrincipalName: driley@contoso\.com +\[naming: the on-prem userPrincipalName \(verified suffix\)\]$/m);
    expect(text.stdout).toContain(`  dn: CN=Dan Riley,${USERS}`);
    expect(text.stdout).toMatch(/^ {2}sAMAccountName: driley +\[mailNickname, as is\]$/m);
    expect(text.stdout).toMatch(/^ {2}title: Senior Software Engineer +\[<- jobTitle\]$/m);

    const report = JSON.parse(json.stdout);
    expect(report.source).toMatchObject({ present: true, connector: 'contoso.com', kept: true });
    expect(report.metaverse.attributes.mailNickname).toEqual({ value: 'driley', rule: 'naming: the on-prem mailNickname' });
    expect(report.managed).toMatchObject({ present: true, dn: `CN=Dan Riley,${USERS}`, sAMAccountName: 'driley', sAMAccountNameGenerated: false });

    // John Smith shares his mailNickname with Jane Smith: his sAMAccountName is generated.
    expect(john.stdout).toMatch(/^ {2}sAMAccountName: jsmith\([0-9A-F]{4}\) +\[generated from mailNickname: other users share the mailNickname 'jsmith'\]$/m);
  });

  it('says why an identity is absent: filtered, never synchronized, unknown', async () => {
    const [msol, computer, nobody] = await Promise.all([
      dsemu('explain', 'CN=MSOL_c778af008d92,CN=Users,DC=contoso,DC=com', '--data-dir', data),
      dsemu('explain', 'CN=WS-0142,OU=Workstations,OU=Corp,DC=contoso,DC=com', '--data-dir', data),
      dsemu('explain', 'nobody@contoso.com', '--data-dir', data),
    ]);
    expect(msol.code).toBe(0);
    expect(msol.stdout).toContain('On-prem (contoso.com)\n  dn: CN=MSOL_c778af008d92,CN=Users,DC=contoso,DC=com');
    expect(msol.stdout).toContain('Metaverse (Entra ID)\n  absent: filtered: MSOL_ account');
    expect(msol.stdout).toContain('Managed domain (aaddscontoso.com)\n  absent: not in the metaverse');
    expect(computer.code).toBe(0);
    expect(computer.stdout).toContain('objectClass: computer');
    expect(computer.stdout).toContain('absent: filtered: computers are not synchronized to Domain Services');
    expect(nobody.code).toBe(1);
    expect(nobody.stdout).toBe('');
    expect(nobody.stderr).toContain('the agent knows no identity named nobody@contoso.com');
  });

  it('writes what the export would do as LDIF and JSON on a dry run, and exports nothing', async () => {
    await setTitle(await onpremDn('kobrien'), 'Dry Run Title');
    const dry = await dsemu('sync', '--dry-run', '--data-dir', data);
    expect(dry.code).toBe(0);
    const ldif = join(data, 'sync', 'staging', 'pending-exports.ldif');
    expect(dry.stdout).toContain(`pending exports written to ${ldif} and pending-exports.json`);
    expect(readFileSync(ldif, 'utf8')).toMatch(/changetype: modify\nreplace: title\ntitle: Dry Run Title\n-/);
    const pending = JSON.parse(readFileSync(join(data, 'sync', 'staging', 'pending-exports.json'), 'utf8')) as { action: string; changes?: Record<string, string[]> }[];
    expect(pending).toContainEqual(expect.objectContaining({ action: 'update', changes: { title: ['Dry Run Title'] } }));
    expect(await managedTitle('kobrien@contoso.com')).not.toBe('Dry Run Title');
  });

  it('exports one identity with --object, by UPN or by DN, and refuses a name it does not know', async () => {
    await setTitle(await onpremDn('jsmith'), 'Object Title');
    const one = await dsemu('sync', '--object', 'jsmith@contoso.com', '--data-dir', data);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^ {2}export {2}0 adds, 1 updates, 0 deletes, 0 renames$/m);
    expect(await managedTitle('jsmith@contoso.com')).toBe('Object Title');
    // Kevin's change, still pending from the dry run, was not exported.
    expect(await managedTitle('kobrien@contoso.com')).not.toBe('Dry Run Title');

    const byDn = await dsemu('sync', '--object', `CN=Kevin O'Brien,${USERS}`, '--data-dir', data);
    expect(byDn.stdout).toMatch(/^ {2}export {2}0 adds, 1 updates, 0 deletes, 0 renames$/m);
    expect(await managedTitle('kobrien@contoso.com')).toBe('Dry Run Title');

    const unknown = await dsemu('sync', '--object', 'nobody@contoso.com', '--data-dir', data);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('the agent knows no identity named nobody@contoso.com');
  });

  it('stops an export with more deletes than the threshold, exits 2 and says how to allow them', async () => {
    const ou = `OU=Leavers,${ONPREM}`;
    const names = ['leaver1', 'leaver2', 'leaver3'];
    await onprem.add(ou, { objectClass: 'organizationalUnit' });
    for (const n of names) await onprem.add(`CN=${n},${ou}`, { objectClass: 'user', sAMAccountName: n, userPrincipalName: `${n}@contoso.com` });
    expect((await dsemu('sync', '--data-dir', data)).stdout).toMatch(/^ {2}export {2}3 adds/m);
    for (const n of names) await onprem.del(`CN=${n},${ou}`);

    const stopped = await dsemu('sync', '--data-dir', data);
    expect(stopped.code).toBe(2);
    expect(stopped.stdout).toMatch(/^run \d+: stopped-deletion-threshold-exceeded/m);
    expect(stopped.stdout).toContain('(3 pending deletes) has exceeded the current threshold of 2 objects');
    expect(stopped.stdout).toContain('dsemu sync --allow-deletes');
    const leaver = await dsemu('explain', `CN=leaver1,${USERS}`, '--data-dir', data);
    expect(leaver.stdout).toMatch(/pending export: delete: .*more pending deletes than the deletion threshold/);

    const allowed = await dsemu('sync', '--allow-deletes', '--data-dir', data);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/^ {2}export {2}0 adds, 0 updates, 3 deletes, 0 renames$/m);
    expect(await searchAll(managed, USERS, '(userPrincipalName=leaver*)', ['1.1'])).toHaveLength(0);
  }, 60_000);
});

describe('dsemu start with sync flags', () => {
  it('starts the agent as the flags say, and dsemu sync runs it when no emulator does', async () => {
    const data = join(dir, 'staging-estate');
    const { logged, stop } = await startDsemu(['--data-dir', data, '--ldap-port', '0', '--ldaps-port', '0', '--sync-profile', 'realistic', '--sync-interval', '3600',
      '--staging', '--deletion-threshold', 'off', '--scope-group', 'Platform Team', '--scope-group', 'VPN Users', '--include-ou', 'OU=Corp,DC=contoso,DC=com']);
    expect(await stop()).toBe(0);

    const managedLine = logged.find((l) => String(l.msg).startsWith('managed domain aaddscontoso.com'));
    expect(managedLine).toMatchObject({ baseDn: 'DC=aaddscontoso,DC=com', ldap: expect.stringMatching(/^ldap:\/\/127\.0\.0\.1:\d+$/) });
    expect(managedLine!.ldap).not.toBe('ldap://127.0.0.1:20389');
    expect(logged.find((l) => String(l.msg).startsWith('sync agent'))).toMatchObject({
      msg: expect.stringContaining('contoso.com -> aaddscontoso.com (staging mode: no export)'),
      profile: 'realistic',
      deltaIntervalSeconds: 3600,
      deletionThreshold: false,
      staging: true,
      scopeGroups: ['Platform Team', 'VPN Users'],
      includeOUs: { 'contoso.com': ['OU=Corp,DC=contoso,DC=com'] },
    });

    // Nothing runs on the data dir now: dsemu sync starts the estate itself, with the same agent settings.
    const staged = await dsemu('sync', '--data-dir', data);
    expect(staged.code).toBe(0);
    expect(staged.stdout).toMatch(/^run \d+: staging /m);
    expect(staged.stdout).toContain(`pending exports written to ${join(data, 'sync', 'staging', 'pending-exports.ldif')}`);
    expect(existsSync(join(data, 'sync', 'staging', 'pending-exports.json'))).toBe(true);
  }, 90_000);
});
