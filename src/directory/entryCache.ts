import type { StoredEntry } from './entry.js';

/**
 * Decoded entries (or what is kept of them) by GUID, holding the most recently used ones: two generations, the young one
 * taking every read and write, the old one dropped whole when the young one fills. Constant time
 * per call; a Map used as an LRU (delete, re-insert, evict the first key) is not: evicting walks
 * the holes its deletes leave, and a large search made that quadratic.
 */
export class EntryCache<T = StoredEntry> {
  private young = new Map<string, T>();
  private old = new Map<string, T>();

  constructor(private readonly generationSize: number) {}

  get(guid: string): T | undefined {
    const young = this.young.get(guid);
    if (young) return young;
    const old = this.old.get(guid);
    if (old) this.set(guid, old);
    return old;
  }

  set(guid: string, entry: T): void {
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

  *entries(): Iterable<[string, T]> {
    yield* this.old;
    for (const [guid, entry] of this.young) if (!this.old.has(guid)) yield [guid, entry];
  }
}
