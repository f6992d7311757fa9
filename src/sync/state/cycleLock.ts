import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

const POLL_MS = 25;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One sync cycle at a time across processes (the running emulator and `dsemu sync`): a lock
 * file holding the owner's pid; a lock whose owner died (kill -9) is taken over.
 */
export async function withCycleLock<T>(file: string, fn: () => Promise<T>, timeoutMs = 10 * 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = NaN;
      try {
        owner = Number(readFileSync(file, 'utf8'));
      } catch {
        continue;
      }
      // An empty file is a lock being written: wait for it like any other.
      if (Number.isFinite(owner) && owner !== 0 && owner !== process.pid && !alive(owner)) {
        rmSync(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`another sync cycle (pid ${owner}) holds ${file}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}
