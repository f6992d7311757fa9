import type { Database, RootDatabase } from 'lmdb';
import { LmdbEnvironment } from '../../directory/lmdbEnvironment.js';
import type { ConnectorObject, ManagedObject, MetaverseObject, RunRecord } from '../model.js';

const LAST = '\uffff';
const RUNS_KEPT = 500;

/** Unique names: UPNs and proxy addresses (metaverse); sAMAccountNames, CNs and DNs in the managed domain. */
export type NameKind = 'upn' | 'proxy' | 'sam' | 'cn' | 'dn';

/**
 * The agent's own LMDB environment: the connector spaces, the metaverse, the managed-domain
 * connector space, the work queues between stages, the DirSync cookies and the run history.
 * Each stage commits its part together with the queue entries it consumes and produces, so a
 * crash at any point resumes where it stopped.
 */
export class AgentStore {
  private readonly environment: LmdbEnvironment;
  private readonly root: RootDatabase;
  private readonly connectorSpace: Database<ConnectorObject, [string, string]>;
  private readonly connectorDns: Database<string, [string, string]>;
  private readonly metaverse: Database<MetaverseObject, string>;
  private readonly references: Database<true, [string, string]>;
  private readonly nicknames: Database<true, [string, string]>;
  private readonly names: Database<string, [NameKind, string]>;
  private readonly managed: Database<ManagedObject, string>;
  private readonly queues: Database<true, string[]>;
  private readonly meta: Database<unknown, string>;
  private readonly runLog: Database<RunRecord, number>;
  private readonly passwordHashes: Database<string, string>;

  private constructor(readonly path: string) {
    this.environment = new LmdbEnvironment({ path, maxDbs: 16 });
    this.root = this.environment.root;
    this.connectorSpace = this.root.openDB({ name: 'connectorSpace' });
    this.connectorDns = this.root.openDB({ name: 'connectorDns' });
    this.metaverse = this.root.openDB({ name: 'metaverse' });
    this.references = this.root.openDB({ name: 'references' });
    this.nicknames = this.root.openDB({ name: 'nicknames' });
    this.names = this.root.openDB({ name: 'names' });
    this.managed = this.root.openDB({ name: 'managedSpace' });
    this.queues = this.root.openDB({ name: 'queues' });
    this.meta = this.root.openDB({ name: 'meta' });
    this.runLog = this.root.openDB({ name: 'runs' });
    this.passwordHashes = this.root.openDB({ name: 'passwordHashes' });
  }

  static open(path: string): AgentStore {
    return new AgentStore(path);
  }

  close(): Promise<void> {
    return this.environment.close();
  }

  /** One transaction: all of `fn`'s writes commit, or none. */
  write<T>(fn: () => T): T {
    return this.environment.transaction(fn);
  }

  // --- connector spaces -------------------------------------------------------------------

  connectorObject(connector: string, guid: string): ConnectorObject | undefined {
    return this.connectorSpace.get([connector, guid]);
  }

  putConnectorObject(object: ConnectorObject, previousDn?: string): void {
    if (previousDn !== undefined && previousDn.toLowerCase() !== object.dn.toLowerCase()) this.connectorDns.remove([object.connector, previousDn.toLowerCase()]);
    this.connectorSpace.put([object.connector, object.guid], object);
    this.connectorDns.put([object.connector, object.dn.toLowerCase()], object.guid);
  }

  removeConnectorObject(object: ConnectorObject): void {
    this.connectorSpace.remove([object.connector, object.guid]);
    if (this.connectorDns.get([object.connector, object.dn.toLowerCase()]) === object.guid) this.connectorDns.remove([object.connector, object.dn.toLowerCase()]);
  }

  /** The GUID of the connector-space object with this DN (DN-valued links from sources without extended DNs). */
  guidOfDn(connector: string, dn: string): string | undefined {
    return this.connectorDns.get([connector, dn.toLowerCase()]);
  }

  *connectorObjects(connector: string): Iterable<ConnectorObject> {
    for (const { value } of this.connectorSpace.getRange({ start: [connector], end: [connector, LAST] })) yield value;
  }

  // --- metaverse ----------------------------------------------------------------------------

  metaverseObject(objectId: string): MetaverseObject | undefined {
    return this.metaverse.get(objectId);
  }

  putMetaverseObject(object: MetaverseObject, previous?: MetaverseObject): void {
    const before = new Set(previous ? referencesOf(previous) : []);
    const after = new Set(referencesOf(object));
    for (const target of before) if (!after.has(target)) this.references.remove([target, object.objectId]);
    for (const target of after) if (!before.has(target)) this.references.put([target, object.objectId], true);
    const oldNick = nicknameOf(previous);
    const newNick = nicknameOf(object);
    if (oldNick !== newNick) {
      if (oldNick) this.nicknames.remove([oldNick, object.objectId]);
      if (newNick) this.nicknames.put([newNick, object.objectId], true);
    }
    this.metaverse.put(object.objectId, object);
  }

