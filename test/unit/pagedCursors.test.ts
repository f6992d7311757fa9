import { describe, expect, it } from 'vitest';
import { PagedCursors } from '../../src/ldap/controls/pagedResults.js';

describe('paged-results cursors of one connection', () => {
  const cursor = (closed: string[], name: string) => ({ signature: name, results: { close: () => closed.push(name) } });

  it('hands a cursor back once per cookie, and frees it when its request is abandoned or the connection closes', () => {
    const closed: string[] = [];
    const cursors = new PagedCursors();
    const first = cursors.open(cursor(closed, 'a'), 7);
    const second = cursors.open(cursor(closed, 'b'), 8);
    expect(cursors.take(first)?.signature).toBe('a');
    expect(cursors.take(first)).toBeUndefined();
    cursors.abandon(8);
    expect(closed).toEqual(['b']);
    expect(cursors.take(second)).toBeUndefined();
    cursors.open(cursor(closed, 'c'), 9);
    cursors.clear();
    expect(closed).toEqual(['b', 'c']);
    expect(cursors.size).toBe(0);
  });
});
