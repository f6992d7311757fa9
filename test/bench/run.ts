// dsemu LDAP benchmark (issue 2, "Done when": `npm run bench`). A measurement, not a test: it
// always exits 0, and says so loudly when a ratio is below the target.
//
//   npm run bench
//
// What it does, all on 127.0.0.1, bounded in time, stopping by itself:
//  - forks two server processes (this file again, with `serve dsemu` / `serve reference`):
//      dsemu:     startEmulator() on ephemeral ports, plus 10,000 generated users (seedgen, seed
//                 BENCH_SEED) imported under OU=Bench,OU=Corp,DC=contoso,DC=com. 100 of them get
//                 physicalDeliveryOfficeName 'Bench Office 100' (an indexed attribute), which the
//                 100-entry search asks for.
//      reference: a do-nothing ldapjs 3 server (createServer, bind and search handlers): bind
//                 always succeeds, the sAMAccountName equality search is one Map lookup, the
//                 100-entry search sends 100 canned entries; the same users, attributes and values,
//                 and the three continuation references AD sends after a subtree search at the root.
//                 Its sockets get setNoDelay(true), like ours: stock ldapjs leaves Nagle on, which
//                 costs about 40 ms per multi-entry search (delayed ACK) and would make a poor
//                 ceiling. BENCH_REFERENCE_NAGLE=1 keeps the stock behaviour.
//  - drives both from this process with ldapts: BENCH_CONNECTIONS connections (default 8), each
//    running one operation after another, for BENCH_WARMUP_MS (default 1000) then BENCH_MEASURE_MS
//    (default 5000); ops/s and p50/p99 latency. Scenarios:
//      bind   simple bind as Dan Riley (by DN: ldapjs answers 34 to a UPN before any handler),
//             repeated on the same connection
//      eq1    subtree search from DC=contoso,DC=com, (sAMAccountName=<random generated user>),
//             5 attributes; one entry
//      sub100 subtree search from DC=contoso,DC=com,
//             (&(objectCategory=person)(physicalDeliveryOfficeName=Bench Office 100)), 8 attributes;
//             100 entries
//    Each scenario alternates the servers BENCH_ROUNDS times (default 3: dsemu, reference, dsemu,
//    reference, ...) and keeps each server's best round (the machine is shared and noisy). Before measuring, every scenario is checked
//    once on both servers (bind succeeds, 1 and 100 entries).
//  - prints: scenario | dsemu ops/s | reference ops/s | ratio | target | p50/p99 of each.
//
// Other knobs: BENCH_USERS (default 10000), BENCH_SCENARIOS=bind,eq1,sub100,
// BENCH_PROFILE=1 CPU-profiles the dsemu server while it serves (after the import, through
// node:inspector), writes the .cpuprofile to BENCH_PROFILE_DIR (default ./bench-profile) and prints
// the top self-time functions.

import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'node:net';
import { Client } from 'ldapts';
import ldapjs from 'ldapjs';
import { generateEstate } from '../../src/domains/seedgen.js';
import { parseLdif, type LdifRecord } from '../../src/directory/ldif.js';
import { SEED_DIR } from '../../src/domains/seedDir.js';

const SELF = fileURLToPath(import.meta.url);
const BASE_DN = 'DC=contoso,DC=com';
const BENCH_OU = `OU=Bench,OU=Corp,${BASE_DN}`;
const UPN_SUFFIX = 'contoso.com';
const HUNDRED_OFFICE = 'Bench Office 100';
const HUNDRED = 100;
const BIND_DN = `CN=Dan Riley,OU=Engineering,OU=United States,OU=Corp,${BASE_DN}`;
const BIND_PASSWORD = 'Passw0rd!';
const ONE_ATTRIBUTES = ['cn', 'sAMAccountName', 'userPrincipalName', 'mail', 'displayName'];
const HUNDRED_ATTRIBUTES = [...ONE_ATTRIBUTES, 'title', 'department', 'physicalDeliveryOfficeName'];
const HUNDRED_FILTER = `(&(objectCategory=person)(physicalDeliveryOfficeName=${HUNDRED_OFFICE}))`;
const TARGET = 0.8;

