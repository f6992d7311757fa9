import { readFileSync } from 'node:fs';
import { LdifError, parseLdif } from '../../directory/ldif.js';
import { uuidFrom } from '../identity.js';
import type { ConnectorObject, ObjectType } from '../model.js';
import type { InboundResult } from './inbound.js';

/** The pseudo-connector that holds the tenant's cloud-only users and groups. */
export const CLOUD = 'cloud';

// Cloud-only objects (seed/tenant.ldif): users and groups that exist only in Entra ID. Their
// attributes are Entra's own names; `member` values are UPNs (synced or cloud users) or the DN of
// another entry of the file.

export function cloudGuidOf(dn: string): string {
  return uuidFrom(`cloud-dn|${dn.toLowerCase()}`);
}

/** Reads the cloud-only objects of an LDIF file (LdifError with file and line when it is not valid). */
export function readCloudObjects(file: string): ConnectorObject[] {
  const records = parseLdif(readFileSync(file, 'utf8'), file);
  const objects: ConnectorObject[] = [];
  for (const record of records) {
    if (record.kind !== 'add') throw new LdifError(file, record.line, `only entries to add belong in a cloud-objects file, not ${record.kind}`);
    const attrs: Record<string, string[]> = {};
    for (const attribute of record.attributes) attrs[attribute.type] = attribute.values.map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
    const links: Record<string, string[]> = {};
    if (attrs.member) links.member = attrs.member;
    delete attrs.member;
    objects.push({ connector: CLOUD, guid: cloudGuidOf(record.dn), dn: record.dn, attrs, links });
  }
  return objects;
}

export function cloudObjectType(object: ConnectorObject): ObjectType | undefined {
  const classes = (object.attrs.objectClass ?? []).map((c) => c.toLowerCase());
  if (classes.includes('user')) return 'user';
  if (classes.includes('group')) return 'group';
  return undefined;
}

const BOOLEAN = new Set(['accountEnabled', 'securityEnabled', 'mailEnabled']);
const MULTI = new Set(['proxyAddresses']);

export function inboundFromCloud(object: ConnectorObject): InboundResult {
  const attributes: InboundResult['attributes'] = {};
  const rules: Record<string, string> = {};
  for (const [name, values] of Object.entries(object.attrs)) {
    if (name === 'objectClass' || name === 'objectId' || values.length === 0) continue;
    attributes[name] = BOOLEAN.has(name) ? values[0]!.toUpperCase() === 'TRUE' : MULTI.has(name) ? values : values[0]!;
    rules[name] = 'cloud-only (seed)';
  }
  const type = cloudObjectType(object);
  if (type === 'user' && attributes.accountEnabled === undefined) attributes.accountEnabled = true;
  if (type === 'group' && attributes.securityEnabled === undefined) attributes.securityEnabled = true;
  return {
    attributes,
    rules,
    sourceMailNickname: object.attrs.mailNickname?.[0],
    sourceUserPrincipalName: object.attrs.userPrincipalName?.[0],
    members: object.links.member ?? [],
  };
}
