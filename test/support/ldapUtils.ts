// Runs the OpenLDAP command-line clients (ldap-utils) against a test server, and decides
// whether a test file that needs them runs, skips or fails (issue 2: they must run in CI).
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface ToolResult {
  /** the exit status; -1 when the process was killed by a signal */
  code: number;
  stdout: string;
  stderr: string;
}

export interface ToolOptions {
  /** the CA to trust (LDAPTLS_CACERT); omit to trust nothing but the system store */
  caFile?: string;
  /** LDAPTLS_REQCERT: 'demand' (default of libldap), 'never', ... */
  reqCert?: 'never' | 'allow' | 'try' | 'demand' | 'hard';
  /** written to the tool's stdin (an LDIF for ldapadd/ldapmodify) */
  input?: string;
  timeoutMs?: number;
}

/** Runs one ldap-utils tool; never rejects on a non-zero exit, it reports the code instead. */
export function runLdapTool(tool: string, args: string[], options: ToolOptions = {}): Promise<ToolResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Only what the test asks for decides which certificate is trusted.
  delete env.LDAPTLS_CACERT;
  delete env.LDAPTLS_REQCERT;
  if (options.caFile !== undefined) env.LDAPTLS_CACERT = options.caFile;
  if (options.reqCert !== undefined) env.LDAPTLS_REQCERT = options.reqCert;
  return new Promise((resolve) => {
    const child = execFile(tool, args, { env, timeout: options.timeoutMs ?? 20_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** The `-x -o ldif-wrap=no` prefix every ldapsearch in the tests uses, so values are on one line. */
export const NO_WRAP = ['-o', 'ldif-wrap=no'];

export function isOnPath(tool: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

export interface LdapUtilsAvailability {
  /** true when the tests that shell out to ldap-utils should be skipped */
  skip: boolean;
  /** why they are skipped (empty when they run) */
  reason: string;
}

/**
 * Issue 2: tests that shell out to `ldapsearch` must run in CI. When `ldapsearch` is missing they
 * fail if `CI` is set, and are skipped with a message otherwise. Use it as
 * `describe.skipIf(requireLdapUtils().skip)(...)`.
 */
export function requireLdapUtils(tools: string[] = ['ldapsearch']): LdapUtilsAvailability {
  const missing = tools.filter((tool) => !isOnPath(tool));
  if (missing.length === 0) return { skip: false, reason: '' };
  const reason = `ldap-utils is not installed (${missing.join(', ')} not found on PATH); install it with 'apt-get install ldap-utils'`;
  if (process.env.CI) throw new Error(`${reason}: CI is set, so these tests must not be skipped`);
  console.warn(`skipping the ldap-utils tests: ${reason}`);
  return { skip: true, reason };
}

/** The value lines `name: value` of an LDIF text (ldapsearch output), per entry DN. */
export function parseLdifOutput(stdout: string): Map<string, Map<string, string[]>> {
  const entries = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const line of stdout.split('\n')) {
    if (line === '' || line.startsWith('#')) {
      if (line === '') current = undefined;
      continue;
    }
    const m = /^([A-Za-z0-9;.-]+)(::?) ?(.*)$/.exec(line);
    if (m === null) continue;
    const [, name, sep, raw] = m as unknown as [string, string, string, string];
    const value = sep === '::' ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    if (name.toLowerCase() === 'dn') {
      current = new Map();
      entries.set(value, current);
      continue;
    }
    if (current === undefined) continue;
    const key = name.toLowerCase();
    current.set(key, [...(current.get(key) ?? []), value]);
  }
  return entries;
}

/** The `result: N text` line ldapsearch prints at the end of a search. */
export function searchResultCode(stdout: string): number | undefined {
  const m = /^result: (\d+)/m.exec(stdout);
  return m ? Number(m[1]) : undefined;
}
