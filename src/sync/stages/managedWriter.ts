import { escapeRdnValue, rdnValue } from '../../directory/dn.js';
import { resultCodeOf } from '../connectors/ldapConnection.js';
import type { ManagedChange, ManagedEntry } from '../connectors/managedConnector.js';
import type { ManagedObject } from '../model.js';
import { MANAGED_ATTRIBUTES, type DesiredObject } from '../rules/outbound.js';
import { generatedSamAccountName, plainSamAccountName, uniqueCn } from '../rules/samAccountName.js';
import type { AgentStore } from '../state/agentStore.js';
import type { Committer } from './committer.js';
import type { ExportContext } from './exportStage.js';

const MAX_NAME_ATTEMPTS = 50;
const READ_ATTRIBUTES = [...new Set([...MANAGED_ATTRIBUTES.user, ...MANAGED_ATTRIBUTES.group, 'cn', 'sAMAccountName', 'objectClass', 'member', 'manager'])];

/**
 * The export's writes to the managed domain, as the sync principal: adds (with the CN and
 * sAMAccountName handed out here), updates, renames, links and deletes, each recorded in the
 * managed connector space once the DC took it, and a crash's unrecorded write found and adopted.
 */
export class ManagedWriter {
  /** DNs of objects written in this run, before their records are committed */
  private readonly written = new Map<string, string>();
  private readonly added = new Set<string>();
  /** CN (lower case) -> objectId, handed out before the adds run; objectId -> its attempt */
  private readonly reservedCns = new Map<string, string>();
  private readonly cnAttempts = new Map<string, number>();

  constructor(private readonly ctx: ExportContext, private readonly committer: Committer) {}

  private dnOf(objectId: string): string | undefined {
    return this.written.get(objectId) ?? this.store.managedObject(objectId)?.dn;
  }

  private get store(): AgentStore {
    return this.ctx.store;
  }

  /** Creates or updates an object's attributes and name (not its links). */
  async put(objectId: string, desired: DesiredObject): Promise<void> {
    const current = this.store.managedObject(objectId) ?? (await this.add(objectId, desired));
    if (!current) return;
    try {
      await this.update(current, desired);
    } catch (e) {
      if (resultCodeOf(e) !== 32) throw e;
      // Not at the DN we recorded (a crash between a rename and its record): found where it is,
      // or (gone from the managed domain) added again.
      const found = await this.adopt(objectId, desired);
      if (found) return this.update(found, desired);
      this.store.write(() => this.forget(current));
      const adopted = await this.add(objectId, desired);
      if (adopted) await this.update(adopted, desired);
    }
  }

  async remove(objectId: string): Promise<void> {
    const current = this.store.managedObject(objectId)!;
    try {
      await this.ctx.managed.delete(current.dn);
    } catch (e) {
      if (resultCodeOf(e) !== 32) throw e;
      // Renamed without our record of it: deleted where it is (if it is still anywhere).
      const moved = await this.located(objectId, ['1.1']);
      if (moved) await this.ctx.managed.delete(moved.dn);
    }
    this.ctx.counts.deletes++;
    this.written.delete(objectId);
    this.committer.add(() => {
      this.forget(current);
      // The DC drops link values naming a deleted object; so does our record of them.
      for (const referrer of this.store.referrers(objectId)) {
        const other = this.store.managedObject(referrer);
        if (!other) continue;
        const attrs = { ...other.attrs };
        for (const link of ['member', 'manager']) if (attrs[link]?.includes(objectId)) attrs[link] = attrs[link]!.filter((id) => id !== objectId);
        this.store.putManagedObject({ ...other, attrs });
      }
    });
  }

