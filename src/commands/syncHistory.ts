import { existsSync } from 'node:fs';
import { agentStorePath } from './agentState.js';
import { EXIT, type Print } from './output.js';
import type { RunCounts } from '../sync/model.js';
import { AgentStore } from '../sync/state/agentStore.js';

// `dsemu sync history`: the Synchronization Service Manager's Operations tab.

const triple = (c: RunCounts): string => `${c.adds}/${c.updates}/${c.deletes}`;

/** The run history, newest first: one line per run, or the records as JSON. */
export async function syncHistoryCommand(options: { dataDir: string; limit: number; json?: boolean }, print: Print): Promise<number> {
  const path = agentStorePath(options.dataDir);
  if (!existsSync(path)) {
    print(options.json ? '[]\n' : `no sync runs yet in ${options.dataDir}\n`);
    return EXIT.ok;
  }
  const store = AgentStore.open(path);
  try {
    const runs = store.runs(options.limit);
    if (options.json) {
      print(`${JSON.stringify(runs, null, 2)}\n`);
      return EXIT.ok;
    }
    const header = ['RUN', 'STARTED', 'TRIGGER', 'PROFILE', 'STATUS', 'IMPORT A/U/D', 'SYNC A/U/D', 'EXPORT A/U/D', 'ERRORS', 'MS'];
    const rows = runs.map((r) => [String(r.run), r.started, r.trigger, r.profile, r.status, triple(r.import), triple(r.sync), triple(r.export), String(r.errors.length), String(r.ms)]);
    print(table([header, ...rows]));
    if (runs.length === 0) print(`no sync runs yet in ${options.dataDir}\n`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 || i >= 5 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}