function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  const n = v === undefined || v === '' ? NaN : Number(v);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : fallback;
}

const USERS = envInt('BENCH_USERS', 10_000);
const SEED = envInt('BENCH_SEED', 7);
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 8);
const WARMUP_MS = envInt('BENCH_WARMUP_MS', 1000);
const MEASURE_MS = envInt('BENCH_MEASURE_MS', 5000);
const ROUNDS = envInt('BENCH_ROUNDS', 3);

// ---------------------------------------------------------------------------------------------
// The data both servers hold

interface BenchUser {
  dn: string;
  sAMAccountName: string;
  /** attribute name (as in the LDIF) -> values */
  attributes: Record<string, string[]>;
}

interface BenchEstate {
  ldif: string;
  users: BenchUser[];
  hundred: BenchUser[];
}

function text(v: string | Buffer): string {
  return typeof v === 'string' ? v : v.toString('utf8');
}

/** Every name the seed already uses, so the generated users never collide with it. */
function seedNames(): string[] {
  const names: string[] = [];
  for (const file of readdirSync(SEED_DIR).filter((f) => f.endsWith('.ldif'))) {
    for (const record of parseLdif(readFileSync(join(SEED_DIR, file), 'utf8'), file)) {
      if (record.kind !== 'add') continue;
      for (const a of record.attributes) {
        const type = a.type.toLowerCase();
        for (const raw of a.values) {
          const v = text(raw);
          if (type === 'samaccountname' || type === 'mailnickname') names.push(v);
          else if (type === 'userprincipalname' || type === 'mail') names.push(v.split('@')[0] ?? v);
          else if (type === 'proxyaddresses') names.push((v.replace(/^[a-z0-9]+:/i, '').split('@')[0]) ?? v);
        }
      }
    }
  }
  return names;
}

/** Deterministic: the dsemu child, the reference child and the driver all compute the same. */
function benchEstate(): BenchEstate {
  const parts = ['version: 1'];
  let userIndex = 0;
  for (const record of generateEstate({ users: USERS, baseDn: BASE_DN, ou: BENCH_OU, upnSuffix: UPN_SUFFIX, seed: SEED, reserved: seedNames() })) {
    let r = record;
    if (/^objectClass: user$/m.test(r)) {
      if (userIndex < HUNDRED) r = r.replace(/^physicalDeliveryOfficeName: .*$/m, `physicalDeliveryOfficeName: ${HUNDRED_OFFICE}`);
      userIndex++;
    }
    parts.push(r);
  }
  const ldif = `${parts.join('\n\n')}\n`;
  const users: BenchUser[] = [];
  for (const record of parseLdif(ldif, 'bench')) {
    if (record.kind !== 'add') continue;
    const attributes: Record<string, string[]> = {};
    for (const a of record.attributes) attributes[a.type] = a.values.map(text);
    if (!(attributes.objectClass ?? []).includes('user')) continue;
    users.push({ dn: record.dn, sAMAccountName: attributes.sAMAccountName?.[0] ?? '', attributes });
  }
  const hundred = users.filter((u) => u.attributes.physicalDeliveryOfficeName?.[0] === HUNDRED_OFFICE);
  if (hundred.length !== HUNDRED) throw new Error(`bench estate: ${hundred.length} users in '${HUNDRED_OFFICE}', expected ${HUNDRED}`);
  return { ldif, users, hundred };
}

// ---------------------------------------------------------------------------------------------
// Server children

interface ReadyMessage {
  type: 'ready';
  url: string;
  setupMs: number;
  detail: string;
}

