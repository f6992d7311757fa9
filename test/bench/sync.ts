// The sync agent's benchmark (issue 5): a full sync of a large estate, and the latency from an
// on-prem change to its visibility on the managed DC. A measurement, not a test: it always exits
// 0, and says so loudly when a figure misses its target.
//
//   npm run bench            (after the LDAP benchmark)    npm run bench:sync   (this one alone)
//
// What it does, on 127.0.0.1:
//  - forks the estate (this file with `serve`): startEmulator() on a temporary data dir, without
//    its agent, plus BENCH_SYNC_USERS (default 100,000) generated users and a tenth as many groups
//    imported into contoso.com; the two DCs serve from that child process.
//  - reference, measured in the same run: the same number of plain ldapts adds into a custom OU of
//    the managed DC (4 connections, 64 outstanding), what any writer pays; the ratio is the
//    reference's time over the agent's (1.00: the agent costs no more than writing the objects).
//  - full sync: a SyncAgent in this process (so the DCs and the agent use both cores, as they would
//    on two machines), one cycle of the object stages from an empty cookie; target under 60 s.
//    Every generated user has a password (the same NT hash and Kerberos keys, stored through the
//    DC's own credential store: deriving 100,000 Kerberos keys would take minutes), so the hash
//    channel's first push, run next on its own, pushes 100,000 users' hashes; target under 60 s,
//    beside the reference's time for as many writes. Each part's CPU time (the estate process with
//    both DCs, this process with the agent) says how much of its wall time is work and how much
//    waiting: their sum over the cores is the least any overlap of the stages could reach.
//  - live latency: the agent's live schedule (change notifications); BENCH_SYNC_CHANGES (default
//    500) on-prem title changes at 50 a second; each one's time from the modify's response to
//    the managed DC answering a search with the new value (polled every 10 ms); p50/p99, target
//    p99 under 1 s. Then as many password changes (over LDAPS) at 50 a second: each one's time
//    until the new password binds on the managed DC.

import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Attribute, Change, Client } from 'ldapts';
import type { RunningEmulator } from '../../src/emulator.js';
import type { EstateEndpoints } from '../../src/estateSync.js';
import type { CycleOptions } from '../../src/sync/cycle.js';

const SELF = fileURLToPath(import.meta.url);
const ONPREM = 'DC=contoso,DC=com';
const MANAGED = 'DC=aaddscontoso,DC=com';
const BENCH_OU = `OU=SyncBench,OU=Corp,${ONPREM}`;
const FULL_SYNC_TARGET_S = 60;
const LATENCY_TARGET_MS = 1000;
const BENCH_PASSWORD = 'Passw0rd!';

function envInt(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}
const USERS = envInt('BENCH_SYNC_USERS', 100_000);
const CHANGES = envInt('BENCH_SYNC_CHANGES', 500);
const CHANGES_PER_SECOND = 50;

interface Ready {
  type: 'ready';
  endpoints: Omit<EstateEndpoints, 'pid' | 'options'>;
  importMs: number;
  entries: number;
  admin: { upn: string; password: string };
  managedAdmin: { upn: string; password: string };
  onpremLdaps: string;
  onpremCa: string;
}

