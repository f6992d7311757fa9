import { sidFromString } from '../directory/binary.js';
import type { StoredEntry } from '../directory/entry.js';
import type { Dsa } from './dsa.js';
import { sidOf } from './samldb.js';
import { GROUP_TYPE } from './uac.js';

/**
 * The SIDs of every security group an account is in, transitively, including its primary group
 * (MS-ADTS 3.1.1.4.5.19 tokenGroups; Samba get_group_sids). Not the account's own SID.
 */
export function tokenGroupSids(dsa: Dsa, account: StoredEntry): string[] {
  const sids = new Set<string>();
  const visited = new Set<string>();
  const queue: StoredEntry[] = [account];
  const primary = primaryGroup(dsa, account);
  if (primary) queue.push(primary);
  while (queue.length > 0) {
    const current = queue.pop()!;
    if (visited.has(current.guid)) continue;
    visited.add(current.guid);
    if (current !== account && isSecurityGroup(current)) {
      const sid = sidOf(current);
      if (sid) sids.add(sid);
    }
    for (const groupGuid of dsa.store.lookup('member', current.guid)) {
      if (visited.has(groupGuid)) continue;
      const group = dsa.store.byGuid(groupGuid);
      if (group) queue.push(group);
    }
  }
  return [...sids];
}

export function primaryGroup(dsa: Dsa, account: StoredEntry): StoredEntry | undefined {
  const rid = account.attrs.primaryGroupID?.[0];
  if (rid === undefined) return undefined;
  for (const guid of dsa.store.lookup('objectSid', sidFromString(`${dsa.domain.sid}-${String(rid)}`))) return dsa.store.byGuid(guid);
  return undefined;
}

function isSecurityGroup(entry: StoredEntry): boolean {
  const groupType = entry.attrs.groupType?.[0];
  return groupType !== undefined && ((Number(String(groupType)) >>> 0) & GROUP_TYPE.SECURITY_ENABLED) !== 0;
}
