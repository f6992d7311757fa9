import { sidFromString } from '../directory/binary.js';
import type { StoredEntry } from '../directory/entry.js';
import type { Dsa } from './dsa.js';
import { sidOf } from './samldb.js';
import { GROUP_TYPE } from './uac.js';
import { isTombstone } from './tombstones.js';

export interface TokenGroupsOptions {
  /** tokenGroupsGlobalAndUniversal: leave out domain-local and builtin groups */
  globalAndUniversal?: boolean;
}

/**
 * The SIDs of every security group an account is in, transitively, including its primary group
 * (MS-ADTS 3.1.1.4.5.19 tokenGroups; Samba get_group_sids). Not the account's own SID, no
 * distribution group nor anything reached only through one; loops in the membership end.
 */
export function tokenGroupSids(dsa: Dsa, account: StoredEntry, options: TokenGroupsOptions = {}): string[] {
  const sids = new Set<string>();
  const visited = new Set<string>();
  const queue: StoredEntry[] = [account];
  const primary = primaryGroup(dsa, account);
  if (primary) queue.push(primary);
  while (queue.length > 0) {
    const current = queue.pop()!;
    if (visited.has(current.guid)) continue;
    visited.add(current.guid);
    if (current !== account) {
      // Samba dsdb_expand_nested_groups: only security groups are taken, and only they are
      // followed, so a security group reached through a distribution group is not in the token.
      if (!isSecurityGroup(current) || (options.globalAndUniversal && !isGlobalOrUniversal(current))) continue;
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
  for (const guid of dsa.store.lookup('objectSid', sidFromString(`${dsa.domain.sid}-${String(rid)}`))) {
    const group = dsa.store.byGuid(guid);
    if (group && !isTombstone(group)) return group;
  }
  return undefined;
}

function isSecurityGroup(entry: StoredEntry): boolean {
  const groupType = entry.attrs.groupType?.[0];
  return groupType !== undefined && ((Number(String(groupType)) >>> 0) & GROUP_TYPE.SECURITY_ENABLED) !== 0;
}

function isGlobalOrUniversal(entry: StoredEntry): boolean {
  const groupType = Number(String(entry.attrs.groupType?.[0] ?? '0')) >>> 0;
  return (groupType & (GROUP_TYPE.ACCOUNT | GROUP_TYPE.UNIVERSAL)) !== 0;
}
