// The add path, measured: how fast a DC takes new objects.
//
//   npx tsx test/bench/addPath.ts
//
//  (a) bulk:   one importLdif transaction of BENCH_ADD_BULK generated users (default 20,000)
//  (b) txn:    one DirectoryStore.write transaction per user, through DomainController.add, the
//              shape an LDAP add has (default 20,000 users)
//  (c) ldap:   a DirectoryServer on port 0 and BENCH_ADD_CONNECTIONS ldapts clients (default 4),
//              each keeping BENCH_ADD_OUTSTANDING adds in flight (default 16), adding
//              BENCH_ADD_LDAP users (default 10,000)
//  (d) groups: after (b)'s users, one transaction per group: a tenth as many groups, 5 to 50
//              members each (their member DNs resolve to the users)
// Each figure runs on its own freshly provisioned contoso DC in a temporary directory. The LDIF is
// generated and parsed before the clock starts. benchAddPath() returns the figures: entries/s, and
// CPU time per entry. BENCH_ADD_ONLY=bulk,txn,ldap picks some (txn is (b) and (d)).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Attribute, Client } from 'ldapts';
import { importLdif } from '../../src/ad/importLdif.js';
import type { DomainController } from '../../src/ad/domainController.js';
import type { OperationContext } from '../../src/ad/dsa.js';
import { SYSTEM } from '../../src/ad/principal.js';
import { parseLdif, type LdifRecord } from '../../src/directory/ldif.js';
import { contoso } from '../../src/domains/onprem.js';
import { openDomain } from '../../src/domains/openDomain.js';
import { generateEstateLdif } from '../../src/domains/seedgen.js';
import { DirectoryServer } from '../../src/ldap/server.js';
import { createLogger } from '../../src/log.js';

const BASE_DN = 'DC=contoso,DC=com';
const OU = `OU=AddBench,${BASE_DN}`;
const ADMIN_DN = `CN=Administrator,CN=Users,${BASE_DN}`;
const ADMIN_PASSWORD = 'Passw0rd!';

function envInt(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : fallback;
}

/** A rate, and the CPU time (user + system, this process) it cost per entry: steadier than wall time on a busy machine. */
export interface Rate {
  perSecond: number;
  cpuMicrosPerEntry: number;
}

export interface AddPathFigures {
  /** (a) one importLdif transaction */
  bulk: Rate;
  /** (b) one transaction per add, in process */
  perTransaction: Rate;
  /** (c) over LDAP (the clients run in this process too) */
  ldap: Rate;
  /** (d) groups, one transaction per add, after (b) */
  groups: Rate;
  users: { bulk: number; perTransaction: number; ldap: number; groups: number };
}

type AddRecord = Extract<LdifRecord, { kind: 'add' }>;

/** The OU first, then `users` users, then `groups` groups, parsed. */
function estate(users: number, groups = 0): AddRecord[] {
  const ldif = generateEstateLdif({ users, groups, baseDn: BASE_DN, ou: OU, upnSuffix: 'contoso.com', seed: 11 });
  return parseLdif(ldif, 'addPath.ldif').filter((r): r is AddRecord => r.kind === 'add');
}

async function withDc<T>(use: (dc: DomainController) => Promise<T> | T): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dsemu-addbench-'));
  const { dc } = openDomain({ dataDir, personality: contoso, adminPassword: ADMIN_PASSWORD, log: createLogger('silent') });
  try {
    return await use(dc);
  } finally {
    await dc.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Runs `work`, which adds entries and says how many. */
async function rate(work: () => number | Promise<number>): Promise<Rate> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const count = await work();
  const { user, system } = process.cpuUsage(cpu);
  return { perSecond: Math.round((count / (performance.now() - started)) * 1000), cpuMicrosPerEntry: Math.round((user + system) / count) };
}

/** (a) one transaction for all of them, as `dsemu import` does */
export function measureBulk(dc: DomainController, records: readonly AddRecord[]): Promise<Rate> {
  return rate(() => importLdif(dc, records, 'addPath.ldif', { principal: SYSTEM, secure: true }).added);
}

/** (b) and (d) one transaction per add, as the administrator (an LDAP add's shape, without the wire) */
export async function measurePerTransaction(dc: DomainController, records: readonly AddRecord[]): Promise<{ users: Rate; groups: Rate }> {
  const ctx: OperationContext = { principal: dc.bind(ADMIN_DN, ADMIN_PASSWORD), secure: false };
  const [ou, ...rest] = records;
  const isGroup = (r: AddRecord): boolean => r.attributes.some((a) => a.type.toLowerCase() === 'objectclass' && a.values.map(String).includes('group'));
  const addEach = (batch: readonly AddRecord[]): number => {
    for (const { dn, attributes } of batch) dc.store.write(() => dc.add(dn, attributes, ctx));
    return batch.length;
  };
  const [userRecords, groupRecords] = [rest.filter((r) => !isGroup(r)), rest.filter(isGroup)];
  dc.store.write(() => dc.add(ou!.dn, ou!.attributes, ctx));
  const users = await rate(() => addEach(userRecords));
  const groups = await rate(() => addEach(groupRecords));
  return { users, groups };
}

