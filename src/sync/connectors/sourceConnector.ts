import type { Client, Entry } from 'ldapts';
import { guidToString, sidToString } from '../../directory/binary.js';
import { DirSyncControl, DirSyncFlags, ExtendedDnControl, parseExtendedDnValue } from './controls.js';
import { connect, type LdapEndpoint } from './ldapConnection.js';

/** The attributes the inbound rules read (Entra Connect's AD connector attribute inclusion list, trimmed to what Domain Services uses). */
export const IMPORTED_ATTRIBUTES = [
  'objectGUID', 'objectSid', 'objectClass', 'cn', 'name', 'sAMAccountName', 'userPrincipalName', 'userAccountControl',
  'isCriticalSystemObject', 'adminDescription', 'msExchRecipientTypeDetails', 'mailNickname', 'mail', 'proxyAddresses',
  'displayName', 'givenName', 'sn', 'l', 'co', 'c', 'st', 'streetAddress', 'postalCode', 'physicalDeliveryOfficeName', 'title',
  'department', 'company', 'telephoneNumber', 'mobile', 'facsimileTelephoneNumber', 'employeeID', 'preferredLanguage',
  'manager', 'member', 'groupType', 'pwdLastSet', 'mS-DS-ConsistencyGuid', 'isDeleted',
] as const;

/** DN-valued attributes the rules follow, kept as GUID references. */
export const LINK_ATTRIBUTES = ['member', 'manager'] as const;
const BINARY = ['objectGUID', 'objectSid', 'mS-DS-ConsistencyGuid', 'parentGUID'];
const CANONICAL = new Map<string, string>([...IMPORTED_ATTRIBUTES, 'parentGUID'].map((n) => [n.toLowerCase(), n]));

/** One object's change as DirSync reports it. */
export interface ImportedChange {
  guid: string;
  dn: string;
  deleted: boolean;
  /** changed attributes with all their values; [] = cleared */
  attrs: Record<string, string[]>;
  /** link values: whole sets (`replace`), or with incremental values what was added and removed */
  links: Record<string, { replace?: string[]; add?: string[]; remove?: string[] }>;
}

export interface SourceConnectorOptions extends LdapEndpoint {
  /** the source domain's DNS name (the connector's name) */
  name: string;
  baseDn: string;
}

/**
 * The AD connector: reads a source DC over LDAP with DirSync (MS-ADTS 3.1.1.3.4.1.3), as Entra
 * Connect's delta import does. Works against any AD: only DirSync, extended DNs and a bind.
 */
export class SourceConnector {
  private client?: Client;

  constructor(readonly options: SourceConnectorOptions) {}

  get name(): string {
    return this.options.name;
  }

  /**
   * The changes since `cookie` (everything for an empty one), a DirSync batch at a time. The next
   * batch is asked for as soon as a batch arrives, so the DC reads it while the caller stores this one.
   */
  async *changesSince(cookie: Buffer): AsyncGenerator<{ changes: ImportedChange[]; cookie: Buffer }> {
    const client = await this.connection();
    for await (const { changes, cookie: next } of prefetching(cookie, (c) => this.batch(client, c))) yield { changes, cookie: next };
  }

  private async batch(client: Client, cookie: Buffer): Promise<{ changes: ImportedChange[]; cookie: Buffer; more: boolean }> {
    const control = new DirSyncControl({ flags: DirSyncFlags.incrementalValues, cookie });
    const { searchEntries } = await client.search(this.options.baseDn, {
      scope: 'sub',
      filter: '(|(objectClass=user)(objectClass=group))',
      // All attributes, not IMPORTED_ATTRIBUTES: ldapts gives a requested attribute the server did
      // not send an empty value, and DirSync sends a cleared attribute with no values.
      attributes: ['*'],
      explicitBufferAttributes: BINARY,
    }, [control, new ExtendedDnControl()]);
    return { changes: searchEntries.map(toChange).filter((c): c is ImportedChange => c !== undefined), cookie: control.cookie, more: control.moreResults };
  }

  /**
   * The users whose password changed since `cookie`, with their NT hash and Kerberos keys, as the
   * replication principal reads them (over LDAPS or loopback only; the DC enforces it). dsemu's DC
   * hands them out through DirSync (README, "Password hashes for the replication principal");
   * Windows and Samba keep them to MS-DRSR, so against those this yields no hashes.
   */
  async *passwordChangesSince(cookie: Buffer): AsyncGenerator<{ changes: PasswordChange[]; cookie: Buffer }> {
    const client = await this.connection();
    const wipe = (batch: { changes: PasswordChange[]; cookie: Buffer; more: boolean }): void => {
      for (const change of batch.changes) change.nt.fill(0);
    };
    for await (const { changes, cookie: next } of prefetching(cookie, (c) => this.passwordBatch(client, c), wipe)) yield { changes, cookie: next };
  }

  private async passwordBatch(client: Client, cookie: Buffer): Promise<{ changes: PasswordChange[]; cookie: Buffer; more: boolean }> {
    const control = new DirSyncControl({ flags: 0, cookie });
    const { searchEntries } = await client.search(this.options.baseDn, {
      scope: 'sub',
      filter: '(&(objectCategory=person)(objectClass=user))',
      attributes: ['objectGUID', 'pwdLastSet', 'unicodePwd', 'supplementalCredentials'],
      explicitBufferAttributes: ['objectGUID', 'unicodePwd', 'supplementalCredentials'],
    }, [control]);
    return { changes: searchEntries.map(toPasswordChange).filter((c): c is PasswordChange => c !== undefined), cookie: control.cookie, more: control.moreResults };
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.unbind().catch(() => undefined);
  }

