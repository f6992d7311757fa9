// Commit latency after a bulk load, measured: the live p99 of issue 5 at 100,000 users.
//
//   npx tsx test/bench/commitLatency.ts [users=100000] [chunk=0]
//
// Imports generated users into a fresh contoso DC (chunk 0: one transaction; else `chunk`
// entries a transaction), then times 100 one-attribute modifies, each its own transaction.
// Found 2026-11-22 on this 2-core machine, 100,000 users: one transaction, p50 0.64 ms; chunks of
// 5,000, p50 286 ms (pageSize 16384: 25 ms; 8192: 103 ms). The many mid-size transactions leave
// LMDB a free-page list of about 200 overflow pages, which every later commit loads and saves.
// Fixed by loading and keeping less of it (FREE_SPACE in src/directory/lmdbEnvironment.ts):
// chunks of 5,000 then give p50 0.45 ms, p99 21 ms; after a rewrite, p50 0.83 ms.
// Not a test and not in `npm run bench` (it takes minutes): a reproduction to measure a fix by.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importLdif } from '../../src/ad/importLdif.js';
import { SYSTEM } from '../../src/ad/principal.js';
import { parseLdif } from '../../src/directory/ldif.js';
import { contoso } from '../../src/domains/onprem.js';
import { openDomain } from '../../src/domains/openDomain.js';
import { generateEstateLdif } from '../../src/domains/seedgen.js';
import { createLogger } from '../../src/log.js';

const USERS = Number(process.argv[2] ?? 100000);
const CHUNK = Number(process.argv[3] ?? 0);
const dataDir = mkdtempSync(join(tmpdir(), 'dsemu-commit-'));
const { dc } = openDomain({ dataDir, personality: contoso, adminPassword: 'Passw0rd!', log: createLogger('silent') });
const OU = 'OU=Probe,DC=contoso,DC=com';
const records = parseLdif(generateEstateLdif({ users: USERS, baseDn: 'DC=contoso,DC=com', ou: OU, upnSuffix: 'contoso.com', seed: 3 }), 'probe');
let t = performance.now();
if (CHUNK > 0) for (let i = 0; i < records.length; i += CHUNK) dc.store.write(() => importLdif(dc, records.slice(i, i + CHUNK), 'probe', { principal: SYSTEM, secure: true }));
else dc.store.write(() => importLdif(dc, records, 'probe', { principal: SYSTEM, secure: true }));
console.log('import', ((performance.now() - t) / 1000).toFixed(1), 's', CHUNK ? `in chunks of ${CHUNK}` : 'in one transaction');
const users = [...dc.store.children(dc.store.byDn(OU)!.guid)].slice(0, 2000).map((g) => dc.store.byGuid(g)!).filter((e) => e.attrs.objectClass!.some((c) => String(c) === 'user'));
const probe = (label: string) => {
  const times: number[] = [];
  for (let i = 0; i < 100; i++) {
    const s = performance.now();
    dc.modify(users[i]!.dn, [{ operation: 'replace', type: 'title', values: [`probe ${label} ${i}`] }], { principal: SYSTEM, secure: true });
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  console.log(`${label}: one-attribute modify p50 ${times[50]!.toFixed(2)} ms, p99 ${times[99]!.toFixed(2)} ms`);
};
probe('after import');
t = performance.now();
dc.store.write(() => { for (const u of users) dc.modify(u.dn, [{ operation: 'replace', type: 'description', values: ['bulk rewrite'] }], { principal: SYSTEM, secure: true }); });
console.log('rewrite of', users.length, 'in one txn', (performance.now() - t).toFixed(0), 'ms');
probe('after rewrite');
await dc.close();
rmSync(dataDir, { recursive: true, force: true });
