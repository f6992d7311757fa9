import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredEntry } from '../../src/directory/entry.js';
import type { AttributeValue } from '../../src/directory/schema.js';
import { matches, type Filter } from '../../src/directory/filter.js';
import { planFilter } from '../../src/directory/plan.js';
import { Schema } from '../../src/directory/schema.js';
import { DirectoryStore } from '../../src/directory/store.js';

const schema = Schema.load();
const eq = (attribute: string, value: string): Filter => ({ type: 'equality', attribute, value: Buffer.from(value) });

function user(guid: string, sam: string, parent = 'root', extra: Record<string, AttributeValue[]> = {}): StoredEntry {
  return {
    guid,
    dn: `CN=${sam},DC=contoso,DC=com`,
    parent,
    attrs: { objectClass: ['top', 'person', 'organizationalPerson', 'user'], cn: [sam], sAMAccountName: [sam], uSNChanged: [String(guid.length)], ...extra },
  };
}

describe('DirectoryStore on LMDB', () => {
  let dir: string;
  let store: DirectoryStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dsemu-store-'));
    store = DirectoryStore.open(dir, schema);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds entries by GUID, by DN case-insensitively, and by indexed attribute values', () => {
    store.write(() => {
      store.put(user('a1', 'alice'));
      store.put(user('b2', 'bob'));
    });
    expect(store.byGuid('a1')?.dn).toBe('CN=alice,DC=contoso,DC=com');
    expect(store.byDn('cn=ALICE, dc=Contoso, dc=com')?.guid).toBe('a1');
    expect([...store.lookup('sAMAccountName', 'BOB')]).toEqual(['b2']);
    expect([...store.children('root')].sort()).toEqual(['a1', 'b2']);
  });

  it('keeps indexes in step when an entry changes, moves and is removed', () => {
    store.write(() => store.put(user('a1', 'alice')));
    const before = store.byGuid('a1')!;
    store.write(() => store.put({ ...before, dn: 'CN=alice,OU=X,DC=contoso,DC=com', parent: 'ou', attrs: { ...before.attrs, sAMAccountName: ['alice2'] } }, before));
    expect([...store.lookup('sAMAccountName', 'alice')]).toEqual([]);
    expect([...store.lookup('sAMAccountName', 'alice2')]).toEqual(['a1']);
    expect(store.byDn('CN=alice,DC=contoso,DC=com')).toBeUndefined();
    expect([...store.children('root')]).toEqual([]);
    expect([...store.children('ou')]).toEqual(['a1']);
    store.write(() => store.remove(store.byGuid('a1')!));
    expect(store.count()).toBe(0);
    expect([...store.lookup('sAMAccountName', 'alice2')]).toEqual([]);
  });

  it('records the USN of every attribute an object was created with, and of each later change', () => {
    store.write(() => {
      store.nextUsn();
      store.put(user('a1', 'alice', 'root', { title: ['Engineer'], description: ['first'] }));
    });
    const created = store.highestUsn();
    const first = store.byGuid('a1')!;
    store.write(() => {
      store.nextUsn();
      const { description: _, ...rest } = first.attrs;
      store.put({ ...first, attrs: { ...rest, title: ['Architect'] } }, first);
    });
    const changed = store.highestUsn();
    const usns = store.attributeUsns(store.byGuid('a1')!);
    expect(changed).toBeGreaterThan(created);
    expect(usns).toMatchObject({ sAMAccountName: created, cn: created, '@parent': created, title: changed, description: changed });
    expect(usns['@created']).toBeUndefined();
  });

  it('names an object (DN and naming attributes) as it is now, after renames, aborted writes and removal', () => {
    store.write(() => store.put(user('a1', 'alice', 'root', { objectSid: [Buffer.from('0105', 'hex')] })));
    expect(store.nameOf('a1')).toMatchObject({ dn: 'CN=alice,DC=contoso,DC=com', attrs: { objectSid: [Buffer.from('0105', 'hex')] } });
    expect(store.nameOf('a1')?.attrs).not.toHaveProperty('sAMAccountName');
    const before = store.byGuid('a1')!;
    store.write(() => store.put({ ...before, dn: 'CN=alice2,DC=contoso,DC=com' }, before));
    expect(store.nameOf('a1')?.dn).toBe('CN=alice2,DC=contoso,DC=com');
    const renamed = store.byGuid('a1')!;
    expect(() =>
      store.write(() => {
        store.put({ ...renamed, dn: 'CN=alice3,DC=contoso,DC=com' }, renamed);
        expect(store.nameOf('a1')?.dn).toBe('CN=alice3,DC=contoso,DC=com');
        throw new Error('abort');
      }),
    ).toThrow('abort');
    expect(store.nameOf('a1')?.dn).toBe('CN=alice2,DC=contoso,DC=com');
    store.write(() => store.remove(store.byGuid('a1')!));
    expect(store.nameOf('a1')).toBeUndefined();
  });

  it('commits a write whole or not at all', () => {
    expect(() =>
      store.write(() => {
        store.put(user('a1', 'alice'));
        store.nextUsn();
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.byGuid('a1')).toBeUndefined();
    expect(store.highestUsn()).toBe(0);
  });

  it('refuses writes outside a transaction', () => {
    expect(() => store.put(user('a1', 'alice'))).toThrow(/inside DirectoryStore.write/);
  });

  it('keeps entries and the USN across a reopen', async () => {
    store.write(() => {
      store.put(user('a1', 'alice'));
      store.nextUsn();
      store.nextUsn();
    });
    await store.close();
    store = DirectoryStore.open(dir, schema);
    expect(store.byGuid('a1')?.attrs.sAMAccountName).toEqual(['alice']);
    expect(store.highestUsn()).toBe(2);
  });

  it('plans an indexed equality as an index read and an unindexed one as a scan', () => {
    store.write(() => {
      for (let i = 0; i < 50; i++) store.put(user(`g${i}`, `user${i}`, 'root', { description: [`d${i % 2}`] }));
    });
    const indexed = planFilter({ type: 'and', filters: [eq('objectClass', 'user'), eq('sAMAccountName', 'user7')] }, store);
    expect(indexed.kind).toBe('index');
    if (indexed.kind === 'index') expect([...indexed.guids()]).toEqual(['g7']);
    expect(planFilter(eq('description', 'd1'), store).kind).toBe('scan');
    const prefix = planFilter({ type: 'substrings', attribute: 'sAMAccountName', initial: Buffer.from('user1'), any: [] }, store);
    expect(prefix.kind === 'index' && [...prefix.guids()].length).toBe(11);
  });

  it('evaluates filters with RFC 4511 three-valued logic', () => {
    const entry = user('a1', 'alice', 'root', { description: ['Hello World'] });
    const context = { schema, values: (e: StoredEntry, a: { name: string }) => e.attrs[a.name] ?? [] };
    expect(matches({ type: 'substrings', attribute: 'description', initial: Buffer.from('hello'), any: [Buffer.from('wO')], final: Buffer.from('LD') }, entry, context)).toBe(true);
    expect(matches({ type: 'not', filter: eq('mail', 'x@y') }, entry, context)).toBe(true);
    expect(matches({ type: 'not', filter: eq('noSuchAttributeType', 'x') }, entry, context)).toBe(false);
    expect(matches({ type: 'present', attribute: 'CN' }, entry, context)).toBe(true);
  });
});
