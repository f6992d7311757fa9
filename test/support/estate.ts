import { Client, type Entry } from 'ldapts';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator.js';

/** An ldapts client bound to the on-prem DC as Administrator. */
export async function onpremAdmin(emulator: RunningEmulator): Promise<Client> {
  const client = new Client({ url: emulator.onprem.ldapUrl });
  await client.bind(emulator.onprem.admin.upn, emulator.onprem.admin.password);
  return client;
}

/** An ldapts client bound to the managed domain as the bootstrap AAD DC Administrators member. */
export async function managedReader(emulator: RunningEmulator): Promise<Client> {
  const client = new Client({ url: emulator.managed.ldapUrl });
  await client.bind(emulator.managed.admin!.upn, emulator.managed.admin!.password);
  return client;
}

/** Every entry under a base, paged. */
export async function searchAll(client: Client, base: string, filter: string, attributes: string[], explicitBufferAttributes: string[] = []): Promise<Entry[]> {
  const { searchEntries } = await client.search(base, { scope: 'sub', filter, attributes, explicitBufferAttributes, paged: { pageSize: 500 } });
  return searchEntries;
}

/** Polls `probe` until it returns true; resolves with the milliseconds it took, or rejects after `timeoutMs`. */
export async function pollUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await probe()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`not visible after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** An estate after its first sync cycle, with clients bound on both sides; `close()` stops it all. */
export async function syncedEstate(options: EmulatorOptions): Promise<{ emulator: RunningEmulator; onprem: Client; managed: Client; close(): Promise<void> }> {
  const emulator = await startEmulator({ ldapPort: 0, ldapsPort: 0, logLevel: 'silent', ...options });
  // With the schedule on, the first cycle runs at start; this waits for it too.
  const run = await emulator.syncNow();
  if (run.status !== 'success') throw new Error(`the first sync cycle ended ${run.status}`);
  const onprem = await onpremAdmin(emulator);
  const managed = await managedReader(emulator);
  return {
    emulator,
    onprem,
    managed,
    async close() {
      await onprem.unbind();
      await managed.unbind();
      await emulator.stop();
    },
  };
}