async function serveDsemu(): Promise<void> {
  const started = performance.now();
  const { startEmulator } = await import('../../src/emulator.js');
  const { importLdif } = await import('../../src/ad/importLdif.js');
  const { SYSTEM } = await import('../../src/ad/principal.js');
  const estate = benchEstate();
  const emulator = await startEmulator({ ldapPort: 0, ldapsPort: 0, logLevel: 'silent', sync: false });
  const importStarted = performance.now();
  const records: LdifRecord[] = parseLdif(estate.ldif, 'bench');
  const summary = importLdif(emulator.onpremDc, records, 'bench', { principal: SYSTEM, secure: true });
  const importMs = performance.now() - importStarted;
  const ready: ReadyMessage = {
    type: 'ready',
    url: emulator.onprem.ldapUrl,
    setupMs: performance.now() - started,
    detail: `imported ${summary.added} entries in ${(importMs / 1000).toFixed(1)} s`,
  };
  const stopProfile = process.env.BENCH_PROFILE === '1' ? await startProfile() : undefined;
  process.send!(ready);
  process.on('message', (m: unknown) => {
    if (m !== 'stop') return;
    void (async () => {
      if (stopProfile) await stopProfile();
      await emulator.stop();
    })().finally(() => process.exit(0));
  });
  // The driver gone without stopping us (killed): stopping removes the emulator's temporary data dir.
  process.once('disconnect', () => void emulator.stop().finally(() => process.exit(0)));
}

