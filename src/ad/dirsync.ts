import { randomBytes } from 'node:crypto';
import type { StoredEntry } from '../directory/entry.js';
import { matches, type Filter } from '../directory/filter.js';
import { normalizeDn } from '../directory/dn.js';
import type { AttributeType } from '../directory/schema.js';
import { integerKey } from '../directory/indexKey.js';
import { PARENT_METADATA, SECRET_METADATA } from '../directory/store.js';
import type { Dsa, OperationContext } from './dsa.js';
import { AdErrors } from './errors.js';
import { filterContext, prepareFilter } from './filters.js';
import { guidsToDns, isBackLink, isForwardLink } from './links.js';
import { matchingRules } from './matchingRules.js';
import { readCredentials } from './passwords.js';
import type { ResultEntry } from './readView.js';
import { isTombstone } from './tombstones.js';
import { toFileTime } from './time.js';

// MS-ADTS 3.1.1.3.4.1.3 LDAP_SERVER_DIRSYNC_OID: the objects of a naming context that changed
// since a cookie, with only what changed; Samba's dirsync.c for the details Windows leaves open.

export const DirSyncFlags = {
  objectSecurity: 0x1,
  ancestorsFirstOrder: 0x800,
  publicDataOnly: 0x2000,
  incrementalValues: 0x80000000,
} as const;

/** Objects per DirSync call; AD bounds a reply by MaxPageSize-sized batches (more: cookie says so). */
const MAX_OBJECTS = 1000;
const COOKIE_MAGIC = Buffer.from('MSDS');
const COOKIE_VERSION = 3;

export interface DirSyncRequest {
  base: string;
  filter: Filter;
  attributes: readonly string[];
  flags: number;
  cookie: Buffer;
}

export interface DirSyncResult {
  entries: ResultEntry[];
  cookie: Buffer;
  more: boolean;
}

/**
 * The changes since `cookie` (everything when it is empty), oldest first. Tombstones are
 * included. With LDAP_DIRSYNC_INCREMENTAL_VALUES, link changes come as `member;range=1-1`
 * (values added) and `member;range=0-0` (values removed), as AD sends them.
 */
export function dirSync(dsa: Dsa, request: DirSyncRequest, ctx: OperationContext): DirSyncResult {
  // LDAP_DIRSYNC_OBJECT_SECURITY: no replication right needed, the caller sees what it may read.
  const objectSecurity = (request.flags & DirSyncFlags.objectSecurity) !== 0;
  if (objectSecurity ? !dsa.access.canRead(ctx.principal) : !dsa.access.canReplicate(ctx.principal)) throw AdErrors.insufficientAccessRights();
  if (normalizeDn(request.base) !== normalizeDn(dsa.domain.dn)) {
    // Samba dirsync.c: the base must be a naming context head.
    if (request.flags & DirSyncFlags.objectSecurity) throw AdErrors.unwillingToPerform();
    throw AdErrors.insufficientAccessRights();
  }
  const since = cookieUsn(dsa, request.cookie);
  const incremental = (request.flags >>> 0 & DirSyncFlags.incrementalValues) !== 0;
  const filter = prepareFilter(dsa, request.filter);
  const context = filterContext(dsa, matchingRules(dsa));
  const wanted = wantedAttributes(dsa, request.attributes);
  const secrets = !objectSecurity && wantsSecrets(dsa, request.attributes, ctx);

  const entries: ResultEntry[] = [];
  let lastUsn = since;
  let more = false;
  for (const guid of dsa.store.lookupRange('uSNChanged', integerKey(String(since + 1)))) {
    const entry = dsa.store.byGuid(guid);
    if (!entry) continue;
    if (entries.length >= MAX_OBJECTS) {
      more = true;
      break;
    }
    lastUsn = Number(String(entry.attrs.uSNChanged?.[0] ?? lastUsn));
    if (!matches(filter, entry, context)) continue;
    entries.push(changedEntry(dsa, entry, since, wanted, incremental, secrets));
  }
  const high = more ? lastUsn : dsa.store.highestUsn();
  return { entries, cookie: makeCookie(dsa, high), more };
}

/** The requested attributes, or every stored attribute when none (or '*') is named. */
function wantedAttributes(dsa: Dsa, requested: readonly string[]): AttributeType[] | 'all' {
  const names = requested.filter((r) => r !== '' && r !== '1.1');
  if (names.length === 0 || names.includes('*')) return 'all';
  return names.map((n) => dsa.schema.attribute(n)).filter((a): a is AttributeType => a !== undefined && !a.secret);
}

/**
 * Only the replication principal (DS-Replication-Get-Changes-All), over TLS or loopback, and only
 * when it names them, gets credentials: this stands in for MS-DRSR's GetNCChanges secrets.
 */
function wantsSecrets(dsa: Dsa, requested: readonly string[], ctx: OperationContext): boolean {
  const named = requested.some((r) => /^(unicodePwd|supplementalCredentials)$/i.test(r));
  return named && dsa.access.canReplicateSecrets(ctx.principal) && (ctx.secure || ctx.loopback === true);
}

