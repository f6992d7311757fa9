import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: join(import.meta.dirname, '..', '..'), maxBuffer: 64 * 1024 * 1024 });

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
