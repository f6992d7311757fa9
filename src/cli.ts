import { once } from 'node:events';
import { resolve } from 'node:path';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import type { LogLevel } from './log.js';
import { deletionThreshold, SYNC_PROFILE_NAMES } from './commands/startSync.js';

// Each command loads what it needs when it runs, so that `dsemu explain` or `dsemu hash` does
// not load the LDAP servers first.

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function dataDirOption<T>(y: Argv<T>) {
  return y.option('data-dir', { type: 'string', default: 'data', describe: 'where the directory data, keys and certificates live' });
}

// A closed pipe (dsemu export | head) ends the command quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

// Through process.stdout, never writeSync(1): a pipe whose reader is slow answers a raw write
// with EAGAIN once something has made the descriptor non-blocking. Waits while the pipe is full.
async function out(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

export async function main(argv: string[]): Promise<void> {
  await yargs(argv)
    .scriptName('dsemu')
    .env('DSEMU')
    .strict()
    .command(
      'start',
      'run the emulator: the on-prem contoso.com DC over LDAP, LDAPS and StartTLS',
      (y) =>
        dataDirOption(y)
          .option('host', { type: 'string', default: '127.0.0.1', describe: 'listen address' })
          .option('ldap-port', { type: 'number', default: 10389 })
          .option('ldaps-port', { type: 'number', default: 10636 })
          .option('managed-ldap-port', { type: 'number', describe: 'the managed domain (aaddscontoso.com); default 20389, a free port when --ldap-port is 0' })
          .option('managed-ldaps-port', { type: 'number', describe: 'default 20636, a free port when --ldap-port is 0' })
          .option('dc-admin', { type: 'string', default: 'dcadmin@contoso.com', describe: 'UPN of a bootstrap member of AAD DC Administrators in the managed domain, until the sync brings one (--no-dc-admin: none)' })
          .option('dc-admin-password', { type: 'string', default: 'Passw0rd!' })
          .option('ntlm-password-sync', { type: 'boolean', default: true, describe: 'managed domain: NTLM password hash synchronization (--no-ntlm-password-sync: every simple bind fails, as Microsoft documents)' })
          .option('tls12-only', { type: 'boolean', default: false, describe: 'managed domain: TLS 1.2 only mode' })
          .option('secure-ldap', { type: 'boolean', default: true, describe: 'managed domain: secure LDAP on port --managed-ldaps-port' })
          .option('managed-cert', { type: 'string', describe: "managed domain's LDAPS certificate: PFX (as Domain Services takes it) or PEM" })
          .option('managed-cert-password', { type: 'string' })
          .option('log-level', { choices: LOG_LEVELS, default: 'info' as LogLevel })
          .option('admin-password', { type: 'string', describe: "Administrator's password (default Passw0rd!)" })
          .option('cert', { type: 'string', describe: 'TLS certificate: PEM (certificate and key) or PFX; default: a generated development certificate' })
          .option('cert-key', { type: 'string', describe: 'PEM key file, when --cert holds only the certificate' })
          .option('cert-password', { type: 'string', describe: 'password of the PFX or of an encrypted key' })
          .option('lockout-threshold', { type: 'number', describe: 'on-prem lockoutThreshold set on first start (default 0: no lockout)' })
          .option('referrals', { type: 'boolean', default: true, describe: 'continuation references after searches at the domain root, as AD sends them (--no-referrals: none)' })
          .option('tombstone-lifetime', { type: 'number', default: 180, describe: 'days a deleted object stays as a tombstone' })
          .option('forest', { type: 'string', array: true, describe: 'another on-prem forest from seed/<name>.ldif, synced too (repeatable), e.g. fabrikam.com' })
          .option('sync', { type: 'boolean', default: true, describe: 'run the sync agent to the managed domain (--no-sync: none)' })
          .option('sync-profile', { choices: SYNC_PROFILE_NAMES, default: 'live' as const, describe: "live: on-prem changes arrive in under a second; realistic: Entra Connect's 30-minute delta cycle" })
          .option('sync-interval', { type: 'number', describe: "seconds between periodic delta cycles (default: the profile's, 10 or 1800)" })
          .option('deletion-threshold', { type: 'string', default: '500', coerce: deletionThreshold, describe: 'prevent accidental deletes: an export with more pending deletes is not run (N, or off / --no-deletion-threshold)' })
          .option('staging', { type: 'boolean', default: false, describe: 'staging mode: import and sync, never export; pending exports are written to <data-dir>/sync/staging' })
          .option('scope-group', { type: 'string', array: true, describe: 'Domain Services scoped synchronization: only this group and its direct members (repeatable)' })
          .option('include-ou', { type: 'string', array: true, describe: 'Entra Connect OU filtering: only objects under this OU of its forest (repeatable)' })
          .option('password-hash-sync', { type: 'boolean', default: true, describe: 'Entra Connect syncs the legacy (NTLM and Kerberos) hashes (--no-password-hash-sync: synced users exist in the managed domain but cannot bind)' }),
      async (args) => {
        const [{ startEmulator }, { createLogger }, { startupSummary, syncOptionsOf }] = await Promise.all([import('./emulator.js'), import('./log.js'), import('./commands/startSync.js')]);
        const sync = syncOptionsOf(args);
        const emulator = await startEmulator({
          host: args.host,
          ldapPort: args['ldap-port'],
          ldapsPort: args['ldaps-port'],
          managedLdapPort: args['managed-ldap-port'],
          managedLdapsPort: args['managed-ldaps-port'],
          managedDomain: {
            ntlmPasswordSync: args['ntlm-password-sync'],
            tls12Only: args['tls12-only'],
            secureLdap: args['secure-ldap'],
            certificate: args['managed-cert'] ? { file: args['managed-cert'], password: args['managed-cert-password'] } : undefined,
            bootstrapAdministrator: typeof args['dc-admin'] === 'string' && args['dc-admin'] !== '' ? { userPrincipalName: args['dc-admin'], password: args['dc-admin-password'] } : false,
          },
          dataDir: resolve(args['data-dir']),
          logLevel: args['log-level'],
          adminPassword: args['admin-password'],
          certificate: args.cert ? { file: args.cert, keyFile: args['cert-key'], password: args['cert-password'] } : undefined,
          lockoutThreshold: args['lockout-threshold'],
          referrals: args.referrals,
          tombstoneLifetimeDays: args['tombstone-lifetime'],
          forests: args.forest,
          sync,
        });
        const stop = (): void => {
          void emulator.stop().then(() => process.exit(0));
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        // Said once the signals are handled: whoever waits for it may stop the emulator at once.
        startupSummary(emulator, sync, createLogger(args['log-level']));
      },
    )
    .command(
      'import <file>',
      'apply an LDIF file (RFC 2849 content and change records) to the on-prem DC, all or nothing',
      (y) => dataDirOption(y).positional('file', { type: 'string', demandOption: true }).option('log-level', { choices: LOG_LEVELS, default: 'warn' as LogLevel }),
      async (args) => {
        const [{ importLdif, LdifImportError }, { SYSTEM }, { parseLdifFile, LdifError }, { contoso }, { openDomain }, { DEFAULT_ADMIN_PASSWORD }, { createLogger }] = await Promise.all([
          import('./ad/importLdif.js'), import('./ad/principal.js'), import('./directory/ldif.js'), import('./domains/onprem.js'), import('./domains/openDomain.js'), import('./emulator.js'), import('./log.js'),
        ]);
        const log = createLogger(args['log-level']);
        const { dc } = openDomain({ dataDir: resolve(args['data-dir']), personality: contoso, adminPassword: DEFAULT_ADMIN_PASSWORD, log });
        try {
          const summary = importLdif(dc, parseLdifFile(args.file), args.file, { principal: SYSTEM, secure: true });
          await out(`imported ${args.file}: ${summary.added} added, ${summary.modified} modified, ${summary.deleted} deleted, ${summary.renamed} renamed\n`);
        } catch (e) {
          if (e instanceof LdifImportError || e instanceof LdifError) {
            process.stderr.write(`${e.message}\nnothing was imported\n`);
            process.exitCode = 1;
            return;
          }
          throw e;
        } finally {
          await dc.close();
        }
      },
    )
    .command(
      'export',
      'write the on-prem directory (or a subtree) as LDIF to standard output',
      (y) => dataDirOption(y).option('base', { type: 'string', describe: 'DN of the subtree; default: the whole domain' }),
      async (args) => {
        const [{ SYSTEM }, { formatLdifEntry }, { contoso }, { openDomain }, { DEFAULT_ADMIN_PASSWORD }, { createLogger }] = await Promise.all([
          import('./ad/principal.js'), import('./directory/ldif.js'), import('./domains/onprem.js'), import('./domains/openDomain.js'), import('./emulator.js'), import('./log.js'),
        ]);
        const { dc } = openDomain({ dataDir: resolve(args['data-dir']), personality: contoso, adminPassword: DEFAULT_ADMIN_PASSWORD, log: createLogger('warn') });
        try {
          await out('version: 1\n\n');
          for (const entry of dc.search({ base: args.base ?? dc.domain.dn, scope: 'sub', filter: { type: 'present', attribute: 'objectClass' }, attributes: ['*'] }, { principal: SYSTEM, secure: true })) {
            await out(formatLdifEntry({ dn: entry.dn, attributes: entry.attributes.map((a) => ({ type: a.type, values: [...a.values] })) }) + '\n');
          }
        } finally {
          await dc.close();
        }
      },
    )
    .command(
      'sync',
      'run a sync cycle now: import from on-prem, synchronize, export to the managed domain',
      (y) =>
        dataDirOption(y)
          .command(
            'history',
            'list the sync runs, newest first, with their counts',
            (h) => dataDirOption(h).option('limit', { type: 'number', default: 20 }).option('json', { type: 'boolean', default: false }),
            async (args) => {
              const { syncHistoryCommand } = await import('./commands/syncHistory.js');
              process.exitCode = await syncHistoryCommand({ dataDir: resolve(args['data-dir']), limit: args.limit, json: args.json }, out);
            },
          )
          .option('full', { type: 'boolean', default: false, describe: 'full import and full sync: every object through the rules again' })
          .option('dry-run', { type: 'boolean', default: false, describe: 'import and sync, then write what the export would do to <data-dir>/sync/staging instead of doing it' })
          .option('object', { type: 'string', describe: 'export only this identity: a UPN, an on-prem DN or a managed-domain DN' })
          .option('allow-deletes', { type: 'boolean', default: false, describe: 'export more deletes than the deletion threshold, this once' })
          .option('full-password-sync', { type: 'boolean', default: false, describe: "ForceFullPasswordSync: every synced user's hashes through again" })
          .option('json', { type: 'boolean', default: false, describe: 'print the run record as JSON' })
          .option('log-level', { choices: LOG_LEVELS, default: 'error' as LogLevel }),
      async (args) => {
        const { syncCommand } = await import('./commands/sync.js');
        process.exitCode = await syncCommand(
          { dataDir: resolve(args['data-dir']), full: args.full, dryRun: args['dry-run'], object: args.object, allowDeletes: args['allow-deletes'], fullPasswordSync: args['full-password-sync'], json: args.json, logLevel: args['log-level'] },
          out,
        );
      },
    )
    .command('cloud', "the tenant's cloud-only users (Entra ID), synced to the managed domain", (y) =>
      y
        .command('user', 'cloud-only users', (u) =>
          u
            .command(
              'add <upn>',
              'create a cloud-only user (no password, so no bind until set-password), then sync it to the managed domain',
              (a) =>
                dataDirOption(a)
                  .positional('upn', { type: 'string', demandOption: true, describe: "userPrincipalName: the tenant's initial domain or a verified domain" })
                  .option('display-name', { type: 'string', demandOption: true })
                  .option('mail-nickname', { type: 'string', describe: "default: the UPN's prefix" })
                  .option('given-name', { type: 'string' })
                  .option('surname', { type: 'string' })
                  .option('job-title', { type: 'string' })
                  .option('department', { type: 'string' })
                  .option('account-enabled', { type: 'boolean', default: true, describe: '--no-account-enabled: created disabled' })
                  .option('sync', { type: 'boolean', default: true, describe: 'run a sync cycle right away (--no-sync: the next cycle brings it)' })
                  .option('json', { type: 'boolean', default: false })
                  .option('log-level', { choices: LOG_LEVELS, default: 'error' as LogLevel }),
              async (args) => {
                const { cloudUserAddCommand } = await import('./commands/cloud.js');
                const user = {
                  userPrincipalName: args.upn,
                  displayName: args['display-name'],
                  mailNickname: args['mail-nickname'],
                  givenName: args['given-name'],
                  surname: args.surname,
                  jobTitle: args['job-title'],
                  department: args.department,
                  accountEnabled: args['account-enabled'],
                };
                process.exitCode = await cloudUserAddCommand({ dataDir: resolve(args['data-dir']), logLevel: args['log-level'], user, sync: args.sync, json: args.json }, out);
              },
            )
            .command(
              'set-password <upn>',
              "set a cloud-only user's password: its NTLM and Kerberos hashes reach the managed domain (a synced user's is set on-prem)",
              (p) =>
                dataDirOption(p)
                  .positional('upn', { type: 'string', demandOption: true })
                  .option('password', { type: 'string', describe: 'the new password; read from standard input when absent (never echoed)' })
                  .option('force-change', { type: 'boolean', default: false, describe: 'the user must change it at the next sign-in: pwdLastSet 0, binds answer data 773' })
                  .option('log-level', { choices: LOG_LEVELS, default: 'error' as LogLevel }),
              async (args) => {
                const { cloudUserSetPasswordCommand } = await import('./commands/cloud.js');
                process.exitCode = await cloudUserSetPasswordCommand({ dataDir: resolve(args['data-dir']), logLevel: args['log-level'], userPrincipalName: args.upn, password: args.password, forceChange: args['force-change'] }, out);
              },
            )
            .demandCommand(1),
        )
        .demandCommand(1),
    )
    .command(
      'explain <name>',
      'one identity through the sync: on-prem, metaverse (Entra ID) and managed-domain attributes, the rule behind each, and why it is absent where it is',
      (y) => dataDirOption(y).positional('name', { type: 'string', demandOption: true, describe: 'a UPN, an on-prem DN or a managed-domain DN' }).option('json', { type: 'boolean', default: false }),
      async (args) => {
        const { explainCommand } = await import('./commands/explain.js');
        process.exitCode = await explainCommand({ dataDir: resolve(args['data-dir']), name: args.name, json: args.json }, out);
      },
    )
    .command(
      'hash <password>',
      "print a password's NT hash and Kerberos AES keys, as the DC stores them",
      (y) => y.positional('password', { type: 'string', demandOption: true }).option('salt', { type: 'string', describe: 'Kerberos salt (MS-KILE: REALM + user name), e.g. CONTOSO.COMdriley' }),
      async (args) => {
        const [{ kerberosKeys }, { ntHash }] = await Promise.all([import('./ad/crypto/kerberos.js'), import('./ad/crypto/ntHash.js')]);
        await out(`nt-hash: ${ntHash(args.password).toString('hex')}\n`);
        if (args.salt !== undefined) {
          const keys = kerberosKeys(args.password, args.salt);
          await out(`salt: ${keys.salt}\niterations: ${keys.iterations}\naes256-cts-hmac-sha1-96: ${keys.aes256.toString('hex')}\naes128-cts-hmac-sha1-96: ${keys.aes128.toString('hex')}\n`);
        }
      },
    )
    .command('seed', 'seed tools', (y) =>
      y
        .command(
          'generate',
          'write an LDIF of generated realistic users and groups for scale tests',
          (g) =>
            g
              .option('users', { type: 'number', demandOption: true })
              .option('groups', { type: 'number', describe: 'default: users / 10' })
              .option('ou', { type: 'string', default: 'OU=Generated,OU=Corp,DC=contoso,DC=com' })
              .option('upn-suffix', { type: 'string', default: 'contoso.com' })
              .option('seed', { type: 'number', default: 1, describe: 'PRNG seed: the same seed gives the same file' })
              .option('password', { type: 'string', describe: 'give every user this password (slower to import)' }),
          async (args) => {
            const { generateEstate } = await import('./domains/seedgen.js');
            await out('version: 1\n');
            for (const record of generateEstate({ users: args.users, groups: args.groups, baseDn: 'DC=contoso,DC=com', ou: args.ou, upnSuffix: args['upn-suffix'], seed: args.seed, password: args.password })) await out(`\n${record}\n`);
          },
        )
        .demandCommand(1),
    )
    .demandCommand(1)
    .help()
    .fail((message, error) => {
      process.stderr.write(`${error ? error.message : message}\n`);
      process.exit(1);
    })
    .parseAsync();
}

await main(hideBin(process.argv));
