import { join } from 'node:path';
import type { Logger } from 'pino';
import type { SyncConfig } from './config.js';
import { addedCloudUser, CloudUserError, createCloudUser, type CloudUser, type NewCloudUser } from './cloud/users.js';
import { watchChanges } from './connectors/changeNotification.js';
import { ManagedConnector } from './connectors/managedConnector.js';
import { SourceConnector } from './connectors/sourceConnector.js';
import { requireFullSync, runCycle, type CycleOptions } from './cycle.js';
import type { RunRecord } from './model.js';
import { checkCloudPasswordPolicy, pushCloudPassword, type CloudPasswordOptions } from './passwords/cloudPasswords.js';
import { loadPasswordSyncKey } from './passwords/hashSync.js';
import { readCloudObjects } from './rules/cloudObjects.js';
import { scopeFingerprint } from './rules/scoping.js';
import { AgentStore } from './state/agentStore.js';
import { withCycleLock } from './state/cycleLock.js';

/**
 * The sync agent: Entra Connect plus the Entra ID to Domain Services sync, over LDAP only. Runs
 * cycles on request (`syncNow`, the CLI), on the source DCs' change notifications (live) and on a
 * schedule; at most one cycle is in flight, and requests made while one runs share the next.
 */
export class SyncAgent {
  readonly store: AgentStore;
  private readonly sources: SourceConnector[];
  private readonly managed: ManagedConnector;
  private tail: Promise<unknown> = Promise.resolve();
  private queued?: Promise<RunRecord>;
  private watchers: { stop(): void }[] = [];
  private timer?: NodeJS.Timeout;
  private passwordTimer?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;
  private stopped = false;

  constructor(readonly config: SyncConfig, readonly stateDir: string, private readonly log: Logger) {
    this.store = AgentStore.open(join(stateDir, 'agent'));
    this.sources = config.sources.map((s) => new SourceConnector(s));
    this.managed = new ManagedConnector(config.target);
    // Domain Services: any scope change triggers a full resync (scoped-synchronization.md).
    const fingerprint = scopeFingerprint(config.scope, Object.fromEntries(config.sources.map((s) => [s.name, s.includeOUs])));
    const known = this.store.getMeta<string>('scope');
    if (known !== fingerprint) {
      this.store.write(() => this.store.putMeta('scope', fingerprint));
      if (known !== undefined) requireFullSync(this.store);
    }
  }

  /** Starts the schedule: change notifications (live) and the periodic delta cycle. */
  start(): void {
    const { schedule } = this.config;
    if (schedule.notifications) {
      for (const source of this.config.sources) {
        this.watchers.push(watchChanges({
          ...source,
          onChange: () => this.changed(),
          onError: (e) => this.log.debug({ source: source.name, err: e.message }, 'change notification interrupted'),
        }));
      }
    }
    // With its own interval (realistic), the hash channel runs apart from the object cycles.
    const ownPasswordCycle = schedule.passwordIntervalMs > 0;
    this.timer = setInterval(() => void this.request({ trigger: 'schedule', passwords: !ownPasswordCycle }).catch(() => undefined), schedule.deltaIntervalMs);
    this.timer.unref();
    if (ownPasswordCycle) {
      this.passwordTimer = setInterval(() => void this.run({ trigger: 'password schedule', objects: false }).catch(() => undefined), schedule.passwordIntervalMs);
      this.passwordTimer.unref();
    }
  }

  /** Runs a delta cycle now (after the one in flight): the managed domain then reflects every on-prem change committed before the call. */
  syncNow(): Promise<RunRecord> {
    return this.request({ trigger: 'syncNow' });
  }

  /** A cycle with options (full, dry run, one object, allow deletes); never shared with other requests. */
  run(options: CycleOptions): Promise<RunRecord> {
    return this.enqueue(options);
  }

  /** Creates a cloud-only user in the tenant (no password yet); the next cycle brings it to the managed domain. */
  addCloudUser(user: NewCloudUser): CloudUser {
    const created = createCloudUser(this.store, this.config.tenant, user, this.seedUpns());
    this.log.info({ userPrincipalName: created.userPrincipalName, objectId: created.objectId }, 'cloud-only user created');
    return created;
  }