  /** Members (groups) and manager (users): only those that exist in the managed domain. */
  async link(objectId: string, desired: DesiredObject): Promise<void> {
    const current = this.store.managedObject(objectId);
    if (!current) return;
    const exported = (id: string): boolean => this.dnOf(id) !== undefined;
    const want: Record<string, string[]> = { member: desired.members.filter(exported), manager: desired.manager && exported(desired.manager) ? [desired.manager] : [] };
    const changesFor = (have: ManagedObject): ManagedChange[] => {
      const changes: ManagedChange[] = [];
      const dnOf = (id: string): string | undefined => this.dnOf(id);
      const had = new Set(have.attrs.member ?? []);
      const wanted = new Set(want.member);
      const added = want.member!.filter((id) => !had.has(id)).map(dnOf).filter((dn): dn is string => dn !== undefined);
      const removed = [...had].filter((id) => !wanted.has(id)).map(dnOf).filter((dn): dn is string => dn !== undefined);
      if (added.length) changes.push({ operation: 'add', type: 'member', values: added });
      if (removed.length) changes.push({ operation: 'delete', type: 'member', values: removed });
      if (desired.objectType === 'user' && !sameSet(want.manager!, have.attrs.manager ?? [])) {
        changes.push(want.manager!.length ? { operation: 'replace', type: 'manager', values: [dnOf(want.manager![0]!)!] } : { operation: 'replace', type: 'manager', values: [] });
      }
      return changes;
    };
    let changes = changesFor(current);
    if (changes.length === 0) return;
    let base = current;
    try {
      await this.ctx.managed.modify(current.dn, changes);
    } catch (e) {
      // Our record was behind the DC (a crash between a write and its record): read, then redo.
      if (![16, 20, 53, 68].includes(resultCodeOf(e) ?? 0)) throw e;
      base = await this.reread(current);
      changes = changesFor(base);
      if (changes.length) await this.ctx.managed.modify(base.dn, changes);
    }
    if (!this.added.has(objectId)) this.ctx.counts.updates++;
    const attrs = { ...base.attrs, member: want.member!, manager: want.manager! };
    this.committer.add(() => this.store.putManagedObject({ ...base, attrs }));
  }

  private async add(objectId: string, desired: DesiredObject): Promise<ManagedObject | undefined> {
    const { managed } = this.ctx;
    let cnAttempt = this.cnAttempts.get(objectId) ?? 0;
    let samAttempt = this.wantsGeneratedSam(objectId, desired) ? 0 : -1;
    // Links to objects that already exist go with the add; the others wait for the link pass.
    const links: Record<string, string[]> = {};
    const linked: Record<string, string[]> = {};
    const targets: Record<string, string[]> = desired.objectType === 'user' ? { manager: desired.manager ? [desired.manager] : [] } : { member: desired.members };
    for (const [name, ids] of Object.entries(targets)) {
      const present = ids.filter((id) => this.dnOf(id) !== undefined);
      if (present.length === 0) continue;
      linked[name] = present;
      links[name] = present.map((id) => this.dnOf(id)!);
    }
    for (let i = 0; i < MAX_NAME_ATTEMPTS; i++) {
      const cn = this.freeCn(objectId, desired.cn, cnAttempt);
      cnAttempt = cn.attempt;
      const sam = this.freeSam(objectId, desired, samAttempt);
      samAttempt = sam.attempt;
      const dn = `CN=${escapeRdnValue(cn.value)},${managed.usersOu}`;
      try {
        await managed.add(dn, { objectClass: [desired.objectType], sAMAccountName: [sam.value], ...desired.attrs, ...links });
      } catch (e) {
        const code = resultCodeOf(e);
        if (code !== 68 && code !== 19) throw e;
        const adopted = await this.adopt(objectId, desired);
        if (adopted) return adopted;
        if (code === 19) throw e;
        if (await managed.read(dn, ['objectClass'])) cnAttempt++;
        else samAttempt++;
        continue;
      }
      const record: ManagedObject = { objectId, objectType: desired.objectType, dn, cn: desired.cn, sAMAccountName: sam.value, attrs: { ...desired.attrs, ...linked } };
      this.written.set(objectId, dn);
      this.added.add(objectId);
      this.ctx.counts.adds++;
      this.committer.add(() => this.remember(record));
      return undefined;
    }
    throw new Error(`no free name for ${desired.cn} after ${MAX_NAME_ATTEMPTS} attempts`);
  }

