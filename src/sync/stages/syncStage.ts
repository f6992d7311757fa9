import type { SyncConfig } from '../config.js';
import { objectIdFor } from '../identity.js';
import type { ConnectorObject, MetaverseObject, ObjectType, RunCounts, RunError } from '../model.js';
import { addedCloudUsers, cloudUserObject } from '../cloud/users.js';
import { CLOUD, cloudGuidOf, cloudObjectType, inboundFromCloud } from '../rules/cloudObjects.js';
import { filteredBecause, inIncludedOus, objectTypeOf } from '../rules/filters.js';
import { inboundFromAd, type InboundResult } from '../rules/inbound.js';
import { claimUniqueNames, entraUserPrincipalName, nextMailNickname, releaseUniqueNames } from '../rules/naming.js';
import type { AgentStore } from '../state/agentStore.js';

const BATCH = 1000;

export interface SyncStageContext {
  store: AgentStore;
  config: SyncConfig;
  counts: RunCounts & { filtered: number };
  errors: RunError[];
}

/** Why a connector-space object has no metaverse object; undefined when it projects. */
export function notProjectedBecause(config: SyncConfig, object: ConnectorObject): string | undefined {
  if (object.connector === CLOUD) return cloudObjectType(object) ? undefined : 'not a user or group';
  const filtered = filteredBecause(object);
  if (filtered) return `filtered: ${filtered}`;
  const source = config.sources.find((s) => s.name === object.connector);
  if (!inIncludedOus(object, source?.includeOUs)) return 'out of scope: not in an included OU (Entra Connect OU filtering)';
  return undefined;
}

/**
 * The synchronization stage: every queued connector-space object is projected into (or removed
 * from) the metaverse through the inbound and naming rules; what changed is queued for export.
 * Cloud-only objects (the seed file's, and users added with `dsemu cloud user add`) go last,
 * since their members may name synced users by UPN.
 */
export function synchronize(ctx: SyncStageContext, cloudObjects: readonly ConnectorObject[]): void {
  const { store } = ctx;
  for (;;) {
    const batch = store.syncQueue(BATCH);
    if (batch.length === 0) break;
    synchronizeQueued(ctx, batch);
  }
  store.write(() => {
    const present = new Set<string>();
    for (const object of tenantObjects(store, cloudObjects)) {
      present.add(object.guid);
      const previous = store.connectorObject(CLOUD, object.guid);
      if (JSON.stringify(previous) !== JSON.stringify(object)) store.putConnectorObject(object, previous?.dn);
      syncObject(ctx, CLOUD, object.guid, object);
    }
    for (const old of [...store.connectorObjects(CLOUD)]) {
      if (present.has(old.guid)) continue;
      store.removeConnectorObject(old);
      syncObject(ctx, CLOUD, old.guid, undefined);
    }
  });
}

/**
 * These queued objects, now, in one transaction: what the import hands over batch by batch, so
 * the metaverse fills while the DC reads the next batch. `synchronize` takes whatever is left.
 */
export function synchronizeQueued(ctx: SyncStageContext, queued: readonly { connector: string; guid: string }[]): void {
  const { store } = ctx;
  store.write(() => {
    for (const { connector, guid } of queued) {
      try {
        syncObject(ctx, connector, guid, store.connectorObject(connector, guid));
      } catch (e) {
        ctx.errors.push({ object: `${connector}|${guid}`, stage: 'sync', error: (e as Error).message });
      }
      store.dequeueSync(connector, guid);
    }
  });
}

/**
 * The tenant's cloud-only objects: the seed file's and the users added at run time, users before
 * groups (a group's members name users by UPN).
 */
function tenantObjects(store: AgentStore, seeded: readonly ConnectorObject[]): ConnectorObject[] {
  const all = [...seeded, ...addedCloudUsers(store).map(cloudUserObject)];
  return [...all.filter((o) => cloudObjectType(o) === 'user'), ...all.filter((o) => cloudObjectType(o) !== 'user')];
}

