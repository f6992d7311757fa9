import type { AgentStore } from '../state/agentStore.js';

const FLUSH_EVERY = 200;

/** Records of writes the DC took, committed to the agent's store a few hundred at a time. */
export class Committer {
  private pending: (() => void)[] = [];

  constructor(private readonly store: AgentStore) {}

  add(record: () => void): void {
    this.pending.push(record);
    if (this.pending.length >= FLUSH_EVERY) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const records = this.pending;
    this.pending = [];
    this.store.write(() => {
      for (const record of records) record();
    });
  }
}

/** Runs `task` over `items`, at most `concurrency` at a time. */
export async function inParallel<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