async function serve(dataDir: string): Promise<void> {
  // The driver gone (killed, even with -9) before it could stop us: stop, and leave no data dir behind.
  let emulator: RunningEmulator | undefined;
  process.once('disconnect', () => {
    void Promise.resolve(emulator?.stop()).catch(() => undefined).finally(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  });
  const { startEmulator } = await import('../../src/emulator.js');
  const { importLdif } = await import('../../src/ad/importLdif.js');
  const { SYSTEM } = await import('../../src/ad/principal.js');
  const { parseLdif } = await import('../../src/directory/ldif.js');
  const { generateEstateLdif, seededNames } = await import('../../src/domains/seedgen.js');
  emulator = await startEmulator({ dataDir, ldapPort: 0, ldapsPort: 0, logLevel: 'silent', sync: false });
  const started = performance.now();
  const ldif = generateEstateLdif({ users: USERS, baseDn: ONPREM, ou: BENCH_OU, upnSuffix: 'contoso.com', seed: 11, reserved: seededNames() });
  const summary = emulator.onpremDc.store.write(() => importLdif(emulator.onpremDc, parseLdif(ldif, 'bench'), 'bench', { principal: SYSTEM, secure: true }));
  // The bench password's credentials, stored for every generated user as a password reset would.
  const { storeCredentials } = await import('../../src/ad/passwords.js');
  const { ntHash } = await import('../../src/ad/crypto/ntHash.js');
  const { kerberosKeys } = await import('../../src/ad/crypto/kerberos.js');
  const keys = kerberosKeys(BENCH_PASSWORD, 'CONTOSO.COMbench');
  const credentials = { nt: ntHash(BENCH_PASSWORD).toString('hex'), aes256: keys.aes256.toString('hex'), aes128: keys.aes128.toString('hex'), salt: keys.salt, iterations: keys.iterations };
  const dc = emulator.onpremDc;
  dc.store.write(() => {
    for (const guid of [...dc.store.children(dc.store.byDn(BENCH_OU)!.guid)]) {
      const entry = dc.store.byGuid(guid);
      if (entry?.attrs.objectClass?.some((c) => String(c).toLowerCase() === 'user')) {
        storeCredentials(dc, guid, credentials);
        dc.modify(entry.dn, [{ operation: 'replace', type: 'userAccountControl', values: ['512'] }], { principal: SYSTEM, secure: true });
      }
    }
  });
  const endpoint = (e: { dnsName: string; netbiosName: string; baseDn: string; ldapUrl: string }) => ({ dnsName: e.dnsName, netbiosName: e.netbiosName, baseDn: e.baseDn, ldapUrl: e.ldapUrl });
  const ready: Ready = {
    type: 'ready',
    endpoints: { sources: [endpoint(emulator.onprem)], target: endpoint(emulator.managed) },
    importMs: performance.now() - started,
    entries: summary.added,
    admin: emulator.onprem.admin,
    managedAdmin: { upn: emulator.managed.admin!.upn, password: emulator.managed.admin!.password },
    onpremLdaps: emulator.onprem.ldapsUrl!,
    onpremCa: emulator.onprem.caFile!,
  };
  const running = emulator;
  process.on('message', (m: unknown) => {
    if (m === 'stop') void running.stop().finally(() => process.exit(0));
    if (m === 'cpu') process.send!({ type: 'cpu', usage: process.cpuUsage() });
  });
  process.send!(ready);
}

/** CPU seconds (user + system) since `from`. */
function cpuSeconds(usage: NodeJS.CpuUsage, from: NodeJS.CpuUsage): number {
  return (usage.user - from.user + usage.system - from.system) / 1e6;
}

/** The estate process's CPU usage so far. */
function estateCpu(child: ChildProcess): Promise<NodeJS.CpuUsage> {
  return new Promise((resolve) => {
    const answer = (m: unknown): void => {
      if ((m as { type?: string }).type !== 'cpu') return;
      child.off('message', answer);
      resolve((m as { usage: NodeJS.CpuUsage }).usage);
    };
    child.on('message', answer);
    child.send('cpu');
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

/** The reference: `count` plain adds into a custom OU of the managed DC, as fast as ldapts goes. */
async function plainAdds(url: string, admin: { upn: string; password: string }, count: number): Promise<number> {
  const clients = await Promise.all(Array.from({ length: 4 }, async () => {
    const c = new Client({ url });
    await c.bind(admin.upn, admin.password);
    return c;
  }));
  const ou = `OU=Reference,${MANAGED}`;
  await clients[0]!.add(ou, { objectClass: 'organizationalUnit' });
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: 64 }, async (_, w) => {
    const client = clients[w % clients.length]!;
    while (next < count) {
      const i = next++;
      await client.add(`CN=Reference ${i},${ou}`, { objectClass: 'user', sAMAccountName: `ref${i}`, userPrincipalName: `ref${i}@aaddscontoso.com`, displayName: `Reference ${i}`, givenName: 'Reference', sn: String(i), title: 'Reference', department: 'Bench', mail: `ref${i}@contoso.com` });
    }
  }));
  const ms = performance.now() - started;
  await Promise.all(clients.map((c) => c.unbind()));
  return ms;
}

async function drive(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dsemu-syncbench-'));
  const child = fork(SELF, ['serve', dataDir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // Interrupted (Ctrl-C, a timeout's SIGTERM): the estate is gigabytes at 100,000 users; remove it.
  const interrupted = (): void => {
    const removeAndExit = (): never => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(130);
    };
    if (child.exitCode !== null || child.signalCode !== null) removeAndExit();
    child.once('exit', removeAndExit);
    child.kill('SIGTERM');
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    console.log(`\nSync benchmark: ${USERS.toLocaleString('en')} generated users and ${(USERS / 10).toLocaleString('en')} groups on contoso.com`);
    const ready = await new Promise<Ready>((resolve, reject) => {
      child.once('message', (m) => resolve(m as Ready));
      child.once('exit', (code) => reject(new Error(`the estate process exited (${code})`)));
    });
    console.log(`  estate ready: ${ready.entries.toLocaleString('en')} entries imported in ${(ready.importMs / 1000).toFixed(1)} s`);

    const { SyncAgent } = await import('../../src/sync/agent.js');
    const { estateSyncConfig, syncStateDir } = await import('../../src/estateSync.js');
    const { createLogger } = await import('../../src/log.js');
    const agent = new SyncAgent(estateSyncConfig(dataDir, { ...ready.endpoints, options: { deletionThreshold: false } }), syncStateDir(dataDir), createLogger('silent'));
    try {
      // The objects' full sync, then the hash channel's first push, each timed with what it cost:
      // the CPU of the estate process (both DCs) and of this one (the agent, its threadpool
      // included). Whatever the overlap of stages, on this machine's cores no schedule runs a
      // part in less than its CPU over the cores: its floor.
      const cores = availableParallelism();
      const measured = async (options: Omit<CycleOptions, 'trigger'>) => {
        const [dcBefore, agentBefore] = [await estateCpu(child), process.cpuUsage()];
        const started = performance.now();
        const run = await agent.run({ trigger: 'bench', ...options });
        const ms = performance.now() - started;
        const [dc, agentCpu] = [cpuSeconds(await estateCpu(child), dcBefore), cpuSeconds(process.cpuUsage(), agentBefore)];
        return { run, ms, cpu: `CPU DCs ${dc.toFixed(1)} s, agent ${agentCpu.toFixed(1)} s; floor on ${cores} cores ${((dc + agentCpu) / cores).toFixed(1)} s` };
      };
      const full = await measured({ passwords: false });
      const { run } = full;
      const objects = run.export.adds;
      const objectsMs = full.ms;
      console.log(`  full sync: ${objects.toLocaleString('en')} objects in ${(objectsMs / 1000).toFixed(1)} s (import and sync ${((run.stageMs.import + run.stageMs.sync) / 1000).toFixed(1)} s, export ${(run.stageMs.export / 1000).toFixed(1)} s), status ${run.status}, ${run.errors.length} errors`);
      console.log(`    ${full.cpu}`);
      const hashes = await measured({ objects: false });
      const hashMs = hashes.run.stageMs.passwords;
      console.log(`  password hashes: ${hashes.run.passwords.synced.toLocaleString('en')} users in ${(hashMs / 1000).toFixed(1)} s, ${hashes.run.errors.length} errors`);
      console.log(`    ${hashes.cpu}`);

      const referenceCount = Math.min(objects, 20_000);
      const referenceMs = (await plainAdds(ready.endpoints.target.ldapUrl, ready.managedAdmin, referenceCount)) * (objects / referenceCount);
      console.log(`  reference: plain adds at ${Math.round(objects / (referenceMs / 1000)).toLocaleString('en')}/s, ${(referenceMs / 1000).toFixed(1)} s for as many objects`);

      const hashReferenceMs = referenceMs * (hashes.run.passwords.synced / Math.max(1, objects));
      agent.start();
      const latencies = await liveLatency(ready);
      const passwordLatencies = await passwordLatency(ready);
      const stats = (values: number[]) => {
        const sorted = [...values].sort((a, b) => a - b);
        return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
      };
      const change = stats(latencies);
      const password = stats(passwordLatencies);
      const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');
      const rows = [
        ['figure', 'dsemu', 'reference', 'ratio', 'target', 'verdict'],
        ['full sync (objects)', `${(objectsMs / 1000).toFixed(1)} s`, `${(referenceMs / 1000).toFixed(1)} s`, (referenceMs / objectsMs).toFixed(2), `< ${FULL_SYNC_TARGET_S} s`, verdict(objectsMs < FULL_SYNC_TARGET_S * 1000)],
        ['hash push', `${(hashMs / 1000).toFixed(1)} s`, `${(hashReferenceMs / 1000).toFixed(1)} s`, (hashReferenceMs / hashMs).toFixed(2), `< ${FULL_SYNC_TARGET_S} s`, verdict(hashMs < FULL_SYNC_TARGET_S * 1000)],
        ['live change p50', `${Math.round(change.p50)} ms`, '', '', '', ''],
        ['live change p99', `${Math.round(change.p99)} ms`, '', '', `< ${LATENCY_TARGET_MS} ms`, verdict(change.p99 < LATENCY_TARGET_MS)],
        ['password -> bind p50', `${Math.round(password.p50)} ms`, '', '', '', ''],
        ['password -> bind p99', `${Math.round(password.p99)} ms`, '', '', `< ${LATENCY_TARGET_MS} ms`, verdict(password.p99 < LATENCY_TARGET_MS)],
      ];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      console.log(`\n${rows.map((r) => `  ${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`).join('\n')}`);
      console.log(`  (${latencies.length} title changes and ${passwordLatencies.length} password changes at ${CHANGES_PER_SECOND}/s)`);
    } finally {
      await agent.stop();
    }
  } finally {
    child.send('stop');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Runs `step` BENCH_SYNC_CHANGES times at 50 a second. */
async function paced(step: (i: number) => Promise<void>): Promise<void> {
  const started = performance.now();
  for (let i = 0; i < CHANGES; i++) {
    const wait = started + (i * 1000) / CHANGES_PER_SECOND - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await step(i);
  }
}

/** Title changes at 50 a second on generated users; how long each takes to show on the managed DC. */
async function liveLatency(ready: Ready): Promise<number[]> {
  const onprem = new Client({ url: ready.endpoints.sources[0]!.ldapUrl });
  await onprem.bind(ready.admin.upn, ready.admin.password);
  const managed = new Client({ url: ready.endpoints.target.ldapUrl });
  await managed.bind(ready.managedAdmin.upn, ready.managedAdmin.password);
  const { searchEntries } = await onprem.search(BENCH_OU, { scope: 'one', filter: '(objectClass=user)', attributes: ['userPrincipalName'], sizeLimit: 1000 });
  const targets = searchEntries.map((e) => ({ dn: e.dn, upn: String(e.userPrincipalName) }));
  const pending = new Map<string, { upn: string; at: number }>();
  const latencies: number[] = [];
  let writing = true;
  const poller = (async () => {
    while (writing || pending.size > 0) {
      if (pending.size > 0) {
        // By UPN (indexed), so a poll reads a few entries, not the whole OU.
        const filter = `(|${[...pending].map(([title, c]) => `(&(userPrincipalName=${c.upn})(title=${title}))`).join('')})`;
        const found = await managed.search(`OU=AADDC Users,${MANAGED}`, { scope: 'one', filter, attributes: ['title'] });
        const now = performance.now();
        for (const e of found.searchEntries) {
          const title = String(e.title);
          const change = pending.get(title);
          if (change !== undefined) {
            latencies.push(now - change.at);
            pending.delete(title);
          }
        }
        for (const [title, change] of pending) if (now - change.at > 30_000) pending.delete(title);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  await paced(async (i) => {
    const title = `bench-${i}-${Date.now()}`;
    const target = targets[i % targets.length]!;
    await onprem.modify(target.dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: [title] }) }));
    pending.set(title, { upn: target.upn, at: performance.now() });
  });
  writing = false;
  await poller;
  await onprem.unbind();
  await managed.unbind();
  return latencies;
}

/** Password changes at 50 a second (over LDAPS, as AD requires); how long until each new password binds on the managed DC. */
async function passwordLatency(ready: Ready): Promise<number[]> {
  const { readFileSync } = await import('node:fs');
  const { encodeUnicodePwd } = await import('../../src/ad/crypto/unicodePwd.js');
  const onprem = new Client({ url: ready.onpremLdaps, tlsOptions: { ca: [readFileSync(ready.onpremCa)] } });
  await onprem.bind(ready.admin.upn, ready.admin.password);
  const { searchEntries } = await onprem.search(BENCH_OU, { scope: 'one', filter: '(objectClass=user)', attributes: ['userPrincipalName'], sizeLimit: 1000 });
  const users = searchEntries.map((e) => ({ dn: e.dn, upn: String(e.userPrincipalName) }));
  const probes = await Promise.all(Array.from({ length: 4 }, () => new Client({ url: ready.endpoints.target.ldapUrl })));
  const pending = new Map<string, { upn: string; at: number }>();
  const latencies: number[] = [];
  let writing = true;
  const poller = (async () => {
    while (writing || pending.size > 0) {
      const now = performance.now();
      const waiting = [...pending];
      // One bind at a time per connection.
      await Promise.all(probes.map(async (probe, k) => {
        for (let i = k; i < waiting.length; i += probes.length) {
          const [password, change] = waiting[i]!;
          try {
            await probe.bind(change.upn, password);
            latencies.push(performance.now() - change.at);
            pending.delete(password);
          } catch {
            if (now - change.at > 30_000) pending.delete(password);
          }
        }
      }));
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  await paced(async (i) => {
    // Distinct users, so no change overtakes another on the same account.
    const user = users[i % users.length]!;
    const password = `Bench!${i}-${Date.now() % 100000}xY`;
    await onprem.modify(user.dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [encodeUnicodePwd(password)] }) }));
    pending.set(password, { upn: user.upn, at: performance.now() });
  });
  writing = false;
  await poller;
  await onprem.unbind();
  await Promise.all(probes.map((p) => p.unbind().catch(() => undefined)));
  return latencies;
}

async function main(): Promise<void> {
  const [mode, dataDir] = process.argv.slice(2);
  if (mode === 'serve' && dataDir) return serve(dataDir);
  try {
    await drive();
  } catch (e) {
    console.error(`\nsync bench failed: ${(e as Error).stack ?? e}`);
  }
  process.exit(0);
}

void main();
