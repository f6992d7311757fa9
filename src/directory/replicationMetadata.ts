import type { Database, RootDatabase } from 'lmdb';
import type { StoredEntry } from './entry.js';
import type { AttributeValue } from './schema.js';

const LAST = '\uffff';

/** The pseudo-attribute under which an object's credentials' change USN is recorded. */
export const SECRET_METADATA = '@secret';
/** ... and under which the USN of its last move (a new parent) is recorded. */
export const PARENT_METADATA = '@parent';
/**
 * ... and the USN of its creation: what every attribute it was created with has until it changes.
 * The stored metadata names only the attributes written since (a user's is a few keys, not 40),
 * so a write reads and writes a few bytes of it. Older stores name every attribute: still read.
 */
const CREATED_METADATA = '@created';

/** Attribute name -> USN of its last originating change. */
export type AttributeMetadata = Record<string, number>;

export interface LinkValueMetadata {
  usn: number;
  /** false: the value was removed at `usn` */
  present: boolean;
}

type Values = Readonly<Record<string, readonly AttributeValue[]>>;

/** One write of an object, as the metadata needs to know it. */
export interface RecordedWrite {
  usn: number;
  /** every attribute the object had before or has after */
  names: ReadonlySet<string>;
  before: Values;
  after: Values;
  /** 'created', or whether it has a new parent */
  moved: boolean | 'created';
  /** its credentials were written */
  secret: boolean;
}

/**
 * Replication metadata (MS-ADTS 3.1.1.1.9, MS-DRSR 5.11): the USN at which each attribute, the
 * secret, the placement and each forward-link value of an object last changed; what DirSync reads
 * to send only changes. Two databases of the store's environment, written in its transactions.
 */
export class ReplicationMetadata {
  private readonly attributes: Database<AttributeMetadata, string>;
  private readonly linkValues: Database<LinkValueMetadata, [string, string, string]>;

  /** `isForwardLink`: whether an attribute's values are forward links, whose every value is tracked */
  constructor(root: RootDatabase, private readonly isForwardLink: (name: string) => boolean) {
    this.attributes = root.openDB<AttributeMetadata, string>({ name: 'attributeMetadata' });
    this.linkValues = root.openDB<LinkValueMetadata, [string, string, string]>({ name: 'linkValues' });
  }

  record(guid: string, write: RecordedWrite): void {
    const { usn, before, after } = write;
    const created = write.moved === 'created';
    const metadata: AttributeMetadata = created ? { [CREATED_METADATA]: usn } : { ...(this.attributes.get(guid) ?? {}) };
    let changed = write.moved !== false;
    if (write.moved) metadata[PARENT_METADATA] = usn;
    for (const name of write.names) {
      if (sameValues(before[name], after[name])) continue;
      if (!created) metadata[name] = usn;
      changed = true;
      if (this.isForwardLink(name)) {
        const old = new Set((before[name] ?? []).map(String));
        const now = new Set((after[name] ?? []).map(String));
        for (const target of now) if (!old.has(target)) this.linkValues.put([guid, name, target], { usn, present: true });
        for (const target of old) if (!now.has(target)) this.linkValues.put([guid, name, target], { usn, present: false });
      }
    }
    if (write.secret) {
      metadata[SECRET_METADATA] = usn;
      changed = true;
    }
    if (changed) this.attributes.put(guid, metadata);
  }

  /** The USN at which each attribute of an object last changed ('@secret' for its credentials, '@parent' for its placement). */
  attributeUsns(entry: StoredEntry): AttributeMetadata {
    const stored = this.attributes.get(entry.guid) ?? {};
    const created = stored[CREATED_METADATA];
    if (created === undefined) return stored;
    // What is not named has not changed since the object was created with it.
    const usns: AttributeMetadata = {};
    for (const name of Object.keys(entry.attrs)) usns[name] = created;
    for (const [name, usn] of Object.entries(stored)) if (name !== CREATED_METADATA) usns[name] = usn;
    return usns;
  }

  /** Every value a forward link ever had on an object, with the USN of its last add or removal. */
  *linkValueHistory(guid: string, attributeName: string): Iterable<{ target: string } & LinkValueMetadata> {
    for (const { key, value } of this.linkValues.getRange({ start: [guid, attributeName, ''], end: [guid, attributeName, LAST] })) {
      yield { target: key[2], ...value };
    }
  }

  /** An object's metadata, gone with it. */
  remove(guid: string): void {
    this.attributes.remove(guid);
    for (const key of this.linkValues.getKeys({ start: [guid, '', ''], end: [guid, LAST, LAST] })) this.linkValues.remove(key);
  }
}

function sameValues(a: readonly AttributeValue[] | undefined, b: readonly AttributeValue[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (typeof x === 'string' || typeof y === 'string' ? x !== y : !x.equals(y)) return false;
  }
  return true;
}
