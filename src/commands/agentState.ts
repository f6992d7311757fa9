import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { syncStateDir, type EstateEndpoints } from '../estateSync.js';

// The sync agent's state in a data directory, as the operator's commands find it.

/** The agent's LMDB environment (connector spaces, metaverse, runs). */
export function agentStorePath(dataDir: string): string {
  return join(syncStateDir(dataDir), 'agent');
}

/** The endpoints the last emulator on this data dir wrote (it may have stopped since). */
export function savedEndpoints(dataDir: string): EstateEndpoints | undefined {
  const file = join(syncStateDir(dataDir), 'endpoints.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as EstateEndpoints) : undefined;
}