/** (c) over LDAP: `connections` clients, each with `outstanding` adds in flight */
export async function measureLdap(dc: DomainController, records: readonly AddRecord[], connections: number, outstanding: number): Promise<Rate> {
  const server = new DirectoryServer({ dc, log: createLogger('silent'), host: '127.0.0.1', ldapPort: 0 });
  const { ldapUrl } = await server.listen();
  const clients = Array.from({ length: connections }, () => new Client({ url: ldapUrl }));
  try {
    await Promise.all(clients.map((c) => c.bind(ADMIN_DN, ADMIN_PASSWORD)));
    const toAttributes = (r: AddRecord): Attribute[] => r.attributes.map((a) => new Attribute({ type: a.type, values: a.values.map(String) }));
    const [ou, ...users] = records.map((r) => ({ dn: r.dn, attributes: toAttributes(r) }));
    await clients[0]!.add(ou!.dn, ou!.attributes);
    // a user names its manager (added earlier in the estate): an add waits until its manager's is done
    const adds = new Map<string, Promise<void>>();
    const managerOf = (r: AddRecord): string | undefined => r.attributes.find((a) => a.type.toLowerCase() === 'manager')?.values.map(String)[0];
    const managers = new Map(records.map((r) => [r.dn, managerOf(r)]));
    let next = 0;
    const worker = async (client: Client): Promise<void> => {
      while (next < users.length) {
        const { dn, attributes } = users[next++]!;
        const manager = managers.get(dn);
        const added = (async () => {
          if (manager) await adds.get(manager);
          await client.add(dn, attributes);
        })();
        adds.set(dn, added.catch(() => undefined));
        await added;
      }
    };
    return await rate(async () => {
      await Promise.all(clients.flatMap((c) => Array.from({ length: outstanding }, () => worker(c))));
      return users.length;
    });
  } finally {
    await Promise.all(clients.map((c) => c.unbind().catch(() => undefined)));
    await server.close();
  }
}

export async function benchAddPath(options: { bulk?: number; perTransaction?: number; ldap?: number; connections?: number; outstanding?: number } = {}): Promise<AddPathFigures> {
  const users = {
    bulk: options.bulk ?? envInt('BENCH_ADD_BULK', 20_000),
    perTransaction: options.perTransaction ?? envInt('BENCH_ADD_TXN', 20_000),
    ldap: options.ldap ?? envInt('BENCH_ADD_LDAP', 10_000),
    groups: 0,
  };
  users.groups = Math.floor(users.perTransaction / 10);
  const connections = options.connections ?? envInt('BENCH_ADD_CONNECTIONS', 4);
  const outstanding = options.outstanding ?? envInt('BENCH_ADD_OUTSTANDING', 16);
  const only = process.env.BENCH_ADD_ONLY?.split(',');
  const run = (name: string): boolean => !only || only.includes(name);

  const skipped: Rate = { perSecond: 0, cpuMicrosPerEntry: 0 };

  const bulk = run('bulk') ? await withDc((dc) => measureBulk(dc, estate(users.bulk))) : skipped;
  const { users: perTransaction, groups } = run('txn') ? await withDc((dc) => measurePerTransaction(dc, estate(users.perTransaction, users.groups))) : { users: skipped, groups: skipped };
  const ldap = run('ldap') ? await withDc((dc) => measureLdap(dc, estate(users.ldap), connections, outstanding)) : skipped;
  return { bulk, perTransaction, ldap, groups, users };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { bulk, perTransaction, ldap, groups, users } = await benchAddPath();
  const line = (label: string, r: Rate, n: string): string => `${label.padEnd(36)}${String(r.perSecond).padStart(6)} entries/s  ${String(r.cpuMicrosPerEntry).padStart(5)} us CPU/entry  (${n})`;
  console.log(line('(a) bulk import, one transaction', bulk, `${users.bulk} users`));
  console.log(line('(b) one transaction per add', perTransaction, `${users.perTransaction} users`));
  console.log(line('(c) LDAP adds', ldap, `${users.ldap} users`));
  console.log(line('(d) groups, one transaction per add', groups, `${users.groups} groups`));
}