function changedEntry(dsa: Dsa, entry: StoredEntry, since: number, wanted: AttributeType[] | 'all', incremental: boolean, secrets: boolean): ResultEntry {
  const usns = dsa.store.attributeUsns(entry.guid);
  const changed = (name: string): boolean => since === 0 || (usns[name] ?? 0) > since;
  const attributes: ResultEntry['attributes'] = [];
  // DirSync always names the object: objectGUID and instanceType, plus isDeleted on tombstones.
  attributes.push({ type: 'objectGUID', values: [...(entry.attrs.objectGUID ?? [])] });
  attributes.push({ type: 'instanceType', values: [...(entry.attrs.instanceType ?? ['4'])] });
  if (isTombstone(entry)) attributes.push({ type: 'isDeleted', values: ['TRUE'] });
  // Samba dirsync.c: parentGUID comes with every placement (creation, rename, move, delete), and
  // name with a move.
  const placed = changed(PARENT_METADATA) || changed('name');
  if (placed && entry.parent) attributes.push({ type: 'parentGUID', values: [Buffer.from(entry.parent, 'hex')] });
  if (changed(PARENT_METADATA) && entry.attrs.name) attributes.push({ type: 'name', values: [...entry.attrs.name] });
  // Attributes cleared since the cookie still have metadata: they come back with no values.
  const names = new Set([...Object.keys(entry.attrs), ...Object.keys(usns).filter((n) => !n.startsWith('@'))]);
  const candidates = wanted === 'all' ? [...names].map((n) => dsa.schema.attribute(n)).filter((a): a is AttributeType => a !== undefined) : wanted;
  const seen = new Set(['objectGUID', 'instanceType', 'isDeleted', 'parentGUID', ...(changed(PARENT_METADATA) ? ['name'] : [])]);
  for (const attr of candidates) {
    if (seen.has(attr.name) || attr.secret || attr.constructed || isBackLink(attr)) continue;
    seen.add(attr.name);
    if (isForwardLink(attr)) {
      attributes.push(...linkValues(dsa, entry, attr, since, incremental, changed(attr.name)));
      continue;
    }
    if (!changed(attr.name)) continue;
    const values = attr.name === 'distinguishedName' ? [entry.dn] : [...(entry.attrs[attr.name] ?? [])];
    if (values.length > 0 || (since !== 0 && usns[attr.name] !== undefined)) attributes.push({ type: attr.name, values });
  }
  if (secrets && changed(SECRET_METADATA)) attributes.push(...credentialAttributes(dsa, entry));
  return { dn: entry.dn, attributes };
}

function linkValues(dsa: Dsa, entry: StoredEntry, attr: AttributeType, since: number, incremental: boolean, changed: boolean): ResultEntry['attributes'] {
  if (!incremental) {
    if (!changed) return [];
    const values = guidsToDns(dsa, (entry.attrs[attr.name] ?? []) as string[]);
    return values.length ? [{ type: attr.name, values }] : [];
  }
  const added: string[] = [];
  const removed: string[] = [];
  for (const value of dsa.store.linkValueHistory(entry.guid, attr.name)) {
    if (since !== 0 && value.usn <= since) continue;
    if (value.present) added.push(value.target);
    else if (since !== 0) removed.push(value.target);
  }
  const out: ResultEntry['attributes'] = [];
  const addedDns = guidsToDns(dsa, added);
  const removedDns = guidsToDns(dsa, removed);
  if (addedDns.length) out.push({ type: `${attr.name};range=1-1`, values: addedDns });
  if (removedDns.length) out.push({ type: `${attr.name};range=0-0`, values: removedDns });
  return out;
}

/**
 * The credentials as the replication principal reads them (documented in the README):
 * `unicodePwd` = the 16-byte NT hash; `supplementalCredentials` = UTF-8 JSON
 * {"Primary:Kerberos-Newer-Keys":{"salt","iterations","keys":[{"type":18,"value":hex},{"type":17,"value":hex}]}}.
 */
function credentialAttributes(dsa: Dsa, entry: StoredEntry): ResultEntry['attributes'] {
  const credentials = readCredentials(dsa, entry.guid);
  if (!credentials) return [];
  const kerberos = {
    'Primary:Kerberos-Newer-Keys': {
      salt: credentials.salt,
      iterations: credentials.iterations,
      keys: [
        { type: 18, value: credentials.aes256 },
        { type: 17, value: credentials.aes128 },
      ],
    },
  };
  return [
    { type: 'unicodePwd', values: [Buffer.from(credentials.nt, 'hex')] },
    { type: 'supplementalCredentials', values: [Buffer.from(JSON.stringify(kerberos))] },
  ];
}

/**
 * The cookie: opaque to clients, like Samba's "MSDS" blob (drsblobs.idl ldapControlDirSyncCookie):
 * magic, version, the time, the highest USN covered, and this DC's invocation ID.
 */
function makeCookie(dsa: Dsa, usn: number): Buffer {
  const cookie = Buffer.alloc(4 + 4 + 8 + 8 + 16);
  COOKIE_MAGIC.copy(cookie, 0);
  cookie.writeUInt32LE(COOKIE_VERSION, 4);
  cookie.writeBigUInt64LE(toFileTime(dsa.now()), 8);
  cookie.writeBigUInt64LE(BigInt(usn), 16);
  invocationId(dsa).copy(cookie, 24);
  return cookie;
}

/** The USN a cookie covers; 0 for an empty cookie or one from another DC (a full sync). */
function cookieUsn(dsa: Dsa, cookie: Buffer): number {
  if (cookie.length === 0) return 0;
  if (cookie.length !== 40 || !cookie.subarray(0, 4).equals(COOKIE_MAGIC) || cookie.readUInt32LE(4) !== COOKIE_VERSION) {
    throw AdErrors.operationsError('Invalid DirSync cookie');
  }
  if (!cookie.subarray(24, 40).equals(invocationId(dsa))) return 0;
  return Number(cookie.readBigUInt64LE(16));
}

function invocationId(dsa: Dsa): Buffer {
  const known = dsa.store.getMeta<Buffer | Uint8Array>('invocationId');
  if (known) return Buffer.from(known);
  const id = randomBytes(16);
  dsa.store.write(() => dsa.store.putMeta('invocationId', id));
  return id;
}