function syncObject(ctx: SyncStageContext, connector: string, guid: string, object: ConnectorObject | undefined): void {
  const { store, config } = ctx;
  const objectId = objectIdFor(connector, guid);
  const previous = store.metaverseObject(objectId);
  const excluded = object ? notProjectedBecause(config, object) : 'deleted';
  if (!object || excluded) {
    if (object && excluded?.startsWith('filtered')) ctx.counts.filtered++;
    if (!previous) return;
    releaseUniqueNames(store, previous);
    store.removeMetaverseObject(previous);
    store.queueExport(objectId);
    for (const referrer of store.referrers(objectId)) store.queueExport(referrer);
    ctx.counts.deletes++;
    return;
  }
  const type = (connector === CLOUD ? cloudObjectType(object) : objectTypeOf(object)) as ObjectType;
  const inbound = connector === CLOUD ? inboundFromCloud(object) : inboundFromAd(object, type, connector);
  const mv = project(ctx, objectId, type, `${connector}|${guid}`, connector === CLOUD, inbound, previous);
  mv.members = inbound.members.map((ref) => resolveReference(store, connector, ref)).filter((id): id is string => id !== undefined);
  const manager = inbound.manager ? resolveReference(store, connector, inbound.manager) : undefined;
  if (manager) mv.manager = manager;
  if (JSON.stringify(mv) === JSON.stringify(previous)) return;
  store.putMetaverseObject(mv, previous);
  store.queueExport(objectId);
  if (previous) {
    ctx.counts.updates++;
    // Group-based scoping: a member who joins or leaves may enter or leave the scope.
    if (config.scope.groups) {
      const before = new Set(previous.members);
      const after = new Set(mv.members);
      for (const id of before) if (!after.has(id)) store.queueExport(id);
      for (const id of after) if (!before.has(id)) store.queueExport(id);
    }
  } else {
    ctx.counts.adds++;
    // Groups and reports that already name it can now link to it.
    for (const referrer of store.referrers(objectId)) store.queueExport(referrer);
  }
}

/** The metaverse object the rules make of `inbound`, on top of what it was. */
function project(ctx: SyncStageContext, objectId: string, type: ObjectType, anchor: string, cloudOnly: boolean, inbound: InboundResult, previous: MetaverseObject | undefined): MetaverseObject {
  const { store, config } = ctx;
  const mv: MetaverseObject = {
    objectId,
    objectType: type,
    anchor,
    cloudOnly,
    attributes: { ...inbound.attributes },
    members: [],
    provisioningErrors: [],
    seen: { mailNickname: inbound.sourceMailNickname, userPrincipalName: inbound.sourceUserPrincipalName },
  };
  // The naming rules see the new source values, and what Entra already holds and saw before.
  const held = { ...inbound.attributes };
  delete held.mailNickname;
  const heldNickname = previous?.attributes.mailNickname ?? (cloudOnly ? inbound.attributes.mailNickname : undefined);
  if (heldNickname !== undefined) held.mailNickname = heldNickname;
  const nickname = nextMailNickname({ ...mv, attributes: held, seen: previous?.seen ?? {} }, inbound.sourceMailNickname, inbound.sourceUserPrincipalName);
  if (nickname.value) mv.attributes.mailNickname = nickname.value;
  if (type === 'group') return mv;
  // The UPN is recalculated only when the on-prem UPN changes (plan-connect-userprincipalname.md).
  const keep = previous && previous.seen.userPrincipalName === inbound.sourceUserPrincipalName && previous.attributes.userPrincipalName;
  const upn = keep ? { value: previous.attributes.userPrincipalName as string } : entraUserPrincipalName(inbound.sourceUserPrincipalName, nickname.value, config.tenant);
  if (upn.value) mv.attributes.userPrincipalName = upn.value;
  // Password hash sync stamps DisablePasswordExpiration on synced users (entra.md 3.3).
  if (!cloudOnly && config.passwordHashSync) mv.attributes.passwordPolicies = 'DisablePasswordExpiration';
  claimUniqueNames(store, mv, previous, config.tenant, {});
  return mv;
}

/** A link value as a metaverse objectId: a GUID of the same connector, a `dn:` it could not resolve, or (cloud) a UPN or DN. */
function resolveReference(store: AgentStore, connector: string, ref: string): string | undefined {
  if (connector === CLOUD) {
    if (ref.includes('@') && !ref.includes('=')) return store.nameHolder('upn', ref);
    return objectIdFor(CLOUD, cloudGuidOf(ref));
  }
  if (ref.startsWith('dn:')) {
    const guid = store.guidOfDn(connector, ref.slice(3));
    return guid ? objectIdFor(connector, guid) : undefined;
  }
  return objectIdFor(connector, ref);
}
