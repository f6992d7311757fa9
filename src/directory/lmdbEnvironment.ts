import { mkdirSync } from 'node:fs';
import { open, type RootDatabase } from 'lmdb';

/**
 * Plain msgpack maps, not msgpackr records: without shared structures every record carries its
 * own definition, and entries' attribute sets vary, so each read compiled a new decoder (half the
 * cost of a put or a get). Records written before still decode: they describe themselves.
 * (Spread in: lmdb's option types do not list msgpackr's.)
 */
const PLAIN_MSGPACK = { useRecords: false } as const;
/**
 * How much of LMDB's free-page list a write transaction loads, and keeps in memory after it, in
 * page numbers (lmdb-js's mdb.c: mdb_env_set_freespace_options; defaults 50,000 and 75,000).
 * Every commit saves the list it holds back into the free DB, so after bulk rewrites (an import in
 * chunks, a full sync, a hash push) a list of that size made each one-attribute modify at 100,000
 * users take 200 to 300 ms; with these, under 1 ms (test/bench/commitLatency.ts).
 */
const FREE_SPACE = { maxFreeSpaceToLoad: 1000, maxFreeSpaceToRetain: 2000 } as const;
/** How long a commit may sit in the OS page cache before it is flushed to disk... */
const FLUSH_DELAY_MS = 1000;
/**
 * ... unless the last flush took long: the next one waits 9 times as long as it took (at most
 * MAX_FLUSH_DELAY_MS), so flushing stays under a tenth of the time. Each flush writes back every
 * page dirtied since the one before; during a bulk write (a full sync, an import) one a second
 * wrote the same hot B-tree pages back again and again, and a page written back must fault to be
 * written again: LMDB puts took half as long again.
 */
const FLUSH_SPACING = 9;
const MAX_FLUSH_DELAY_MS = 30_000;

export interface LmdbEnvironmentOptions {
  path: string;
  maxDbs: number;
}

/**
 * An LMDB environment as our stores (the DCs' and the agent's) keep one. No fsync per commit (it
 * cost more than the rest of an add): a committed transaction is in the OS page cache, so it
 * survives the process being killed, and LMDB keeps every transaction all-or-nothing. What an OS
 * crash or power loss finds unflushed may be lost (or, LMDB warns, damaged): a flush off the
 * event loop's thread, about a second after a commit (a few seconds during bulk writes), bounds that.
 * A write map saves the per-page pwrite of every commit (without one a DC add took 1.6 times as long,
 * the agent's import a twentieth longer); with it the file is as large as the map, so the map
 * starts small and lmdb-js doubles it as the data grows. LMDB has no child transactions in a write
 * map: a transaction begun inside another joins it.
 */
export class LmdbEnvironment {
  readonly root: RootDatabase;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly flushes = new Set<Promise<void>>();
  /** commits since the last scheduled flush started */
  private dirty = false;
  private lastFlushMs = 0;
  private closed = false;

  constructor(options: LmdbEnvironmentOptions) {
    mkdirSync(options.path, { recursive: true });
    this.root = open({ ...options, useWritemap: true, noSync: true, ...FREE_SPACE, ...PLAIN_MSGPACK });
  }

  /** Runs `fn` in one write transaction, and schedules the flush of what it committed. */
  transaction<T>(fn: () => T): T {
    const result = this.root.transactionSync(fn);
    this.dirty = true;
    this.scheduleFlush();
    return result;
  }

  /** Flushes committed transactions to disk, off the event loop's thread. */
  flush(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      (this.root as unknown as { sync(callback: (error?: Error) => void): void }).sync((error) => (error ? reject(error) : resolve()));
    });
    this.flushes.add(done);
    const forget = (): void => void this.flushes.delete(done);
    done.then(forget, forget);
    return done;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    await Promise.allSettled([...this.flushes, this.flush()]);
    await this.root.close();
  }

  private scheduleFlush(): void {
    // one flush at a time: what commits meanwhile waits for the next
    if (this.flushTimer || this.flushes.size > 0 || !this.dirty || this.closed) return;
    const delay = Math.min(MAX_FLUSH_DELAY_MS, Math.max(FLUSH_DELAY_MS, FLUSH_SPACING * this.lastFlushMs));
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.dirty = false;
      const started = performance.now();
      this.flush()
        .catch(() => undefined)
        .finally(() => {
          this.lastFlushMs = performance.now() - started;
          // what was committed while it ran
          this.scheduleFlush();
        });
    }, delay);
    this.flushTimer.unref();
  }
}