  private async connection(): Promise<Client> {
    if (this.client?.isConnected) return this.client;
    this.client = await connect(this.options);
    return this.client;
  }
}

/**
 * DirSync batches from `cookie` on, the next asked for as soon as a batch arrives, so the DC
 * reads it while the caller stores this one. A batch read ahead for a caller that stopped early
 * goes to `discard` when it arrives (hashes are wiped, not left to the garbage collector).
 */
async function* prefetching<T extends { cookie: Buffer; more: boolean }>(cookie: Buffer, batch: (cookie: Buffer) => Promise<T>, discard?: (unread: T) => void): AsyncGenerator<T> {
  let next: Promise<T> | undefined;
  try {
    for (let current = await batch(cookie); ; ) {
      if (current.more) {
        next = batch(current.cookie);
        // A caller that stops early leaves it unread: not an unhandled rejection.
        next.catch(() => undefined);
      }
      yield current;
      if (!next) return;
      current = await next;
      next = undefined;
    }
  } finally {
    if (next && discard) next.then(discard, () => undefined);
  }
}

/** An attribute description as DirSync names it (`member;range=1-1`): the rules' name and its range option. */
interface Description {
  name: string;
  link: boolean;
  range?: string;
}

/** Descriptions seen so far (a few dozen names, the same in every entry); null: not imported. */
const descriptions = new Map<string, Description | null>();

function described(rawName: string): Description | null {
  let known = descriptions.get(rawName);
  if (known !== undefined) return known;
  const [base, ...options] = rawName.split(';');
  const name = CANONICAL.get(base!.toLowerCase());
  known = name ? { name, link: (LINK_ATTRIBUTES as readonly string[]).includes(name), range: options.find((o) => o.toLowerCase().startsWith('range='))?.slice(6) } : null;
  // Bounded: a server that invents names cannot grow it without limit.
  if (descriptions.size < 4096) descriptions.set(rawName, known);
  return known;
}

function toChange(entry: Entry): ImportedChange | undefined {
  const change: ImportedChange = { guid: '', dn: parseExtendedDnValue(entry.dn).dn, deleted: false, attrs: {}, links: {} };
  for (const rawName in entry) {
    if (rawName === 'dn') continue;
    const description = described(rawName);
    if (!description) continue;
    const { name, range } = description;
    const raw = entry[rawName];
    const values = (Array.isArray(raw) ? raw : [raw]) as (string | Buffer)[];
    if (description.link) {
      const targets = values.map((v) => linkTarget(String(v)));
      const link = (change.links[name] ??= {});
      if (range === '1-1') link.add = targets;
      else if (range === '0-0') link.remove = targets;
      else link.replace = targets;
      continue;
    }
    change.attrs[name] = values.map((v) => textOf(name, v));
  }
  change.guid = change.attrs.objectGUID?.[0] ?? '';
  change.deleted = change.attrs.isDeleted?.[0]?.toUpperCase() === 'TRUE';
  return change.guid ? change : undefined;
}

/** A user's credentials as the source DC derived them; the caller wipes `nt` after use. */
export interface PasswordChange {
  guid: string;
  nt: Buffer;
  kerberos?: { salt: string; iterations: number; aes256: string; aes128: string };
  pwdLastSet?: string;
}

function toPasswordChange(entry: Entry): PasswordChange | undefined {
  const one = (name: string): string | Buffer | undefined => {
    const v = entry[name];
    return Array.isArray(v) ? (v[0] as string | Buffer | undefined) : (v as string | Buffer | undefined);
  };
  const guid = one('objectGUID');
  const nt = one('unicodePwd');
  if (!Buffer.isBuffer(guid) || guid.length !== 16 || !Buffer.isBuffer(nt) || nt.length !== 16) return undefined;
  const change: PasswordChange = { guid: guidToString(guid), nt };
  const pwdLastSet = one('pwdLastSet');
  if (pwdLastSet !== undefined) change.pwdLastSet = String(pwdLastSet);
  const supplemental = one('supplementalCredentials');
  if (Buffer.isBuffer(supplemental)) {
    try {
      const k = (JSON.parse(supplemental.toString('utf8')) as Record<string, { salt: string; iterations: number; keys: { type: number; value: string }[] }>)['Primary:Kerberos-Newer-Keys'];
      const key = (type: number): string | undefined => k?.keys.find((x) => x.type === type)?.value;
      if (k && key(18) && key(17)) change.kerberos = { salt: k.salt, iterations: k.iterations, aes256: key(18)!, aes128: key(17)! };
    } catch {
      // Not dsemu's layout (a real DC's USER_PROPERTIES): the NT hash alone still signs in.
    }
  }
  return change;
}

function textOf(name: string, value: string | Buffer): string {
  if (typeof value === 'string') return value;
  if (name === 'objectGUID' || name === 'parentGUID') return guidToString(value);
  if (name === 'objectSid') return sidToString(value);
  return value.toString('base64');
}

/** A link value as a reference: the target's GUID when the source says it, else `dn:<DN>`. */
function linkTarget(value: string): string {
  const { guid, dn } = parseExtendedDnValue(value);
  if (!guid) return `dn:${dn}`;
  return /^[0-9a-f]{32}$/.test(guid) ? guidToString(Buffer.from(guid, 'hex')) : guid;
}
