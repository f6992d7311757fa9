import { mkdirSync } from 'node:fs';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { StoredEntry } from './entry.js';
import { normalizeDn } from './dn.js';
import type { AttributeType, AttributeValue, Schema } from './schema.js';
import { indexKey } from './indexKey.js';

const LAST = '\uffff';
/** Decoded entries kept in memory, filled as they are read (nothing is loaded at start). */
const ENTRY_CACHE_SIZE = 20_000;

/**
 * The LMDB store of one naming context tree: entries by GUID, plus the DN, parent and
 * attribute indexes that make the hot reads single range reads. Every write goes through
 * `write()`, one LMDB transaction; nothing is loaded into memory at start.
 */
export class DirectoryStore {
  private readonly root: RootDatabase;
  private readonly entries: Database<StoredEntry, string>;
  private readonly dns: Database<string, string>;
  private readonly childIndex: Database<string, [string, string]>;
  private readonly attributeIndex: Database<string, [string, string, string]>;
  private readonly meta: Database<unknown, string>;
  private readonly secretValues: Database<Buffer, string>;
  private readonly indexed = new Map<string, AttributeType>();
  private inWrite = false;
  /** decoded entries, most recently used last; never holds a write that has not committed */
  private readonly cache = new Map<string, StoredEntry>();
  /** GUIDs written by the transaction in progress: not cached until it commits */
  private readonly touched = new Set<string>();
  private cachedAtUsn = -1;

  private constructor(readonly path: string, readonly schema: Schema) {
    mkdirSync(path, { recursive: true });
    this.root = open({ path, maxDbs: 16, mapSize: 8 * 1024 ** 3 });
    // Not lmdb-js's object cache: it keeps a put even when the transaction aborts (see `cache`).
    this.entries = this.root.openDB<StoredEntry, string>({ name: 'entries' });
    this.dns = this.root.openDB<string, string>({ name: 'dn' });
    this.childIndex = this.root.openDB<string, [string, string]>({ name: 'children' });
    this.attributeIndex = this.root.openDB<string, [string, string, string]>({ name: 'index' });
    this.meta = this.root.openDB<unknown, string>({ name: 'meta' });
    this.secretValues = this.root.openDB<Buffer, string>({ name: 'secrets', encoding: 'binary' });
    for (const attr of schema.attributes()) {
      if (attr.constructed || attr.secret || attr.name === 'objectGUID') continue;
      const forwardLink = attr.linkId !== undefined && attr.linkId % 2 === 0;
      if (attr.indexed || forwardLink) this.indexed.set(attr.name, attr);
    }
  }

  static open(path: string, schema: Schema): DirectoryStore {
    return new DirectoryStore(path, schema);
  }

  async close(): Promise<void> {
    await this.root.close();
  }

  /** Runs `fn` in one write transaction: all of it commits, or (when it throws) none of it. */
  write<T>(fn: () => T): T {
    if (this.inWrite) return fn();
    this.inWrite = true;
    try {
      return this.root.transactionSync(fn);
    } finally {
      this.inWrite = false;
      for (const guid of this.touched) this.cache.delete(guid);
      this.touched.clear();
      this.cachedAtUsn = this.highestUsn();
    }
  }

  get writing(): boolean {
    return this.inWrite;
  }

  isIndexed(attributeName: string): boolean {
    return this.indexed.has(attributeName);
  }

