import { randomBytes } from 'node:crypto';
import type { StoredEntry } from '../directory/entry.js';
import { matches, type Filter } from '../directory/filter.js';
import { normalizeDn } from '../directory/dn.js';
import type { AttributeType } from '../directory/schema.js';
import { integerKey } from '../directory/indexKey.js';
import { PARENT_METADATA, SECRET_METADATA } from '../directory/replicationMetadata.js';
import type { Dsa, OperationContext } from './dsa.js';
import { AdErrors } from './errors.js';
import { filterContext, prepareFilter } from './filters.js';
import { isBackLink, isForwardLink } from './links.js';
import { matchingRules } from './matchingRules.js';
import { readCredentials } from './passwords.js';
import { extendedDn, withExtendedDns, type ExtendedDnForm, type ResultEntry } from './readView.js';
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
/** Version 3: 40 bytes, one USN. Version 4 adds the USN the pass started from (48 bytes); 3 is still read. */
const COOKIE_VERSION = 4;

/**
 * FLAG_ATTR_NOT_REPLICATED attributes (MS-ADA*): each DC keeps its own values, so DirSync, which
 * reads the replication metadata, never sends them (Samba 4.17 dirsync.c drops them likewise).
 */
const NOT_REPLICATED = new Set([
  'badpasswordtime', 'badpwdcount', 'lastlogoff', 'lastlogon', 'logoncount', 'modifiedcount', 'usnchanged', 'usncreated',
  'whenchanged', 'usnlastobjrem', 'usndsalastobjremoved', 'repluptodatevector', 'repsfrom', 'repsto', 'partialattributedeletionlist',
  'msds-failedinteractivelogoncount', 'msds-failedinteractivelogoncountatlastsuccessfullogon', 'msds-lastfailedinteractivelogontime',
  'msds-lastsuccessfulinteractivelogontime',
]);

export interface DirSyncRequest {
  base: string;
  filter: Filter;
  attributes: readonly string[];
  flags: number;
  cookie: Buffer;
  /** LDAP_SERVER_EXTENDED_DN_OID sent with the search: the entry DN and DN values as `<GUID=..>;<SID=..>;dn`. */
  extendedDn?: ExtendedDnForm;
}

export interface DirSyncResult {
  entries: ResultEntry[];
  cookie: Buffer;
  more: boolean;
}