/** Profiles the serving (not the import) through the inspector; the stop writes the .cpuprofile. */
async function startProfile(): Promise<() => Promise<void>> {
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((done, fail) => session.post(method, params ?? {}, (err, result) => (err ? fail(err) : done(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  return async () => {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    mkdirSync(PROFILE_DIR, { recursive: true });
    writeFileSync(join(PROFILE_DIR, `dsemu-${Date.now()}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  };
}

// The parts of ldapjs's server API the reference uses (src/ldap/protocol/ldapjs.d.ts declares only
// what src needs).
interface LdapjsFilter {
  type?: string;
  attribute?: string;
  value?: unknown;
  filters?: LdapjsFilter[];
}
interface LdapjsRequest {
  filter: LdapjsFilter;
}
interface LdapjsResponse {
  send(entry: { dn: string; attributes: Record<string, string[]> } | object): void;
  createSearchReference(uris: string[]): object;
  end(status?: number): void;
}

// What AD (and dsemu) send after the entries of a subtree search at the domain root: the same
// response shape for the reference (ad-ldap.md 4, "Referrals at the domain root").
const ROOT_REFERENCES = [
  'ldap://ForestDnsZones.contoso.com/DC=ForestDnsZones,DC=contoso,DC=com',
  'ldap://DomainDnsZones.contoso.com/DC=DomainDnsZones,DC=contoso,DC=com',
  'ldap://contoso.com/CN=Configuration,DC=contoso,DC=com',
];
type LdapjsHandler = (req: LdapjsRequest, res: LdapjsResponse, next: () => void) => void;
interface LdapjsFullServer {
  readonly server: import('node:net').Server;
  bind(name: string, handler: LdapjsHandler): void;
  search(name: string, handler: LdapjsHandler): void;
  listen(port: number, host: string, callback: () => void): void;
  close(callback?: () => void): void;
}

function equalityValue(filter: LdapjsFilter, attribute: string): string | undefined {
  if (filter.type === 'AndFilter' || filter.type === 'OrFilter') {
    for (const f of filter.filters ?? []) {
      const v = equalityValue(f, attribute);
      if (v !== undefined) return v;
    }
    return undefined;
  }
  if (filter.type === 'EqualityFilter' && filter.attribute?.toLowerCase() === attribute) {
    const v = filter.value;
    return Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  }
  return undefined;
}

function pick(user: BenchUser, names: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const n of names) {
    const v = user.attributes[n];
    if (v) out[n] = v;
  }
  return out;
}

async function serveReference(): Promise<void> {
  const started = performance.now();
  const estate = benchEstate();
  // canned answers, built once: what a do-nothing server with this data would hold
  const bySam = new Map<string, { dn: string; attributes: Record<string, string[]> }>();
  for (const u of estate.users) bySam.set(u.sAMAccountName.toLowerCase(), { dn: u.dn, attributes: pick(u, ONE_ATTRIBUTES) });
  const hundred = estate.hundred.map((u) => ({ dn: u.dn, attributes: pick(u, HUNDRED_ATTRIBUTES) }));

  const server = (ldapjs as unknown as { createServer(options?: object): LdapjsFullServer }).createServer({});
  if (process.env.BENCH_REFERENCE_NAGLE !== '1') server.server.on('connection', (socket: Socket) => socket.setNoDelay(true));
  server.bind('', (_req, res, next) => {
    res.end();
    next();
  });
  server.search('', (req, res, next) => {
    const sam = equalityValue(req.filter, 'samaccountname');
    if (sam !== undefined) {
      const entry = bySam.get(sam.toLowerCase());
      // res.send filters (deletes and restores) attributes of a plain object: send a copy
      if (entry) res.send({ dn: entry.dn, attributes: { ...entry.attributes } });
    } else if (equalityValue(req.filter, 'physicaldeliveryofficename') === HUNDRED_OFFICE) {
      for (const entry of hundred) res.send({ dn: entry.dn, attributes: { ...entry.attributes } });
    }
    for (const url of ROOT_REFERENCES) res.send(res.createSearchReference([url]));
    res.end();
    next();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const ready: ReadyMessage = {
    type: 'ready',
    url: `ldap://127.0.0.1:${port}`,
    setupMs: performance.now() - started,
    detail: `${bySam.size} canned users${process.env.BENCH_REFERENCE_NAGLE === '1' ? ', Nagle on' : ', noDelay'}`,
  };
  process.send!(ready);
  process.on('message', (m: unknown) => {
    if (m !== 'stop') return;
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}

// ---------------------------------------------------------------------------------------------
// Driver

type ServerName = 'dsemu' | 'reference';

interface RunningServer {
  name: ServerName;
  child: ChildProcess;
  url: string;
  ready: ReadyMessage;
}

const PROFILE_DIR = resolve(process.env.BENCH_PROFILE_DIR ?? 'bench-profile');

async function startServer(name: ServerName, timeoutMs: number): Promise<RunningServer> {
  const execArgv = ['--import', 'tsx'];
  const child = fork(SELF, ['serve', name], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<ReadyMessage>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`${name} server not ready after ${timeoutMs} ms`)), timeoutMs);
    child.on('message', (m: unknown) => {
      if (m && typeof m === 'object' && (m as { type?: string }).type === 'ready') {
        clearTimeout(timer);
        done(m as ReadyMessage);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${name} server exited (${code}) before it was ready`));
    });
  });
  return { name, child, url: ready.url, ready };
}

async function stopServer(server: RunningServer): Promise<void> {
  if (server.child.exitCode !== null) return;
  await new Promise<void>((done) => {
    const timer = setTimeout(() => {
      server.child.kill('SIGKILL');
      done();
    }, 10_000);
    server.child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    server.child.send('stop');
  });
}

type ScenarioName = 'bind' | 'eq1' | 'sub100';

interface Scenario {
  name: ScenarioName;
  label: string;
  /** binds first (once per connection), for the search scenarios */
  bindFirst: boolean;
  op: (client: Client) => Promise<void>;
  /** one call, checked before measuring */
  check: (client: Client) => Promise<string | undefined>;
}

function scenarios(estate: BenchEstate): Scenario[] {
  const sams = estate.users.map((u) => u.sAMAccountName);
  let seed = 12345;
  const random = (): string => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return sams[seed % sams.length]!;
  };
  const eq = (client: Client, sam: string) => client.search(BASE_DN, { scope: 'sub', filter: `(sAMAccountName=${sam})`, attributes: ONE_ATTRIBUTES });
  const sub = (client: Client) => client.search(BASE_DN, { scope: 'sub', filter: HUNDRED_FILTER, attributes: HUNDRED_ATTRIBUTES });
  return [
    {
      name: 'bind',
      label: 'simple bind',
      bindFirst: false,
      op: async (client) => client.bind(BIND_DN, BIND_PASSWORD),
      check: async (client) => {
        await client.bind(BIND_DN, BIND_PASSWORD);
        return undefined;
      },
    },
    {
      name: 'eq1',
      label: 'sAMAccountName eq (1)',
      bindFirst: true,
      op: async (client) => {
        await eq(client, random());
      },
      check: async (client) => {
        const user = estate.users[estate.users.length - 1]!;
        const { searchEntries } = await eq(client, user.sAMAccountName);
        if (searchEntries.length !== 1) return `expected 1 entry, got ${searchEntries.length}`;
        if (String(searchEntries[0]!.dn).toLowerCase() !== user.dn.toLowerCase()) return `expected ${user.dn}, got ${searchEntries[0]!.dn}`;
        const got = Object.keys(searchEntries[0]!).filter((k) => k !== 'dn').sort().join(',');
        return got === [...ONE_ATTRIBUTES].sort().join(',') ? undefined : `attributes: ${got}`;
      },
    },
    {
      name: 'sub100',
      label: 'subtree search (100)',
      bindFirst: true,
      op: async (client) => {
        await sub(client);
      },
      check: async (client) => {
        const { searchEntries } = await sub(client);
        return searchEntries.length === HUNDRED ? undefined : `expected ${HUNDRED} entries, got ${searchEntries.length}`;
      },
    },
  ];
}

interface RunResult {
  ops: number;
  opsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  firstError?: string;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function runLoad(url: string, scenario: Scenario): Promise<RunResult> {
  const clients: Client[] = [];
  try {
    for (let i = 0; i < CONNECTIONS; i++) {
      const client = new Client({ url, timeout: 10_000, connectTimeout: 5_000 });
      if (scenario.bindFirst) await client.bind(BIND_DN, BIND_PASSWORD);
      clients.push(client);
    }
    const start = performance.now();
    const measureFrom = start + WARMUP_MS;
    const end = measureFrom + MEASURE_MS;
    const latencies: number[] = [];
    let errors = 0;
    let firstError: string | undefined;
    await Promise.all(
      clients.map(async (client) => {
        for (;;) {
          const t0 = performance.now();
          if (t0 >= end) return;
          try {
            await scenario.op(client);
          } catch (e) {
            errors++;
            firstError ??= (e as Error).message;
            if (errors > 100) return;
          }
          const t1 = performance.now();
          if (t0 >= measureFrom && t1 <= end) latencies.push(t1 - t0);
        }
      }),
    );
    const sorted = Float64Array.from(latencies).sort();
    return { ops: sorted.length, opsPerSecond: sorted.length / (MEASURE_MS / 1000), p50: percentile(sorted, 50), p99: percentile(sorted, 99), errors, firstError };
  } finally {
    await Promise.all(clients.map((c) => c.unbind().catch(() => undefined)));
  }
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-';
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.slice(1).map(line)].join('\n');
}

function relativePath(url: string): string {
  return url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '');
}

const sourceCache = new Map<string, string[]>();

/** tsx hands V8 transformed code, so profile lines in .ts files are not source lines: find the
 *  function's definition in the source instead (best effort; the first plausible match). */
function sourceLine(url: string, name: string, line: number): number | string {
  if (!url.endsWith('.ts') || !name) return line;
  const path = url.replace(/^file:\/\//, '');
  let lines = sourceCache.get(path);
  if (!lines) {
    try {
      lines = readFileSync(path, 'utf8').split('\n');
    } catch {
      lines = [];
    }
    sourceCache.set(path, lines);
  }
  const escaped = name.replace(/[$]/g, '\\$');
  const patterns = [
    new RegExp(`\\bfunction\\s*\\*?\\s*${escaped}\\s*[(<]`),
    new RegExp(`^\\s*(?:(?:private|public|protected|static|async|readonly|get|set)\\s+)*\\*?${escaped}\\s*[(<]`),
    new RegExp(`\\b${escaped}\\s*[:=]\\s*(?:async\\s*)?(?:\\([^)]*\\)|\\w+)\\s*(?::[^=]*)?=>`),
  ];
  for (const re of patterns) {
    const i = lines.findIndex((l) => re.test(l));
    if (i >= 0) return i + 1;
  }
  return '?';
}

/** Top self-time functions of a V8 .cpuprofile. */
function topFunctions(file: string, count: number): string[] {
  interface Node {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const node = byId.get(id);
    if (!node) return;
    const f = node.callFrame;
    const where = f.url ? `${relativePath(f.url)}:${sourceLine(f.url, f.functionName, f.lineNumber + 1)}` : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
}

async function drive(): Promise<void> {
  const wanted = (process.env.BENCH_SCENARIOS ?? 'bind,eq1,sub100').split(',').map((s) => s.trim());
  console.log(`dsemu bench: ${USERS} generated users, ${CONNECTIONS} connections, ${WARMUP_MS} ms warm-up + ${MEASURE_MS} ms per run, ${ROUNDS} rounds per server`);
  const estate = benchEstate();
  const all = scenarios(estate).filter((s) => wanted.includes(s.name));

  const servers: RunningServer[] = [];
  const results = new Map<string, RunResult>();
  try {
    const [ours, reference] = await Promise.all([startServer('dsemu', 600_000), startServer('reference', 120_000)]);
    servers.push(ours, reference);
    for (const s of servers) console.log(`  ${s.name.padEnd(9)} ${s.url}  ready in ${(s.ready.setupMs / 1000).toFixed(1)} s (${s.ready.detail})`);

    // correctness first: the same answers from both, or the numbers mean nothing
    for (const scenario of all) {
      for (const server of servers) {
        const client = new Client({ url: server.url, timeout: 10_000 });
        try {
          if (scenario.bindFirst) await client.bind(BIND_DN, BIND_PASSWORD);
          const problem = await scenario.check(client);
          if (problem) throw new Error(`${scenario.name} on ${server.name}: ${problem}`);
        } finally {
          await client.unbind().catch(() => undefined);
        }
      }
    }

    for (const scenario of all) {
      for (let round = 0; round < ROUNDS; round++) {
        for (const server of servers) {
          const r = await runLoad(server.url, scenario);
          const key = `${scenario.name}/${server.name}`;
          console.log(
            `  ${scenario.name.padEnd(6)} ${server.name.padEnd(9)} round ${round + 1}: ${fmt(r.opsPerSecond).padStart(7)} ops/s  p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms` +
              (r.errors ? `  ${r.errors} errors (${r.firstError})` : ''),
          );
          const best = results.get(key);
          if (!best || r.opsPerSecond > best.opsPerSecond) results.set(key, r);
        }
      }
    }
  } finally {
    await Promise.all(servers.map(stopServer));
  }

  const rows: string[][] = [['scenario', 'dsemu ops/s', 'ldapjs reference ops/s', 'ratio', 'target', 'dsemu p50/p99 ms', 'reference p50/p99 ms']];
  const below: string[] = [];
  for (const scenario of all) {
    const ours = results.get(`${scenario.name}/dsemu`);
    const ref = results.get(`${scenario.name}/reference`);
    if (!ours || !ref) continue;
    const ratio = ours.opsPerSecond / ref.opsPerSecond;
    if (!(ratio >= TARGET)) below.push(`${scenario.label}: ${ratio.toFixed(2)}`);
    rows.push([
      scenario.label,
      fmt(ours.opsPerSecond),
      fmt(ref.opsPerSecond),
      ratio.toFixed(2),
      TARGET.toFixed(1),
      `${fmt(ours.p50, 2)} / ${fmt(ours.p99, 2)}`,
      `${fmt(ref.p50, 2)} / ${fmt(ref.p99, 2)}`,
    ]);
  }
  console.log(`\nBest of ${ROUNDS} rounds per server; ${CONNECTIONS} ldapts connections; ${USERS} generated users.\n`);
  console.log(table(rows));
  console.log(below.length ? `\nBELOW TARGET (${TARGET}): ${below.join('; ')}` : `\nAll scenarios at or above the target (${TARGET}).`);

  if (process.env.BENCH_PROFILE === '1') {
    const profiles = readdirSync(PROFILE_DIR).filter((f) => f.endsWith('.cpuprofile')).sort();
    const latest = profiles[profiles.length - 1];
    if (latest) {
      console.log(`\nCPU profile of the dsemu server: ${join(PROFILE_DIR, latest)}; top self time:`);
      for (const l of topFunctions(join(PROFILE_DIR, latest), 25)) console.log(`  ${l}`);
    }
  }
}

async function main(): Promise<void> {
  const [mode, name] = process.argv.slice(2);
  if (mode === 'serve' && name === 'dsemu') return serveDsemu();
  if (mode === 'serve' && name === 'reference') return serveReference();
  try {
    await drive();
  } catch (e) {
    console.error(`\nbench failed: ${(e as Error).stack ?? e}`);
  }
  process.exit(0);
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(process.argv[2] === 'serve' ? 1 : 0);
});
