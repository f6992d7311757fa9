import type { KeyObject } from 'node:crypto';
import type { HashEnvelope } from './crypto/hashEnvelope.js';
import { applySyncedCredentials, applySyncedCredentialsBatch, type SyncedCredentialsItem, type SyncedCredentialsResult } from './passwordHashSync.js';
import type { Logger } from 'pino';
import type { Change } from '../directory/changes.js';
import type { DirectoryStore } from '../directory/store.js';
import type { Schema } from '../directory/schema.js';
import type { AccessPolicy } from './acl.js';
import type { DomainIdentity } from './domain.js';
import type { Dsa, OperationContext } from './dsa.js';
import { AdErrors } from './errors.js';
import type { AttributeInput } from './input.js';
import { simpleBind } from './logon.js';
import { addObject } from './operations/add.js';
import { deleteObject, type DeleteOptions } from './operations/delete.js';
import { purgeTombstones } from './tombstones.js';
import { dirSync, type DirSyncRequest, type DirSyncResult } from './dirsync.js';
import { watchChanges, type NotificationRequest } from './notifications.js';
import { modifyObject, type ModifyOptions } from './operations/modify.js';
import { renameObject } from './operations/rename.js';
import { resolveBase, searchObjects, type SearchRequest } from './operations/search.js';
import type { Principal } from './principal.js';
import { attributeValues } from './readView.js';
import type { ResultEntry } from './readView.js';
import { equalityKey } from '../directory/syntax.js';

export interface DomainControllerOptions {
  store: DirectoryStore;
  schema: Schema;
  domain: DomainIdentity;
  secretKey: Buffer;
  access: AccessPolicy;
  log: Logger;
  clock?: () => Date;
  /** default true; false: NTLM password hash synchronization is off (entra.md 3.4) */
  ntlmHashes?: boolean;
  /** the private key hashes from password hash sync are sealed for (a managed domain's) */
  passwordSyncKey?: KeyObject;
}

/**
 * One domain controller's directory service: AD's behaviour over the directory store, with
 * nothing of LDAP's wire in it. The LDAP front, the CLI and the emulator all go through here.
 */
export class DomainController implements Dsa {
  readonly store: DirectoryStore;
  readonly schema: Schema;
  readonly domain: DomainIdentity;
  readonly secretKey: Buffer;
  readonly access: AccessPolicy;
  readonly log: Logger;
  readonly ntlmHashes: boolean;
  private readonly clock: () => Date;
  private readonly passwordSyncKey?: KeyObject;

  constructor(options: DomainControllerOptions) {
    this.store = options.store;
    this.schema = options.schema;
    this.domain = options.domain;
    this.secretKey = options.secretKey;
    this.access = options.access;
    this.log = options.log;
    this.clock = options.clock ?? (() => new Date());
    this.ntlmHashes = options.ntlmHashes ?? true;
    this.passwordSyncKey = options.passwordSyncKey;
  }

  now(): Date {
    return this.clock();
  }

  bind(name: string, password: string): Principal {
    return simpleBind(this, name, password);
  }

  search(request: SearchRequest, ctx: OperationContext): Iterable<ResultEntry> {
    return searchObjects(this, request, ctx);
  }

  add(dn: string, attributes: readonly AttributeInput[], ctx: OperationContext): string {
    return addObject(this, dn, attributes, ctx);
  }

  modify(dn: string, changes: readonly Change[], ctx: OperationContext, options?: ModifyOptions): void {
    modifyObject(this, dn, changes, ctx, options);
  }

  delete(dn: string, ctx: OperationContext, options?: DeleteOptions): void {
    deleteObject(this, dn, ctx, options);
  }

  /** Removes tombstones older than the tombstone lifetime; returns how many. */
  purgeTombstones(lifetimeDays: number): number {
    return purgeTombstones(this, lifetimeDays);
  }

  rename(dn: string, newRdn: string, deleteOldRdn: boolean, newSuperior: string | undefined, ctx: OperationContext): void {
    renameObject(this, dn, newRdn, deleteOldRdn, newSuperior, ctx);
  }

  /** Change notification: `deliver` sees each committed change in scope; returns the unsubscribe. */
  watch(request: NotificationRequest, ctx: OperationContext, deliver: (entry: ResultEntry) => void): () => void {
    return watchChanges(this, request, ctx, deliver);
  }

  /** Password hash sync's privileged write: a user's hashes, sealed for this domain (ad/passwordHashSync). */
  setSyncedCredentials(dn: string, envelope: HashEnvelope, ctx: OperationContext): void {
    applySyncedCredentials(this, this.passwordSyncKey, dn, envelope, ctx);
  }

  /** The same for many users in one transaction, a result for each. */
  setSyncedCredentialsBatch(items: readonly SyncedCredentialsItem[], ctx: OperationContext): SyncedCredentialsResult[] {
    return applySyncedCredentialsBatch(this, this.passwordSyncKey, items, ctx);
  }

  /** DirSync: what changed since a cookie (ad/dirsync). */
  dirSync(request: DirSyncRequest, ctx: OperationContext): DirSyncResult {
    return dirSync(this, request, ctx);
  }

  /** LDAP compare (RFC 4511 4.10): true or false, or AD's error when the attribute is unknown. */
  compare(dn: string, attribute: string, value: Buffer, ctx: OperationContext): boolean {
    if (!this.access.canRead(ctx.principal)) throw AdErrors.notAuthenticated();
    const entry = resolveBase(this, dn);
    const attr = this.schema.attribute(attribute);
    if (!attr) throw AdErrors.undefinedAttributeType();
    const asserted = attr.binary ? value : value.toString('utf8');
    const key = equalityKey(attr, asserted);
    const values = attributeValues(this, entry, attr);
    if (values.length === 0) throw AdErrors.noSuchAttribute(attr);
    return values.some((v) => equalityKey(attr, v) === key);
  }

  /** The highest USN committed so far (rootDSE highestCommittedUSN). */
  highestCommittedUsn(): number {
    return this.store.highestUsn();
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