  private async update(current: ManagedObject, desired: DesiredObject): Promise<void> {
    let record = current;
    if (desired.cn !== current.cn) record = await this.rename(current, desired.cn);
    const changes = attributeChanges(record, desired);
    if (changes.length) {
      try {
        await this.ctx.managed.modify(record.dn, changes);
      } catch (e) {
        if (resultCodeOf(e) !== 16) throw e;
        record = await this.reread(record);
        const again = attributeChanges(record, desired);
        if (again.length) await this.ctx.managed.modify(record.dn, again);
      }
      this.ctx.counts.updates++;
    }
    if (changes.length || record !== current) {
      const next: ManagedObject = { ...record, attrs: { ...pickLinks(record.attrs), ...desired.attrs } };
      this.committer.add(() => this.remember(next, current));
    }
  }

  private async rename(current: ManagedObject, cn: string): Promise<ManagedObject> {
    for (let attempt = 0, i = 0; i < MAX_NAME_ATTEMPTS; i++, attempt++) {
      const free = this.freeCn(current.objectId, cn, attempt);
      attempt = free.attempt;
      const rdn = `CN=${escapeRdnValue(free.value)}`;
      try {
        await this.ctx.managed.rename(current.dn, rdn);
      } catch (e) {
        if (resultCodeOf(e) === 68) continue;
        throw e;
      }
      this.ctx.counts.renames++;
      this.written.set(current.objectId, `${rdn},${this.ctx.managed.usersOu}`);
      return { ...current, cn, dn: `${rdn},${this.ctx.managed.usersOu}` };
    }
    throw new Error(`no free name for ${cn}`);
  }

  /**
   * Takes over an object the managed domain already has: one this agent wrote but did not record
   * (a crash in between), or one made before the sync brought its owner (the bootstrap
   * administrator by UPN, AAD DC Administrators by name).
   */
  private async adopt(objectId: string, desired: DesiredObject): Promise<ManagedObject | undefined> {
    const { managed } = this.ctx;
    let entry = await this.located(objectId, READ_ATTRIBUTES);
    if (!entry) {
      const upn = desired.attrs.userPrincipalName?.[0];
      const unclaimed = desired.objectType === 'user'
        ? upn && `(&(objectClass=user)(userPrincipalName=${escapeFilter(upn)})(!(msDS-aadObjectId=*)))`
        : `(&(objectClass=group)(|(sAMAccountName=${escapeFilter(desired.samSource)})(cn=${escapeFilter(desired.cn)}))(!(msDS-aadObjectId=*)))`;
      if (unclaimed) [entry] = await managed.find(unclaimed, READ_ATTRIBUTES);
    }
    if (!entry) return undefined;
    const record = this.fromEntry(objectId, desired.objectType, entry);
    // Stays with the name it has; a CN other than the rules' is renamed by the update.
    record.cn = entry.attrs.cn?.[0] ?? desired.cn;
    this.written.set(objectId, record.dn);
    this.store.write(() => this.remember(record));
    return record;
  }

  /** The managed-domain object joined to `objectId` by its msDS-aadObjectId, wherever it is in the OU. */
  private async located(objectId: string, attributes: string[]): Promise<ManagedEntry | undefined> {
    const [entry] = await this.ctx.managed.find(`(msDS-aadObjectId=${escapeFilter(objectId)})`, attributes);
    return entry;
  }

  private async reread(current: ManagedObject): Promise<ManagedObject> {
    const entry = await this.ctx.managed.read(current.dn, READ_ATTRIBUTES);
    if (!entry) throw new Error(`${current.dn} is gone from the managed domain`);
    return { ...this.fromEntry(current.objectId, current.objectType, entry), cn: current.cn };
  }

