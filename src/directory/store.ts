import type { Database, RootDatabase } from 'lmdb';
import { LmdbEnvironment } from './lmdbEnvironment.js';
import { entryName, type EntryName, type StoredEntry } from './entry.js';
import { EntryCache } from './entryCache.js';
import { normalizeDn } from './dn.js';
import type { AttributeType, AttributeValue, Schema } from './schema.js';
import { indexKey } from './indexKey.js';
import { ReplicationMetadata, type AttributeMetadata, type LinkValueMetadata } from './replicationMetadata.js';

const LAST = '\uffff';

const HIGHEST_USN = 'highestCommittedUSN';

/** Decoded entries kept in memory (up to two generations of this many), filled as they are read. */
const ENTRY_CACHE_GENERATION = 16_000;
/** ... and their names (a few hundred bytes each): what a group's members or a DirSync link render from. */
const NAME_CACHE_GENERATION = 65_536;

/**
 * The LMDB store of one naming context tree: entries by GUID, plus the DN, parent and
 * attribute indexes that make the hot reads single range reads. Every write goes through
 * `write()`, one LMDB transaction; nothing is loaded into memory at start.
 */
export class DirectoryStore {
  private readonly environment: LmdbEnvironment;
  private readonly root: RootDatabase;
  private readonly entries: Database<StoredEntry, string>;
  private readonly dns: Database<string, string>;
  private readonly childIndex: Database<string, [string, string]>;
  private readonly attributeIndex: Database<string, [string, string, string]>;
  private readonly meta: Database<unknown, string>;
  private readonly secretValues: Database<Buffer, string>;
  private readonly metadata: ReplicationMetadata;
  private readonly commitListeners = new Set<(guids: readonly string[]) => void>();
  /** objects whose secret changed in the transaction in progress */
  private readonly secretTouched = new Set<string>();
  private readonly indexed = new Map<string, AttributeType>();
  private inWrite = false;
  /** decoded entries, the recently used ones; never holds a write that has not committed */
  private readonly cache = new EntryCache(ENTRY_CACHE_GENERATION);
  /** names of committed entries, kept longer than `cache` keeps whole ones */
  private readonly names = new EntryCache<EntryName>(NAME_CACHE_GENERATION);
  /** GUIDs written by the transaction in progress: not cached until it commits */
  private readonly touched = new Set<string>();
  /** entries the transaction in progress wrote and then read back (an import reads a manager
   *  it added many times): kept apart from `cache`, moved into it when the transaction commits */
  private readonly pending = new EntryCache(ENTRY_CACHE_GENERATION);
  private cachedAtUsn = -1;
  /** highestCommittedUSN as the write in progress sees it (it holds the write lock: nobody else moves it) */
  private usnInWrite: number | undefined;
  private validated = false;

  private constructor(readonly path: string, readonly schema: Schema) {
    this.environment = new LmdbEnvironment({ path, maxDbs: 16 });
    this.root = this.environment.root;
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
    this.metadata = new ReplicationMetadata(this.root, (name) => {
      const linkId = this.indexed.get(name)?.linkId;
      return linkId !== undefined && linkId % 2 === 0;
    });
  }

  static open(path: string, schema: Schema): DirectoryStore {
    return new DirectoryStore(path, schema);
  }

  close(): Promise<void> {
    return this.environment.close();
  }

  /** Runs `fn` in one write transaction: all of it commits, or (when it throws) none of it. */
  write<T>(fn: () => T): T {
    if (this.inWrite) return fn();
    this.inWrite = true;
    let ok = false;
    let committed: string[] = [];
    let committedUsn: number | undefined;
    try {
      const result = this.environment.transaction(fn);
      ok = true;
      committed = [...this.touched];
      committedUsn = this.usnInWrite;
      return result;
    } finally {
      this.inWrite = false;
      this.usnInWrite = undefined;
      for (const guid of this.touched) {
        this.cache.delete(guid);
        this.names.delete(guid);
      }
      if (ok) for (const [guid, entry] of this.pending.entries()) this.cache.set(guid, entry);
      this.pending.clear();
      this.touched.clear();
      this.secretTouched.clear();
      this.cachedAtUsn = committedUsn ?? this.highestUsn();
      if (committed.length > 0) for (const listener of this.commitListeners) listener(committed);
    }
  }