/**
 * The changes since `cookie` (everything when it is empty), oldest first. Tombstones are
 * included. With LDAP_DIRSYNC_INCREMENTAL_VALUES, link changes come as `member;range=1-1`
 * (values added) and `member;range=0-0` (values removed), as AD sends them. As Samba 4.17 does,
 * an object comes back only when a requested attribute changed (objectGUID, instanceType and
 * parentGUID do not count), never with its RDN attribute (cn) or a non-replicated one, and
 * parentGUID only with name (when name is asked for, or all attributes are).
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
  // `since`: the changes wanted are those after it (0: everything). `position`: where this batch
  // resumes in USN order. They differ only between the batches of one pass (the more flag set),
  // as Samba's cookie keeps highest_usn and tmp_highest_usn: an object that changes while a full
  // sync is under way is still sent whole.
  const { since, position } = cookieState(dsa, request.cookie);
  const incremental = (request.flags >>> 0 & DirSyncFlags.incrementalValues) !== 0;
  const filter = prepareFilter(dsa, request.filter);
  const context = filterContext(dsa, matchingRules(dsa));
  const wanted = wantedAttributes(dsa, request.attributes);
  const secrets = !objectSecurity && wantsSecrets(dsa, request.attributes, ctx);
  // Samba 4.17: with LDAP_DIRSYNC_OBJECT_SECURITY a plain user sees no tombstone (they sit under
  // CN=Deleted Objects, which only administrators may list), so no delete either.
  const hideDeleted = objectSecurity && !dsa.access.canReplicate(ctx.principal);

  const entries: ResultEntry[] = [];
  let lastUsn = position;
  let more = false;
  for (const guid of dsa.store.lookupRange('uSNChanged', integerKey(String(position + 1)))) {
    const entry = dsa.store.byGuid(guid);
    if (!entry) continue;
    if (entries.length >= MAX_OBJECTS) {
      more = true;
      break;
    }
    lastUsn = Number(String(entry.attrs.uSNChanged?.[0] ?? lastUsn));
    if (hideDeleted && isTombstone(entry)) continue;
    if (!matches(filter, entry, context)) continue;
    const changed = changedEntry(dsa, entry, since, wanted, incremental, secrets, request.extendedDn);
    if (changed) entries.push(changed);
  }
  if (more) return { entries, cookie: makeCookie(dsa, lastUsn, since), more };
  const high = dsa.store.highestUsn();
  return { entries, cookie: makeCookie(dsa, high, high), more };
}

/** The requested attributes, or every stored attribute when none (or '*') is named. */
function wantedAttributes(dsa: Dsa, requested: readonly string[]): AttributeType[] | 'all' {
  const names = requested.filter((r) => r !== '' && r !== '1.1');
  // RFC 4511 4.5.1.8: '1.1' alone asks for no attribute; Samba 4.17 then sends no entry (we still send tombstones).
  if (names.length === 0 && requested.includes('1.1')) return [];
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

/** Whether an attribute's USN is past the cookie's (everything is, on a full sync). */
function changedSince(usns: Readonly<Record<string, number>>, name: string, since: number): boolean {
  return since === 0 || (usns[name] ?? 0) > since;
}

/** What DirSync needs of an attribute, worked out once per attribute type. */
interface SyncedAttribute {
  /** its lower-cased name, to compare with the RDN's type */
  lower: string;
  /** never sent: secret, constructed, a back link, or not replicated */
  never: boolean;
}
const syncedAttributes = new WeakMap<AttributeType, SyncedAttribute>();

function syncedAttribute(attr: AttributeType): SyncedAttribute {
  let known = syncedAttributes.get(attr);
  if (!known) {
    const lower = attr.name.toLowerCase();
    known = { lower, never: attr.secret === true || attr.constructed === true || isBackLink(attr) || NOT_REPLICATED.has(lower) };
    syncedAttributes.set(attr, known);
  }
  return known;
}

/** Sent with every object, whether or not it changed: not what makes an object worth sending. */
const ALWAYS_SENT = new Set(['objectGUID', 'instanceType', 'parentGUID']);

/** The entry as DirSync sends it, or undefined when none of the requested attributes changed since `since`. */
function changedEntry(dsa: Dsa, entry: StoredEntry, since: number, wanted: AttributeType[] | 'all', incremental: boolean, secrets: boolean, form: ExtendedDnForm | undefined): ResultEntry | undefined {
  const usns = dsa.store.attributeUsns(entry);
  const attributes: ResultEntry['attributes'] = [];
  // DirSync always names the object: objectGUID and instanceType, plus isDeleted on tombstones.
  attributes.push({ type: 'objectGUID', values: [...(entry.attrs.objectGUID ?? [])] });
  attributes.push({ type: 'instanceType', values: [...(entry.attrs.instanceType ?? ['4'])] });
  if (isTombstone(entry)) attributes.push({ type: 'isDeleted', values: ['TRUE'] });
  // Samba dirsync.c: name and parentGUID come together, when name is asked for (or everything is)
  // and the object was placed: created, renamed, moved or deleted (then parentGUID is CN=Deleted Objects).
  const nameAsked = wanted === 'all' || wanted.some((a) => a.name === 'name');
  if (nameAsked && (changedSince(usns, PARENT_METADATA, since) || changedSince(usns, 'name', since))) {
    if (entry.parent) attributes.push({ type: 'parentGUID', values: [Buffer.from(entry.parent, 'hex')] });
    if (entry.attrs.name) attributes.push({ type: 'name', values: [...entry.attrs.name] });
  }
  // Samba dirsync.c: the RDN attribute (cn of CN=...) never comes back; name carries it.
  const rdn = entry.dn.slice(0, entry.dn.indexOf('=')).trim().toLowerCase();
  const links: ResultEntry['attributes'] = [];
  // Attributes cleared since the cookie still have metadata: they come back with no values.
  const names = new Set(Object.keys(entry.attrs));
  for (const name of Object.keys(usns)) if (!name.startsWith('@')) names.add(name);
  const candidates = wanted === 'all' ? [...names].map((n) => dsa.schema.attribute(n)).filter((a): a is AttributeType => a !== undefined) : wanted;
  const seen = new Set(['objectGUID', 'instanceType', 'isDeleted', 'parentGUID', 'name']);
  for (const attr of candidates) {
    if (seen.has(attr.name)) continue;
    const synced = syncedAttribute(attr);
    if (synced.never || synced.lower === rdn) continue;
    seen.add(attr.name);
    if (isForwardLink(attr)) {
      links.push(...linkValues(dsa, entry, attr, since, incremental, changedSince(usns, attr.name, since), form));
      continue;
    }
    if (!changedSince(usns, attr.name, since)) continue;
    const values = attr.name === 'distinguishedName' ? [entry.dn] : [...(entry.attrs[attr.name] ?? [])];
    if (values.length > 0 || (since !== 0 && usns[attr.name] !== undefined)) attributes.push({ type: attr.name, values });
  }
  if (secrets && changedSince(usns, SECRET_METADATA, since)) attributes.push(...credentialAttributes(dsa, entry));
  let content = links.length;
  for (const a of attributes) if (!ALWAYS_SENT.has(a.type)) content++;
  if (content === 0) return undefined;
  // LDAP_SERVER_EXTENDED_DN_OID: the entry's DN and every DN value (links rendered from their GUIDs above).
  if (!form) return { dn: entry.dn, attributes: [...attributes, ...links] };
  return { dn: extendedDn(entry, form), attributes: [...withExtendedDns(dsa, { dn: '', attributes }, form).attributes, ...links] };
}

/**
 * One forward link's values: the whole set when it changed or, with LDAP_DIRSYNC_INCREMENTAL_VALUES,
 * `attr;range=1-1` (added since the cookie) and `attr;range=0-0` (removed since), as AD and Samba send them.
 */
function linkValues(dsa: Dsa, entry: StoredEntry, attr: AttributeType, since: number, incremental: boolean, changed: boolean, form: ExtendedDnForm | undefined): ResultEntry['attributes'] {
  const render = (guids: readonly string[], live: boolean): string[] => {
    const out: string[] = [];
    for (const guid of guids) {
      const target = dsa.store.nameOf(guid);
      if (!target || (live && isTombstone(target))) continue;
      out.push(form ? extendedDn(target, form) : target.dn);
    }
    return out;
  };
  if (!incremental) {
    if (!changed) return [];
    const values = render((entry.attrs[attr.name] ?? []) as string[], false);
    // Samba 4.17: a link cleared since the cookie comes back with no values (`manager` after `delete: manager`).
    return values.length || since !== 0 ? [{ type: attr.name, values }] : [];
  }
  const added: string[] = [];
  const removed: string[] = [];
  for (const value of dsa.store.linkValueHistory(entry.guid, attr.name)) {
    if (since !== 0 && value.usn <= since) continue;
    (value.present ? added : removed).push(value.target);
  }
  const out: ResultEntry['attributes'] = [];
  const addedValues = render(added, false);
  // Samba 4.17 sends removed values on a full sync too, for targets that still exist.
  const removedValues = render(removed, since === 0);
  if (addedValues.length) out.push({ type: `${attr.name};range=1-1`, values: addedValues });
  if (removedValues.length) out.push({ type: `${attr.name};range=0-0`, values: removedValues });
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
 * magic, version, the time, the USN reached, this DC's invocation ID, and the USN the pass started from.
 */
function makeCookie(dsa: Dsa, position: number, since: number): Buffer {
  const cookie = Buffer.alloc(48);
  COOKIE_MAGIC.copy(cookie, 0);
  cookie.writeUInt32LE(COOKIE_VERSION, 4);
  cookie.writeBigUInt64LE(toFileTime(dsa.now()), 8);
  cookie.writeBigUInt64LE(BigInt(position), 16);
  invocationId(dsa).copy(cookie, 24);
  cookie.writeBigUInt64LE(BigInt(since), 40);
  return cookie;
}

/** What a cookie covers; 0 and 0 for an empty cookie or one from another DC (a full sync). */
function cookieState(dsa: Dsa, cookie: Buffer): { since: number; position: number } {
  if (cookie.length === 0) return { since: 0, position: 0 };
  const version = cookie.length >= 8 ? cookie.readUInt32LE(4) : 0;
  const valid = cookie.subarray(0, 4).equals(COOKIE_MAGIC) && ((version === 3 && cookie.length === 40) || (version === 4 && cookie.length === 48));
  if (!valid) throw AdErrors.operationsError('Invalid DirSync cookie');
  if (!cookie.subarray(24, 40).equals(invocationId(dsa))) return { since: 0, position: 0 };
  const position = Number(cookie.readBigUInt64LE(16));
  return { since: version === 4 ? Number(cookie.readBigUInt64LE(40)) : position, position };
}

function invocationId(dsa: Dsa): Buffer {
  const known = dsa.store.getMeta<Buffer | Uint8Array>('invocationId');
  if (known) return Buffer.from(known);
  const id = randomBytes(16);
  dsa.store.write(() => dsa.store.putMeta('invocationId', id));
  return id;
}