  /**
   * Sets a cloud-only user's password, as the tenant does: its hashes reach the managed domain at
   * once (after a cycle that brings the user there, when it is not yet). A synced user's password
   * is set on-prem and refused here.
   */
  async setCloudPassword(userPrincipalName: string, password: string, options: CloudPasswordOptions = {}): Promise<void> {
    checkCloudPasswordPolicy(password);
    const keyFile = this.config.passwordSyncKeyFile;
    if (!keyFile) throw new CloudUserError('the managed domain has no password sync key: cloud-only passwords cannot reach it');
    let objectId = this.cloudUserId(userPrincipalName);
    const known = objectId !== undefined || addedCloudUser(this.store, userPrincipalName) !== undefined || this.seedUpns().some((u) => u.toLowerCase() === userPrincipalName.toLowerCase());
    if (!known) throw new CloudUserError(`no user ${userPrincipalName} in the tenant`);
    if (objectId === undefined || !this.store.managedObject(objectId)) {
      await this.syncNow();
      objectId = this.cloudUserId(userPrincipalName);
    }
    if (objectId === undefined) throw new CloudUserError(`no user ${userPrincipalName} in the tenant`);
    const id = objectId;
    await this.exclusive(async () => {
      const target = this.store.managedObject(id);
      if (!target) throw new CloudUserError(`${userPrincipalName} is not in the managed domain (out of Domain Services' synchronization scope, or its export failed: dsemu explain ${userPrincipalName})`);
      await pushCloudPassword(this.store, this.managed, loadPasswordSyncKey(keyFile), target, password, options);
    });
    this.log.info({ userPrincipalName, forceChange: options.forceChange === true }, 'cloud-only user password set');
  }

  history(limit?: number): RunRecord[] {
    return this.store.runs(limit);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.watchers) w.stop();
    this.watchers = [];
    if (this.timer) clearInterval(this.timer);
    if (this.passwordTimer) clearInterval(this.passwordTimer);
    if (this.debounce) clearTimeout(this.debounce);
    await this.tail.catch(() => undefined);
    await Promise.all(this.sources.map((s) => s.close()));
    await this.managed.close();
    await this.store.close();
  }

  /** The metaverse objectId of a cloud-only user; refuses a synced user or a group. */
  private cloudUserId(userPrincipalName: string): string | undefined {
    const objectId = this.store.nameHolder('upn', userPrincipalName);
    const mv = objectId === undefined ? undefined : this.store.metaverseObject(objectId);
    if (!mv) return undefined;
    if (!mv.cloudOnly) {
      const source = mv.anchor.slice(0, mv.anchor.indexOf('|'));
      throw new CloudUserError(`${userPrincipalName} is synchronized from on-premises (${source}): set its password there; password hash sync brings it to the managed domain`);
    }
    if (mv.objectType !== 'user') throw new CloudUserError(`${userPrincipalName} is not a user`);
    return objectId;
  }

  /** The UPNs of the seed file's cloud-only users (and of the added ones, checked by createCloudUser). */
  private seedUpns(): string[] {
    const file = this.config.cloudObjectsFile;
    return file ? readCloudObjects(file).flatMap((o) => o.attrs.userPrincipalName ?? []) : [];
  }

  /** `fn` after the cycle in flight, holding the cycle lock (no cycle of any process runs meanwhile). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.catch(() => undefined).then(() => {
      if (this.stopped) throw new Error('the sync agent is stopped');
      return withCycleLock(join(this.stateDir, 'cycle.lock'), fn);
    });
    this.tail = next;
    return next;
  }

  private changed(): void {
    if (this.debounce || this.stopped) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.request({ trigger: 'notification', passwords: this.config.schedule.passwordIntervalMs === 0 }).catch(() => undefined);
    }, this.config.schedule.debounceMs);
  }

  /** A delta cycle: the one queued behind the running cycle if there is one, else a new one. */
  private request(options: CycleOptions): Promise<RunRecord> {
    if (this.queued) return this.queued;
    const queued = this.enqueue(options, () => {
      if (this.queued === queued) this.queued = undefined;
    });
    this.queued = queued;
    return queued;
  }

  private enqueue(options: CycleOptions, starting?: () => void): Promise<RunRecord> {
    const next = this.tail.catch(() => undefined).then(() => {
      starting?.();
      if (this.stopped) throw new Error('the sync agent is stopped');
      return withCycleLock(join(this.stateDir, 'cycle.lock'), () => runCycle({ store: this.store, config: this.config, sources: this.sources, managed: this.managed, log: this.log }, options));
    });
    this.tail = next;
    return next;
  }
}
