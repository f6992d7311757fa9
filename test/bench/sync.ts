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
//    on two machines), one cycle from an empty cookie; target under 60 s.
//  - live latency: the agent's live schedule (change notifications); BENCH_SYNC_CHANGES (default
//    500) on-prem title changes at 50 a second; each one's time from the modify's response to
//    the managed DC answering a search with the new value (polled every 10 ms); p50/p99, target
//    p99 under 1 s.

import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Attribute, Change, Client } from 'ldapts';
import type { EstateEndpoints } from '../../src/estateSync.js';

const SELF = fileURLToPath(import.meta.url);
const ONPREM = 'DC=contoso,DC=com';
const MANAGED = 'DC=aaddscontoso,DC=com';
const BENCH_OU = `OU=SyncBench,OU=Corp,${ONPREM}`;
const FULL_SYNC_TARGET_S = 60;
const LATENCY_TARGET_MS = 1000;

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
}

async function serve(dataDir: string): Promise<void> {
  const { startEmulator } = await import('../../src/emulator.js');
  const { importLdif } = await import('../../src/ad/importLdif.js');
  const { SYSTEM } = await import('../../src/ad/principal.js');
  const { parseLdif } = await import('../../src/directory/ldif.js');
  const { generateEstateLdif, seededNames } = await import('../../src/domains/seedgen.js');
  const emulator = await startEmulator({ dataDir, ldapPort: 0, ldapsPort: 0, logLevel: 'silent', sync: false });
  const started = performance.now();
  const ldif = generateEstateLdif({ users: USERS, baseDn: ONPREM, ou: BENCH_OU, upnSuffix: 'contoso.com', seed: 11, reserved: seededNames() });
  const summary = emulator.onpremDc.store.write(() => importLdif(emulator.onpremDc, parseLdif(ldif, 'bench'), 'bench', { principal: SYSTEM, secure: true }));
  const endpoint = (e: { dnsName: string; netbiosName: string; baseDn: string; ldapUrl: string }) => ({ dnsName: e.dnsName, netbiosName: e.netbiosName, baseDn: e.baseDn, ldapUrl: e.ldapUrl });
  const ready: Ready = {
    type: 'ready',
    endpoints: { sources: [endpoint(emulator.onprem)], target: endpoint(emulator.managed) },
    importMs: performance.now() - started,
    entries: summary.added,
    admin: emulator.onprem.admin,
    managedAdmin: { upn: emulator.managed.admin!.upn, password: emulator.managed.admin!.password },
  };
  process.send!(ready);
  process.on('message', (m: unknown) => {
    if (m === 'stop') void emulator.stop().finally(() => process.exit(0));
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
      const started = performance.now();
      const run = await agent.run({ trigger: 'bench' });
      const fullMs = performance.now() - started;
      const objects = run.export.adds;
      console.log(`  full sync: ${objects.toLocaleString('en')} objects in ${(fullMs / 1000).toFixed(1)} s (import ${(run.stageMs.import / 1000).toFixed(1)} s, sync ${(run.stageMs.sync / 1000).toFixed(1)} s, export ${(run.stageMs.export / 1000).toFixed(1)} s), status ${run.status}, ${run.errors.length} errors`);

      const referenceCount = Math.min(objects, 20_000);
      const referenceMs = (await plainAdds(ready.endpoints.target.ldapUrl, ready.managedAdmin, referenceCount)) * (objects / referenceCount);
      console.log(`  reference: plain adds at ${Math.round(objects / (referenceMs / 1000)).toLocaleString('en')}/s, ${(referenceMs / 1000).toFixed(1)} s for as many objects`);

      agent.start();
      const latencies = await liveLatency(ready);
      const sorted = [...latencies].sort((a, b) => a - b);
      const p50 = percentile(sorted, 0.5);
      const p99 = percentile(sorted, 0.99);
      const rows = [
        ['figure', 'dsemu', 'reference', 'ratio', 'target', 'verdict'],
        ['full sync', `${(fullMs / 1000).toFixed(1)} s`, `${(referenceMs / 1000).toFixed(1)} s`, (referenceMs / fullMs).toFixed(2), `< ${FULL_SYNC_TARGET_S} s`, fullMs < FULL_SYNC_TARGET_S * 1000 ? 'ok' : 'MISSED'],
        ['live change p50', `${Math.round(p50)} ms`, '', '', '', ''],
        ['live change p99', `${Math.round(p99)} ms`, '', '', `< ${LATENCY_TARGET_MS} ms`, p99 < LATENCY_TARGET_MS ? 'ok' : 'MISSED'],
      ];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      console.log(`\n${rows.map((r) => `  ${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`).join('\n')}`);
      console.log(`  (${latencies.length} changes at ${CHANGES_PER_SECOND}/s)`);
    } finally {
      await agent.stop();
    }
  } finally {
    child.send('stop');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Title changes at 50 a second on generated users; how long each takes to show on the managed DC. */
async function liveLatency(ready: Ready): Promise<number[]> {
  const onprem = new Client({ url: ready.endpoints.sources[0]!.ldapUrl });
  await onprem.bind(ready.admin.upn, ready.admin.password);
  const managed = new Client({ url: ready.endpoints.target.ldapUrl });
  await managed.bind(ready.managedAdmin.upn, ready.managedAdmin.password);
  const { searchEntries } = await onprem.search(BENCH_OU, { scope: 'one', filter: '(objectClass=user)', attributes: ['1.1'], sizeLimit: 1000 });
  const targets = searchEntries.map((e) => e.dn);
  const pending = new Map<string, number>();
  const latencies: number[] = [];
  let writing = true;
  const poller = (async () => {
    while (writing || pending.size > 0) {
      if (pending.size > 0) {
        const filter = `(|${[...pending.keys()].map((t) => `(title=${t})`).join('')})`;
        const found = await managed.search(`OU=AADDC Users,${MANAGED}`, { scope: 'one', filter, attributes: ['title'] });
        const now = performance.now();
        for (const e of found.searchEntries) {
          const title = String(e.title);
          const at = pending.get(title);
          if (at !== undefined) {
            latencies.push(now - at);
            pending.delete(title);
          }
        }
        for (const [title, at] of pending) if (now - at > 30_000) pending.delete(title);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const started = performance.now();
  for (let i = 0; i < CHANGES; i++) {
    const due = started + (i * 1000) / CHANGES_PER_SECOND;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const title = `bench-${i}-${Date.now()}`;
    await onprem.modify(targets[i % targets.length]!, new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: [title] }) }));
    pending.set(title, performance.now());
  }
  writing = false;
  await poller;
  await onprem.unbind();
  await managed.unbind();
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
