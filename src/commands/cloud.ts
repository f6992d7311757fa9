import { withEstateAgent } from './estateAgent.js';
import { EXIT, type Print } from './output.js';
import type { LogLevel } from '../log.js';
import { CloudUserError, type NewCloudUser } from '../sync/cloud/users.js';

// `dsemu cloud user add` and `dsemu cloud user set-password`: the tenant's cloud-only users, as
// the Entra admin center creates them and resets their passwords. Like `dsemu sync`, they work
// with the agent of the emulator running on the data dir, or start the estate from it.

export interface CloudCommandOptions {
  dataDir: string;
  logLevel: LogLevel;
}

/** Creates the user, then (unless `sync` is false) runs a cycle that brings it to the managed domain. */
export async function cloudUserAddCommand(options: CloudCommandOptions & { user: NewCloudUser; sync: boolean; json: boolean }, print: Print): Promise<number> {
  return refusals(() =>
    withEstateAgent(options.dataDir, options.logLevel, async (agent) => {
      const user = agent.addCloudUser(options.user);
      const run = options.sync ? await agent.syncNow() : undefined;
      const managed = agent.store.managedObject(user.objectId);
      if (options.json) {
        print(`${JSON.stringify({ ...user, managedDn: managed?.dn, sAMAccountName: managed?.sAMAccountName }, null, 2)}\n`);
      } else {
        const lines = [`created ${user.userPrincipalName} (objectId ${user.objectId})`];
        if (managed) lines.push(`  managed domain: ${managed.dn} (sAMAccountName ${managed.sAMAccountName})`);
        else if (run) lines.push(`  not in the managed domain: sync run ${run.run} ended ${run.status} (dsemu explain ${user.userPrincipalName})`);
        else lines.push('  the next sync cycle brings it to the managed domain');
        lines.push(`  no password yet, so no bind: dsemu cloud user set-password ${user.userPrincipalName}`);
        print(`${lines.join('\n')}\n`);
      }
      return run && !managed ? EXIT.failed : EXIT.ok;
    }),
  );
}

/** Sets a cloud-only user's password, from `password` or else standard input; never printed. */
export async function cloudUserSetPasswordCommand(options: CloudCommandOptions & { userPrincipalName: string; password?: string; forceChange: boolean }, print: Print): Promise<number> {
  const password = options.password ?? (await readPassword());
  if (password === '') {
    process.stderr.write('dsemu cloud user set-password: no password (give --password, or write it to standard input)\n');
    return EXIT.failed;
  }
  return refusals(() =>
    withEstateAgent(options.dataDir, options.logLevel, async (agent) => {
      await agent.setCloudPassword(options.userPrincipalName, password, { forceChange: options.forceChange });
      print(`password set for ${options.userPrincipalName}${options.forceChange ? '; it must be changed at the next sign-in (pwdLastSet 0)' : ''}\n`);
      return EXIT.ok;
    }),
  );
}

async function refusals(fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof CloudUserError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return EXIT.failed;
  }
}

/** The password from standard input: typed without echo on a terminal, else the first line of what is piped in. */
async function readPassword(): Promise<string> {
  const stdin = process.stdin;
  if (stdin.isTTY) return readHidden(stdin);
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  for (const chunk of chunks) chunk.fill(0);
  return text.split(/\r?\n/)[0] ?? '';
}

function readHidden(stdin: NodeJS.ReadStream): Promise<string> {
  process.stderr.write('Password: ');
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error?: Error): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (data: Buffer): void => {
      for (const c of data.toString('utf8')) {
        if (c === '\r' || c === '\n') return done();
        if (c === '\u0003') return done(new Error('cancelled'));
        if (c === '\u007f' || c === '\b') typed = typed.slice(0, -1);
        else typed += c;
      }
    };
    stdin.on('data', onData);
  });
}