  private fromEntry(objectId: string, objectType: ManagedObject['objectType'], entry: ManagedEntry): ManagedObject {
    const attrs: Record<string, string[]> = {};
    const byLower = new Map(Object.entries(entry.attrs).map(([k, v]) => [k.toLowerCase(), v]));
    for (const name of MANAGED_ATTRIBUTES[objectType]) {
      const values = byLower.get(name.toLowerCase());
      if (values?.length) attrs[name] = values;
    }
    // Links naming objects the agent does not own (a bootstrap member) are left alone.
    for (const link of ['member', 'manager']) {
      const ids = (byLower.get(link) ?? []).map((dn) => this.store.nameHolder('dn', dn)).filter((id): id is string => id !== undefined);
      if (ids.length) attrs[link] = ids;
    }
    return { objectId, objectType, dn: entry.dn, cn: byLower.get('cn')?.[0] ?? '', sAMAccountName: byLower.get('samaccountname')?.[0] ?? '', attrs };
  }

  private remember(record: ManagedObject, previous?: ManagedObject): void {
    const before = previous ?? this.store.managedObject(record.objectId);
    if (before) this.forgetNames(before);
    this.store.putManagedObject(record);
    this.store.claimName('dn', record.dn, record.objectId);
    this.store.claimName('cn', rdnValue(record.dn).value, record.objectId);
    if (record.sAMAccountName) this.store.claimName('sam', record.sAMAccountName, record.objectId);
  }

  private forget(record: ManagedObject): void {
    this.forgetNames(record);
    this.store.removeManagedObject(record.objectId);
  }

  private forgetNames(record: ManagedObject): void {
    this.store.releaseName('dn', record.dn, record.objectId);
    this.store.releaseName('cn', rdnValue(record.dn).value, record.objectId);
    if (record.sAMAccountName) this.store.releaseName('sam', record.sAMAccountName, record.objectId);
  }

  /** synchronization.md: generated when several users share the mailNickname, or it is too long. */
  private wantsGeneratedSam(objectId: string, desired: DesiredObject): boolean {
    if (plainSamAccountName(desired.samSource) === undefined) return true;
    if (desired.objectType !== 'user') return false;
    const upnPrefix = desired.attrs.userPrincipalName?.[0]?.split('@')[0] ?? '';
    if (upnPrefix.length > 20) return true;
    return this.store.nicknameHolders(desired.samSource).some((id) => id !== objectId);
  }

  private freeSam(objectId: string, desired: DesiredObject, from: number): { value: string; attempt: number } {
    for (let attempt = from; ; attempt++) {
      const value = attempt < 0 ? desired.samSource.trim() : generatedSamAccountName(desired.samSource, objectId, attempt, desired.objectType);
      const holder = this.store.nameHolder('sam', value);
      if (holder === undefined || holder === objectId) return { value, attempt };
    }
  }

  reserveCn(objectId: string, cn: string): void {
    const free = this.freeCn(objectId, cn, 0);
    this.reservedCns.set(free.value.toLowerCase(), objectId);
    this.cnAttempts.set(objectId, free.attempt);
  }

  private freeCn(objectId: string, cn: string, from: number): { value: string; attempt: number } {
    for (let attempt = from; ; attempt++) {
      const value = uniqueCn(cn, objectId, attempt);
      const holder = this.store.nameHolder('cn', value) ?? this.reservedCns.get(value.toLowerCase());
      if (holder === undefined || holder === objectId) return { value, attempt };
    }
  }
}

function attributeChanges(current: ManagedObject, desired: DesiredObject): ManagedChange[] {
  const changes: ManagedChange[] = [];
  for (const name of MANAGED_ATTRIBUTES[desired.objectType]) {
    const want = desired.attrs[name] ?? [];
    const have = current.attrs[name] ?? [];
    if (sameSet(want, have)) continue;
    if (want.length) changes.push({ operation: 'replace', type: name, values: want });
    else changes.push({ operation: 'delete', type: name, values: [] });
  }
  return changes;
}

function pickLinks(attrs: Record<string, string[]>): Record<string, string[]> {
  const links: Record<string, string[]> = {};
  if (attrs.member) links.member = attrs.member;
  if (attrs.manager) links.manager = attrs.manager;
  return links;
}

function escapeFilter(value: string): string {
  return value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((v) => set.has(v));
}
