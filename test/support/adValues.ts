// Small readers for AD's binary and entry values, as a client sees them (reference/ad-ldap.md 6).
import type { Entry } from 'ldapts';

/** MS-DTYP 2.4.2.2: revision, count, 48-bit big-endian authority, count little-endian sub-authorities. */
export function sidToString(sid: Buffer): string {
  if (sid.length < 8 || sid.length !== 8 + 4 * sid[1]!) throw new Error(`not a SID: ${sid.toString('hex')}`);
  const authority = sid.readUIntBE(2, 6);
  const subs: number[] = [];
  for (let i = 0; i < sid[1]!; i++) subs.push(sid.readUInt32LE(8 + 4 * i));
  return ['S', sid[0], authority, ...subs].join('-');
}

/** The values of an attribute of an ldapts entry, whatever case the server spelled its name in. */
export function values(entry: Entry | undefined, name: string): Array<string | Buffer> {
  if (entry === undefined) return [];
  const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined) return [];
  const v = entry[key] as string | Buffer | Array<string | Buffer>;
  return Array.isArray(v) ? v : [v];
}

export function strings(entry: Entry | undefined, name: string): string[] {
  return values(entry, name).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
}

export function single(entry: Entry | undefined, name: string): string | undefined {
  const all = strings(entry, name);
  if (all.length > 1) throw new Error(`${name} has ${all.length} values`);
  return all[0];
}

export function buffer(entry: Entry | undefined, name: string): Buffer | undefined {
  const v = values(entry, name)[0];
  return v === undefined ? undefined : Buffer.isBuffer(v) ? v : Buffer.from(v, 'latin1');
}

/** DNs compare case-insensitively in AD. */
export function lowerAll(list: string[]): string[] {
  return list.map((s) => s.toLowerCase());
}
