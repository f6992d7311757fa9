// A child process for the durability test: opens a provisioned data directory and imports an
// LDIF file in one transaction, as `dsemu import` does. It prints 'importing' just before the
// transaction starts, so the parent knows when a SIGKILL lands inside it, and 'imported N' after.
//   node --import tsx test/support/importChild.ts DATA_DIR FILE.ldif
import { importLdif } from '../../src/ad/importLdif.js';
import { SYSTEM } from '../../src/ad/principal.js';
import { parseLdifFile } from '../../src/directory/ldif.js';
import { contoso } from '../../src/domains/onprem.js';
import { openDomain } from '../../src/domains/openDomain.js';
import { createLogger } from '../../src/log.js';

const [dataDir, file] = process.argv.slice(2);
if (!dataDir || !file) {
  console.error('usage: importChild.ts DATA_DIR FILE.ldif');
  process.exit(2);
}
const { dc } = openDomain({ dataDir, personality: contoso, adminPassword: 'Passw0rd!', log: createLogger('silent') });
const records = parseLdifFile(file);
process.stdout.write('importing\n');
const started = performance.now();
const summary = importLdif(dc, records, file, { principal: SYSTEM, secure: true });
process.stdout.write(`imported ${summary.added} in ${Math.round(performance.now() - started)} ms\n`);
await dc.close();
