import type { StoredEntry } from './entry.js';

/**
 * Decoded entries by GUID, holding the most recently used ones: two generations, the young one
 * taking every read and write, the old one dropped whole when the young one fills. Constant time
 * per call; a Map used as an LRU (delete, re-insert, evict the first key) is not: evicting walks
 * the holes its deletes leave, and a large search made that quadratic.
 */
export class EntryCache {
  private young = new Map<string, StoredEntry>();
  private old = new Map<string, StoredEntry>();

  constructor(private readonly generationSize: number) {}

  get(guid: string): StoredEntry | undefined {
    const young = this.young.get(guid);
    if (young) return young;
    const old = this.old.get(guid);
    if (old) this.set(guid, old);
    return old;
  }

  set(guid: string, entry: StoredEntry): void {
    if (this.young.size >= this.generationSize && !this.young.has(guid)) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(guid, entry);
  }

  delete(guid: string): void {
    this.young.delete(guid);
    this.old.delete(guid);
  }

  clear(): void {
    this.young = new Map();
    this.old = new Map();
  }

  *entries(): Iterable<[string, StoredEntry]> {
    yield* this.old;
    for (const [guid, entry] of this.young) if (!this.old.has(guid)) yield [guid, entry];
  }
}
