import type { Client, Entry } from 'ldapts';
import { expect } from 'vitest';
import { sidToString, single, strings, values } from './adValues.js';
import { searchAll } from './estate.js';

const USERS = 'OU=AADDC Users,DC=aaddscontoso,DC=com';

/** What Entra Connect's default rules sync: users and security- or mail-enabled groups, not critical, not MSOL_. */
export const IN_SCOPE = '(&(|(&(objectCategory=person)(objectClass=user)(!(objectClass=computer)))(&(objectClass=group)(|(groupType:1.2.840.113556.1.4.803:=2147483648)(mail=*))))(!(isCriticalSystemObject=TRUE))(!(sAMAccountName=MSOL_*)))';

const sidsOf = (entry: Entry | undefined, name: string): string[] => values(entry, name).map((v) => sidToString(v as Buffer));

/**
 * Checks that the managed domain's synced objects are exactly a source's in-scope users and
 * groups: each once (joined by sIDHistory = the source objectSid), with its displayName (or
 * name), and each group with exactly its in-scope members. Returns how many were compared.
 */
export async function expectManagedMirrors(source: Client, sourceBase: string, managed: Client): Promise<number> {
  const wanted = await searchAll(source, sourceBase, IN_SCOPE, ['objectSid', 'displayName', 'name', 'member'], ['objectSid']);
  const sourceDnToSid = new Map(wanted.map((e) => [e.dn.toLowerCase(), sidsOf(e, 'objectSid')[0]!]));
  const synced = await searchAll(managed, USERS, '(&(msDS-aadObjectId=*)(sIDHistory=*))', ['sIDHistory', 'displayName', 'member', 'msDS-aadObjectId'], ['sIDHistory']);
  const targetDnToSid = new Map(synced.map((e) => [e.dn.toLowerCase(), sidsOf(e, 'sIDHistory')[0]!]));
  expect(synced.length).toBe(wanted.length);
  expect(new Set(synced.map((e) => single(e, 'msDS-aadObjectId'))).size).toBe(synced.length);
  const bySid = new Map(synced.map((e) => [sidsOf(e, 'sIDHistory')[0]!, e]));
  for (const s of wanted) {
    const t = bySid.get(sidsOf(s, 'objectSid')[0]!);
    expect(t, s.dn).toBeDefined();
    // Entra's displayName falls back to cn.
    expect(single(t, 'displayName'), s.dn).toBe(single(s, 'displayName') ?? single(s, 'name'));
    const members = (e: Entry | undefined, map: Map<string, string>): string[] => strings(e, 'member').map((dn) => map.get(dn.toLowerCase())).filter((x): x is string => x !== undefined).sort();
    expect(members(t, targetDnToSid), s.dn).toEqual(members(s, sourceDnToSid));
  }
  return wanted.length;
}
