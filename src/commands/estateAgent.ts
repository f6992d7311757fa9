import { estateSyncConfig, runningEndpoints, syncStateDir } from '../estateSync.js';
import { createLogger, type LogLevel } from '../log.js';
import { SyncAgent } from '../sync/agent.js';
import { savedEndpoints } from './agentState.js';

/**
 * Runs `fn` with a sync agent for the data dir: over LDAP to the DCs of the emulator running on
 * it (the cycle lock keeps the two agents' cycles apart), or, when none runs, with the estate
 * started from the data dir for the command's length (ephemeral ports, the agent as it was last
 * configured, no schedule, no bootstrap administrator, no LDAPS).
 */
export async function withEstateAgent<T>(dataDir: string, logLevel: LogLevel, fn: (agent: SyncAgent) => Promise<T>): Promise<T> {
  const endpoints = runningEndpoints(dataDir);
  if (endpoints) {
    const agent = new SyncAgent(estateSyncConfig(dataDir, endpoints), syncStateDir(dataDir), createLogger(logLevel).child({ component: 'sync' }));
    try {
      return await fn(agent);
    } finally {
      await agent.stop();
    }
  }
  const { startEmulator } = await import('../emulator.js');
  const saved = savedEndpoints(dataDir);
  const primary = saved?.sources[0]?.dnsName;
  const emulator = await startEmulator({
    dataDir,
    ldapPort: 0,
    ldapsPort: 0,
    logLevel,
    forests: saved?.sources.map((s) => s.dnsName).filter((name) => name !== primary),
    managedDomain: { bootstrapAdministrator: false, secureLdap: false },
    sync: { ...saved?.options, schedule: false },
  });
  try {
    return await fn(emulator.sync!);
  } finally {
    await emulator.stop();
  }
}