  removeMetaverseObject(object: MetaverseObject): void {
    for (const target of referencesOf(object)) this.references.remove([target, object.objectId]);
    const nick = nicknameOf(object);
    if (nick) this.nicknames.remove([nick, object.objectId]);
    this.metaverse.remove(object.objectId);
  }

  *metaverseObjects(): Iterable<MetaverseObject> {
    for (const { value } of this.metaverse.getRange()) yield value;
  }

  /** The metaverse objects whose members or manager name this one. */
  referrers(objectId: string): string[] {
    return [...this.references.getKeys({ start: [objectId], end: [objectId, LAST] })].map((k) => k[1]);
  }

  /** The metaverse users that share this mailNickname (case-insensitive). */
  nicknameHolders(mailNickname: string): string[] {
    const key = mailNickname.toLowerCase();
    return [...this.nicknames.getKeys({ start: [key], end: [key, LAST] })].map((k) => k[1]);
  }

  // --- unique names -----------------------------------------------------------------------

  nameHolder(kind: NameKind, value: string): string | undefined {
    return this.names.get([kind, value.toLowerCase()]);
  }

  claimName(kind: NameKind, value: string, objectId: string): void {
    this.names.put([kind, value.toLowerCase()], objectId);
  }

  releaseName(kind: NameKind, value: string, objectId: string): void {
    if (this.nameHolder(kind, value) === objectId) this.names.remove([kind, value.toLowerCase()]);
  }

  // --- managed-domain connector space -------------------------------------------------------

  managedObject(objectId: string): ManagedObject | undefined {
    return this.managed.get(objectId);
  }

  putManagedObject(object: ManagedObject): void {
    this.managed.put(object.objectId, object);
  }

  removeManagedObject(objectId: string): void {
    this.managed.remove(objectId);
  }

  *managedObjects(): Iterable<ManagedObject> {
    for (const { value } of this.managed.getRange()) yield value;
  }

  // --- queues between the stages ------------------------------------------------------------

  /** A connector-space object whose change the sync stage has not yet taken into the metaverse. */
  queueSync(connector: string, guid: string): void {
    this.queues.put(['sync', connector, guid], true);
  }

  syncQueue(limit: number): { connector: string; guid: string }[] {
    return [...this.queues.getKeys({ start: ['sync'], end: ['sync', LAST], limit })].map((k) => ({ connector: k[1]!, guid: k[2]! }));
  }

  dequeueSync(connector: string, guid: string): void {
    this.queues.remove(['sync', connector, guid]);
  }

  /** A metaverse object whose managed-domain state may differ from what it should be. */
  queueExport(objectId: string): void {
    this.queues.put(['export', objectId], true);
  }

  exportQueue(): string[] {
    return [...this.queues.getKeys({ start: ['export'], end: ['export', LAST] })].map((k) => k[1]!);
  }

  dequeueExport(objectId: string): void {
    this.queues.remove(['export', objectId]);
  }

  // --- Entra's hash of the hash -------------------------------------------------------------

  /** `v1;PPH1_MD4,<salt>,1000,<hash>;`: what Entra ID keeps for cloud sign-in (not usable to sign in elsewhere). */
  passwordHashHash(objectId: string): string | undefined {
    return this.passwordHashes.get(objectId);
  }

  putPasswordHashHash(objectId: string, value: string): void {
    this.passwordHashes.put(objectId, value);
  }

  // --- cookies, settings, runs ------------------------------------------------------------

  getMeta<T>(key: string): T | undefined {
    return this.meta.get(key) as T | undefined;
  }

  putMeta(key: string, value: unknown): void {
    this.meta.put(key, value);
  }

  nextRunNumber(): number {
    for (const key of this.runLog.getKeys({ reverse: true, limit: 1 })) return key + 1;
    return 1;
  }

  addRun(record: RunRecord): void {
    this.runLog.put(record.run, record);
    for (const key of this.runLog.getKeys({ end: record.run - RUNS_KEPT })) this.runLog.remove(key);
  }

  /** The latest runs, newest first. */
  runs(limit = 50): RunRecord[] {
    return [...this.runLog.getRange({ reverse: true, limit })].map((e) => e.value);
  }
}

function referencesOf(object: MetaverseObject): string[] {
  return object.manager ? [...object.members, object.manager] : object.members;
}

function nicknameOf(object: MetaverseObject | undefined): string | undefined {
  const nick = object?.objectType === 'user' ? object.attributes.mailNickname : undefined;
  return typeof nick === 'string' ? nick.toLowerCase() : undefined;
}