  /** Calls `listener` with the GUIDs a transaction changed, right after it commits. */
  onCommit(listener: (guids: readonly string[]) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  get writing(): boolean {
    return this.inWrite;
  }

  isIndexed(attributeName: string): boolean {
    return this.indexed.has(attributeName);
  }

  byGuid(guid: string): StoredEntry | undefined {
    this.revalidate();
    const written = this.touched.has(guid);
    const cache = written ? this.pending : this.cache;
    const cached = cache.get(guid);
    if (cached) return cached;
    const entry = this.entries.get(guid);
    if (entry) {
      cache.set(guid, entry);
      if (!written) this.names.set(guid, entryName(entry));
    }
    return entry;
  }

  /** An object's DN, placement and naming attributes: from memory when its whole entry is no longer there. */
  nameOf(guid: string): EntryName | undefined {
    this.revalidate();
    if (!this.touched.has(guid)) {
      const known = this.names.get(guid);
      if (known) return known;
    }
    return this.byGuid(guid);
  }

  guidOfDn(dn: string): string | undefined {
    return this.guidOfDnKey(normalizeDn(dn));
  }

  /** The GUID at a DN already normalized (normalizeDn). */
  guidOfDnKey(key: string): string | undefined {
    return this.dns.get(key);
  }

  byDn(dn: string): StoredEntry | undefined {
    const guid = this.guidOfDn(dn);
    return guid === undefined ? undefined : this.byGuid(guid);
  }

  *children(parentGuid: string): Iterable<string> {
    for (const key of this.childIndex.getKeys({ start: [parentGuid, ''], end: [parentGuid, LAST] })) yield key[1];
  }

  /** How many children an entry has, counted up to `cap`. */
  countChildren(parentGuid: string, cap: number): number {
    let n = 0;
    for (const _ of this.childIndex.getKeys({ start: [parentGuid, ''], end: [parentGuid, LAST], limit: cap })) n++;
    return n;
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
    const previousKey = previous && (previous.dn === next.dn ? nextKey : normalizeDn(previous.dn));
    if (previousKey !== nextKey) {
      if (previousKey !== undefined) this.dns.remove(previousKey);
      this.dns.put(nextKey, next.guid);
    }
    if (previous?.parent !== next.parent) {
      if (previous) this.childIndex.remove([previous.parent, previous.guid]);
      this.childIndex.put([next.parent, next.guid], '');
    }
    const before = previous?.attrs ?? {};
    const names = new Set([...Object.keys(before), ...Object.keys(next.attrs)]);
    this.reindex(next.guid, names, before, next.attrs);
    this.metadata.record(next.guid, {
      usn: this.highestUsn(),
      names,
      before,
      after: next.attrs,
      moved: previous === undefined ? 'created' : previous.parent !== next.parent,
      secret: this.secretTouched.delete(next.guid),
    });
    this.entries.put(next.guid, next);
    this.forget(next.guid);
  }

  /** The USN at which each attribute of an object last changed ('@secret' for its credentials, '@parent' for its placement). */
  attributeUsns(entry: StoredEntry): AttributeMetadata {
    return this.metadata.attributeUsns(entry);
  }

  /** Every value a forward link ever had on an object, with the USN of its last add or removal. */
  linkValueHistory(guid: string, attributeName: string): Iterable<{ target: string } & LinkValueMetadata> {
    return this.metadata.linkValueHistory(guid, attributeName);
  }

  remove(entry: StoredEntry): void {
    this.assertWriting();
    this.dns.remove(normalizeDn(entry.dn));
    this.childIndex.remove([entry.parent, entry.guid]);
    this.reindex(entry.guid, Object.keys(entry.attrs), entry.attrs, {});
    this.entries.remove(entry.guid);
    this.secretValues.remove(entry.guid);
    this.metadata.remove(entry.guid);
    this.forget(entry.guid);
  }

  /**
   * Another process (dsemu import) may write the same environment: every write takes a USN,
   * so a USN this process did not see means the cache may be stale.
   */
  private revalidate(): void {
    if (this.inWrite || this.validated) return;
    // Once per synchronous stretch of work: another process's commit lands between event-loop turns.
    this.validated = true;
    queueMicrotask(() => (this.validated = false));
    const usn = this.highestUsn();
    if (usn !== this.cachedAtUsn) {
      this.cache.clear();
      this.names.clear();
      this.cachedAtUsn = usn;
    }
  }

  private forget(guid: string): void {
    this.cache.delete(guid);
    this.names.delete(guid);
    this.pending.delete(guid);
    this.touched.add(guid);
  }

  secret(guid: string): Buffer | undefined {
    return this.secretValues.get(guid);
  }

  putSecret(guid: string, sealed: Buffer | undefined): void {
    this.assertWriting();
    this.secretTouched.add(guid);
    if (sealed) this.secretValues.put(guid, sealed);
    else this.secretValues.remove(guid);
  }

  getMeta<T>(key: string): T | undefined {
    return this.meta.get(key) as T | undefined;
  }

  putMeta(key: string, value: unknown): void {
    this.assertWriting();
    this.meta.put(key, value);
    if (key === HIGHEST_USN) this.usnInWrite = undefined;
  }

  /** The highest USN committed so far (rootDSE highestCommittedUSN). */
  highestUsn(): number {
    if (this.usnInWrite !== undefined) return this.usnInWrite;
    const usn = (this.meta.get(HIGHEST_USN) as number | undefined) ?? 0;
    if (this.inWrite) this.usnInWrite = usn;
    return usn;
  }

  /** Allocates the next USN inside the current write. */
  nextUsn(): number {
    this.assertWriting();
    const usn = this.highestUsn() + 1;
    this.meta.put(HIGHEST_USN, usn);
    this.usnInWrite = usn;
    return usn;
  }

  private reindex(guid: string, names: Iterable<string>, before: Readonly<Record<string, readonly AttributeValue[]>>, after: Readonly<Record<string, readonly AttributeValue[]>>): void {
    // an entry holds far fewer attributes than the schema indexes: walk the entry's
    for (const name of names) {
      const attr = this.indexed.get(name);
      if (!attr) continue;
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