  byGuid(guid: string): StoredEntry | undefined {
    this.revalidate();
    const cached = this.cache.get(guid);
    if (cached) {
      this.cache.delete(guid);
      this.cache.set(guid, cached);
      return cached;
    }
    const entry = this.entries.get(guid);
    if (entry && !this.touched.has(guid)) {
      if (this.cache.size >= ENTRY_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(guid, entry);
    }
    return entry;
  }

  guidOfDn(dn: string): string | undefined {
    return this.dns.get(normalizeDn(dn));
  }

  byDn(dn: string): StoredEntry | undefined {
    const guid = this.guidOfDn(dn);
    return guid === undefined ? undefined : this.byGuid(guid);
  }

  *children(parentGuid: string): Iterable<string> {
    for (const key of this.childIndex.getKeys({ start: [parentGuid, ''], end: [parentGuid, LAST] })) yield key[1];
  }

  hasChildren(parentGuid: string): boolean {
    for (const _ of this.childIndex.getKeys({ start: [parentGuid, ''], end: [parentGuid, LAST], limit: 1 })) return true;
    return false;
  }

  /** GUIDs of entries holding `value` in the indexed attribute (exact equality key). */
  *lookup(attributeName: string, value: AttributeValue): Iterable<string> {
    const attr = this.indexed.get(attributeName);
    if (!attr) throw new Error(`${attributeName} is not indexed`);
    const key = indexKey(attr, value);
    for (const k of this.attributeIndex.getKeys({ start: [attr.name, key, ''], end: [attr.name, key, LAST] })) yield k[2];
  }

  /** GUIDs of entries whose index key for the attribute lies in [from, to) (to: exclusive; undefined = to the end). */
  *lookupRange(attributeName: string, from?: string, to?: string): Iterable<string> {
    const attr = this.indexed.get(attributeName);
    if (!attr) throw new Error(`${attributeName} is not indexed`);
    const end = to === undefined ? [attr.name, LAST] : [attr.name, to];
    for (const k of this.attributeIndex.getKeys({ start: [attr.name, from ?? ''], end })) yield k[2];
  }

  /** How many index keys a lookup would read, counted up to `cap`: the planner's estimate. */
  countRange(attributeName: string, from: string, to: string, cap: number): number {
    const attr = this.indexed.get(attributeName);
    if (!attr) return Number.POSITIVE_INFINITY;
    let n = 0;
    for (const _ of this.attributeIndex.getKeys({ start: [attr.name, from], end: [attr.name, to], limit: cap })) n++;
    return n;
  }

  keyOf(attributeName: string, value: AttributeValue): string | undefined {
    const attr = this.indexed.get(attributeName);
    return attr ? indexKey(attr, value) : undefined;
  }

  /** Every entry, in GUID order: the full scan a filter no index serves falls back to. */
  *all(): Iterable<StoredEntry> {
    for (const { value } of this.entries.getRange({})) yield value;
  }

  count(): number {
    return this.entries.getCount();
  }

  /** Stores `next`, replacing `previous` (same GUID) and keeping every index in step. */
  put(next: StoredEntry, previous?: StoredEntry): void {
    this.assertWriting();
    const nextKey = normalizeDn(next.dn);
    if (previous) {
      const previousKey = normalizeDn(previous.dn);
      if (previousKey !== nextKey) this.dns.remove(previousKey);
      if (previous.parent !== next.parent) this.childIndex.remove([previous.parent, previous.guid]);
    }
    this.dns.put(nextKey, next.guid);
    if (!previous || previous.parent !== next.parent) this.childIndex.put([next.parent, next.guid], '');
    this.reindex(next.guid, previous?.attrs ?? {}, next.attrs);
    this.entries.put(next.guid, next);
    this.forget(next.guid);
  }

  remove(entry: StoredEntry): void {
    this.assertWriting();
    this.dns.remove(normalizeDn(entry.dn));
    this.childIndex.remove([entry.parent, entry.guid]);
    this.reindex(entry.guid, entry.attrs, {});
    this.entries.remove(entry.guid);
    this.secretValues.remove(entry.guid);
    this.forget(entry.guid);
  }

  /**
   * Another process (dsemu import) may write the same environment: every write takes a USN,
   * so a USN this process did not see means the cache may be stale.
   */
  private revalidate(): void {
    if (this.inWrite) return;
    const usn = this.highestUsn();
    if (usn !== this.cachedAtUsn) {
      this.cache.clear();
      this.cachedAtUsn = usn;
    }
  }

  private forget(guid: string): void {
    this.cache.delete(guid);
    this.touched.add(guid);
  }

  secret(guid: string): Buffer | undefined {
    return this.secretValues.get(guid);
  }

  putSecret(guid: string, sealed: Buffer | undefined): void {
    this.assertWriting();
    if (sealed) this.secretValues.put(guid, sealed);
    else this.secretValues.remove(guid);
  }

  getMeta<T>(key: string): T | undefined {
    return this.meta.get(key) as T | undefined;
  }

  putMeta(key: string, value: unknown): void {
    this.assertWriting();
    this.meta.put(key, value);
  }

  /** The highest USN committed so far (rootDSE highestCommittedUSN). */
  highestUsn(): number {
    return (this.meta.get('highestCommittedUSN') as number | undefined) ?? 0;
  }

  /** Allocates the next USN inside the current write. */
  nextUsn(): number {
    this.assertWriting();
    const usn = this.highestUsn() + 1;
    this.meta.put('highestCommittedUSN', usn);
    return usn;
  }

  private reindex(guid: string, before: Readonly<Record<string, readonly AttributeValue[]>>, after: Readonly<Record<string, readonly AttributeValue[]>>): void {
    for (const [name, attr] of this.indexed) {
      const old = before[name];
      const now = after[name];
      if (old === now) continue;
      const oldKeys = new Set((old ?? []).map((v) => indexKey(attr, v)));
      const newKeys = new Set((now ?? []).map((v) => indexKey(attr, v)));
      for (const key of oldKeys) if (!newKeys.has(key)) this.attributeIndex.remove([name, key, guid]);
      for (const key of newKeys) if (!oldKeys.has(key)) this.attributeIndex.put([name, key, guid], '');
    }
  }

  private assertWriting(): void {
    if (!this.inWrite) throw new Error('directory writes must run inside DirectoryStore.write()');
  }
}
