// A child process for the sync durability test: opens the estate of a data directory on free
// ports and runs one sync cycle, as a restarted `npm start` would. It prints 'syncing' when the
// cycle starts, so that the parent knows a SIGKILL lands inside it, and 'synced <status>' after.
//   node --import tsx test/support/syncChild.ts DATA_DIR
import { startEmulator } from '../../src/emulator.js';

const [dataDir] = process.argv.slice(2);
if (!dataDir) {
  console.error('usage: syncChild.ts DATA_DIR');
  process.exit(2);
}
const emulator = await startEmulator({ dataDir, ldapPort: 0, ldapsPort: 0, logLevel: 'silent', sync: { schedule: false } });
process.stdout.write('syncing\n');
const run = await emulator.syncNow();
process.stdout.write(`synced ${run.status} ${JSON.stringify(run.errors.slice(0, 3))}\n`);
await emulator.stop();
