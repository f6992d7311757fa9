import { guidToString, sidToString } from '../directory/binary.js';
import type { SyncConfig } from './config.js';
import { connect } from './connectors/ldapConnection.js';
import { IMPORTED_ATTRIBUTES } from './connectors/sourceConnector.js';
import { objectIdFor } from './identity.js';
import type { ConnectorObject, ManagedObject, MetaverseObject, ObjectType } from './model.js';
import { CLOUD, cloudObjectType, inboundFromCloud } from './rules/cloudObjects.js';
import { objectTypeOf } from './rules/filters.js';
import { inboundFromAd } from './rules/inbound.js';
import { entraUserPrincipalName, nextMailNickname } from './rules/naming.js';
import { desiredManagedObject } from './rules/outbound.js';
import { plainSamAccountName } from './rules/samAccountName.js';
import { DomainServicesScope } from './rules/scoping.js';
import { pendingExports, type ExportAction } from './stages/exportStage.js';
import { notProjectedBecause } from './stages/syncStage.js';
import type { AgentStore } from './state/agentStore.js';

// `dsemu explain`: one identity through the agent's stages, as Entra Connect's Synchronization
// Service Manager shows it (connector space object properties, metaverse object properties and
// lineage), down to the managed domain, with the reason wherever it stops.

/** Where an identity stands at one stage: there, with what it holds, or not, and why. */
export type Stage<T> = ({ present: true } & T) | { present: false; why: string };

/** The object as last imported from its source: an on-prem DC, or the tenant's cloud-only seed. */
export interface ConnectorSpaceView {
  connector: string;
  guid: string;
  dn: string;
  /** false: read from the DC now, because the agent does not keep objects of its kind */
  kept: boolean;
  attributes: Record<string, string[]>;
  /** member and manager, as DNs of the same connector space */
  links: Record<string, string[]>;
}

export interface RuledValue {
  value: string | string[] | boolean;
  /** the rule that produced it (the inbound flow's expression, or the naming rule) */
  rule: string;
}

/** Entra ID's view of the identity. */
export interface MetaverseView {
  objectId: string;
  objectType: ObjectType;
  cloudOnly: boolean;
  attributes: Record<string, RuledValue>;
  /** members (groups) and manager (users), by UPN or display name */
  members: string[];
  manager?: string;
  provisioningErrors: string[];
  /** other identities whose source claims the same UPN (duplicate attribute resiliency) */
  conflicts: string[];
}

/** What the managed domain holds, as the agent last wrote or read it. */
export interface ManagedView {
  dn: string;
  sAMAccountName: string;
  /** how the sAMAccountName was made: as is from mailNickname / displayName, or generated (and why) */
  sAMAccountNameRule: string;
  sAMAccountNameGenerated: boolean;
  /** with the metaverse attribute each comes from; member and manager as managed DNs */
  attributes: Record<string, RuledValue>;
  /** what the next export would do to it, and why */
  pendingExport?: Exclude<ExportAction, 'none'>;
  pendingBecause?: string;
}

export interface Explanation {
  name: string;
  objectId?: string;
  source: Stage<ConnectorSpaceView>;
  metaverse: Stage<MetaverseView>;
  managed: Stage<ManagedView>;
}

const isDn = (name: string): boolean => name.includes('=');
const sameDn = (dn: string): string => dn.trim().replace(/\s*,\s*/g, ',');
const connectorsOf = (config: SyncConfig): string[] => [...config.sources.map((s) => s.name), CLOUD];

/** The connector-space object a metaverse object comes from (its anchor is `<connector>|<guid>`). */
function sourceOf(store: AgentStore, mv: MetaverseObject): ConnectorObject | undefined {
  const bar = mv.anchor.indexOf('|');
  return store.connectorObject(mv.anchor.slice(0, bar), mv.anchor.slice(bar + 1));
}

function connectorObjectByDn(store: AgentStore, config: SyncConfig, dn: string): ConnectorObject | undefined {
  for (const connector of connectorsOf(config)) {
    const guid = store.guidOfDn(connector, dn) ?? store.guidOfDn(connector, sameDn(dn));
    if (guid) return store.connectorObject(connector, guid);
  }
  return undefined;
}

/** A UPN that is no Entra UPN (filtered, or replaced by the MOERA): the source objects that carry it. */
function connectorObjectByUpn(store: AgentStore, config: SyncConfig, upn: string): ConnectorObject | undefined {
  const wanted = upn.toLowerCase();
  for (const connector of connectorsOf(config)) {
    for (const object of store.connectorObjects(connector)) if (object.attrs.userPrincipalName?.[0]?.toLowerCase() === wanted) return object;
  }
  return undefined;
}

function managedObjectByUpn(store: AgentStore, upn: string): ManagedObject | undefined {
  const wanted = upn.toLowerCase();
  for (const object of store.managedObjects()) if (object.attrs.userPrincipalName?.[0]?.toLowerCase() === wanted) return object;
  return undefined;
}

/** An identity the agent knows by this name: its metaverse objectId, and the source object when known. */
export interface ResolvedIdentity {
  objectId: string;
  source?: ConnectorObject;
}

/**
 * Resolves a UPN (Entra's, or the on-prem one), an on-prem DN or a managed-domain DN to the
 * identity the agent knows by it; undefined when the agent knows nothing by that name.
 */
export function resolveIdentity(store: AgentStore, config: SyncConfig, name: string): ResolvedIdentity | undefined {
  const found = (source: ConnectorObject): ResolvedIdentity => ({ objectId: objectIdFor(source.connector, source.guid), source });
  if (isDn(name)) {
    const managed = store.nameHolder('dn', name) ?? store.nameHolder('dn', sameDn(name));
    if (managed) return { objectId: managed };
    const source = connectorObjectByDn(store, config, name);
    return source ? found(source) : undefined;
  }
  const holder = store.nameHolder('upn', name);
  if (holder) return { objectId: holder };
  const source = connectorObjectByUpn(store, config, name);
  if (source) return found(source);
  const managed = managedObjectByUpn(store, name);
  return managed ? { objectId: managed.objectId } : undefined;
}

/** The identity through every stage; undefined when the agent knows nothing by this name. */
export function explainIdentity(store: AgentStore, config: SyncConfig, name: string): Explanation | undefined {
  const resolved = resolveIdentity(store, config, name);
  if (!resolved) return undefined;
  const mv = store.metaverseObject(resolved.objectId);
  const source = resolved.source ?? (mv ? sourceOf(store, mv) : undefined);
  return explain(store, config, name, resolved.objectId, source, true);
}

/**
 * An on-prem object the agent never kept (a computer, an OU, a contact...), read from its DC now,
 * so that explain can say why it never reaches the managed domain. Needs the DC to be running.
 */
export async function explainUnkept(store: AgentStore, config: SyncConfig, dn: string): Promise<Explanation | undefined> {
  const source = config.sources.find((s) => sameDn(dn).toLowerCase().endsWith(s.baseDn.toLowerCase()));
  if (!source) return undefined;
  const client = await connect(source, 10_000).catch(() => undefined);
  if (!client) return undefined;
  try {
    const { searchEntries } = await client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: [...IMPORTED_ATTRIBUTES], explicitBufferAttributes: ['objectGUID', 'objectSid', 'mS-DS-ConsistencyGuid'] });
    const entry = searchEntries[0];
    if (!entry) return undefined;
    const attrs: Record<string, string[]> = {};
    for (const [name, raw] of Object.entries(entry)) {
      if (name === 'dn') continue;
      const values = (Array.isArray(raw) ? raw : [raw]) as (string | Buffer)[];
      if (values.length) attrs[name] = values.map((v) => (typeof v === 'string' ? v : name === 'objectGUID' ? guidToString(v) : name === 'objectSid' ? sidToString(v) : v.toString('base64')));
    }
    const object: ConnectorObject = { connector: source.name, guid: attrs.objectGUID?.[0] ?? '', dn: entry.dn, attrs, links: {} };
    return explain(store, config, dn, undefined, object, false);
  } catch {
    return undefined;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

function explain(store: AgentStore, config: SyncConfig, name: string, objectId: string | undefined, source: ConnectorObject | undefined, kept: boolean): Explanation {
  const mv = objectId ? store.metaverseObject(objectId) : undefined;
  const managed = objectId ? store.managedObject(objectId) : undefined;
  return {
    name,
    objectId,
    source: source ? { present: true, ...connectorSpaceView(store, source, kept) } : { present: false, why: noSourceBecause(mv, managed) },
    metaverse: mv ? { present: true, ...metaverseView(store, config, mv, source) } : { present: false, why: notInMetaverseBecause(config, source, kept, managed) },
    managed: managed ? { present: true, ...managedView(store, config, managed, mv) } : { present: false, why: notInManagedDomainBecause(store, config, mv) },
  };
}

// --- the source connector space --------------------------------------------------------------

function connectorSpaceView(store: AgentStore, object: ConnectorObject, kept: boolean): ConnectorSpaceView {
  const links: Record<string, string[]> = {};
  for (const [name, refs] of Object.entries(object.links)) {
    links[name] = refs.map((ref) => (ref.startsWith('dn:') ? ref.slice(3) : (store.connectorObject(object.connector, ref)?.dn ?? ref)));
  }
  return { connector: object.connector, guid: object.guid, dn: object.dn, kept, attributes: object.attrs, links };
}

function noSourceBecause(mv: MetaverseObject | undefined, managed: ManagedObject | undefined): string {
  if (mv) return `deleted from ${mv.anchor.split('|')[0]}: the next sync removes it from the metaverse`;
  if (managed) return 'deleted from its source, or no longer synchronized: the managed object is left for the export to delete';
  return 'unknown to the agent';
}

// --- the metaverse ---------------------------------------------------------------------------

function notInMetaverseBecause(config: SyncConfig, source: ConnectorObject | undefined, kept: boolean, managed: ManagedObject | undefined): string {
  if (!source) return managed ? 'its source object is gone: the managed object is pending delete' : 'no source object';
  const excluded = notProjectedBecause(config, source);
  if (excluded && !objectTypeOf(source) && !excluded.includes('computer')) return `${excluded}: only users and groups are synchronized; computers, contacts and OUs never reach Domain Services`;
  if (excluded) return excluded;
  return kept ? 'not yet synchronized: the next cycle projects it' : 'not yet imported: the next cycle imports and projects it';
}

function metaverseView(store: AgentStore, config: SyncConfig, mv: MetaverseObject, source: ConnectorObject | undefined): MetaverseView {
  const rules = source ? rulesOf(config, mv, source) : {};
  const attributes: Record<string, RuledValue> = {};
  for (const [name, value] of Object.entries(mv.attributes)) attributes[name] = { value, rule: rules[name] ?? 'unknown' };
  const nameOf = (id: string): string => {
    const other = store.metaverseObject(id);
    return String(other?.attributes.userPrincipalName ?? other?.attributes.displayName ?? id);
  };
  return {
    objectId: mv.objectId,
    objectType: mv.objectType,
    cloudOnly: mv.cloudOnly,
    attributes,
    members: mv.members.map(nameOf),
    manager: mv.manager ? nameOf(mv.manager) : undefined,
    provisioningErrors: mv.provisioningErrors,
    conflicts: conflictsOf(store, mv),
  };
}

/** The rule behind each metaverse attribute: the inbound flows run again, then the naming rules. */
function rulesOf(config: SyncConfig, mv: MetaverseObject, source: ConnectorObject): Record<string, string> {
  const cloud = source.connector === CLOUD;
  const type = cloud ? cloudObjectType(source) : objectTypeOf(source);
  if (!type) return {};
  const inbound = cloud ? inboundFromCloud(source) : inboundFromAd(source, type, source.connector);
  const rules = { ...inbound.rules };

  // mailNickname: the rule of a first sync, unless Entra kept an older value.
  const fresh = { ...mv, attributes: { ...mv.attributes }, seen: {} };
  delete fresh.attributes.mailNickname;
  const nickname = nextMailNickname(fresh, inbound.sourceMailNickname, inbound.sourceUserPrincipalName);
  if (mv.attributes.mailNickname !== undefined) {
    rules.mailNickname = nickname.value === mv.attributes.mailNickname
      ? nickname.rule !== 'mailNickname' ? `naming: ${nickname.rule}` : cloud ? 'cloud-only (seed)' : 'naming: the on-prem mailNickname'
      : 'naming: kept (changes only with the on-prem mailNickname)';
  }
  if (mv.objectType !== 'user') return rules;

  const upn = entraUserPrincipalName(inbound.sourceUserPrincipalName, mv.attributes.mailNickname as string | undefined, config.tenant);
  const duplicate = mv.provisioningErrors.some((e) => e.startsWith('UserPrincipalName'));
  if (duplicate) rules.userPrincipalName = 'duplicate attribute resiliency: <prefix><4 digits>@<initial domain>';
  else if (upn.value !== mv.attributes.userPrincipalName) rules.userPrincipalName = 'naming: kept (recalculated only when the on-prem UPN changes)';
  else if (upn.rule !== 'userPrincipalName') rules.userPrincipalName = `naming: ${upn.rule}`;
  else if (cloud) rules.userPrincipalName = 'cloud-only (seed)';
  else if (source.attrs.userPrincipalName) rules.userPrincipalName = 'naming: the on-prem userPrincipalName (verified suffix)';
  else rules.userPrincipalName = 'naming: <sAMAccountName>@%Domain.FQDN% (no on-prem userPrincipalName)';
  if (!mv.cloudOnly) rules.passwordPolicies = 'password hash sync: DisablePasswordExpiration on every synced user';
  if (mv.provisioningErrors.some((e) => e.startsWith('ProxyAddresses'))) rules.proxyAddresses = `${rules.proxyAddresses ?? 'proxyAddresses'}, without the values another object holds`;
  return rules;
}

/** Other identities whose source asks for the same UPN: one keeps it, the others get a placeholder. */
function conflictsOf(store: AgentStore, mv: MetaverseObject): string[] {
  const upn = mv.seen.userPrincipalName?.toLowerCase();
  if (mv.objectType !== 'user' || !upn) return [];
  const conflicts: string[] = [];
  for (const other of store.metaverseObjects()) {
    if (other.objectId === mv.objectId || other.seen.userPrincipalName?.toLowerCase() !== upn) continue;
    const dn = other.attributes.onPremisesDistinguishedName ?? other.anchor;
    conflicts.push(`${String(dn)} also has the UPN ${mv.seen.userPrincipalName}; in Entra ID it is ${String(other.attributes.userPrincipalName)}`);
  }
  return conflicts;
}

// --- the managed domain ----------------------------------------------------------------------

function managedView(store: AgentStore, config: SyncConfig, managed: ManagedObject, mv: MetaverseObject | undefined): ManagedView {
  const flows = mv ? outboundFlows(mv) : {};
  const attributes: Record<string, RuledValue> = {};
  for (const [name, values] of Object.entries(managed.attrs)) {
    const shown = name === 'member' || name === 'manager' ? values.map((id) => store.managedObject(id)?.dn ?? id) : values;
    attributes[name] = { value: shown.length === 1 && name !== 'member' ? shown[0]! : shown, rule: flows[name] ?? 'unknown' };
  }
  const sam = samAccountNameOf(store, managed, mv);
  const [pending] = pendingExports(store, config, new Set([managed.objectId])).filter((p) => p.action !== 'none');
  const view: ManagedView = { dn: managed.dn, sAMAccountName: managed.sAMAccountName, sAMAccountNameRule: sam.rule, sAMAccountNameGenerated: sam.generated, attributes };
  if (!pending) return view;
  const why = pending.action !== 'delete' ? 'the metaverse changed since the last export' : mv ? outOfScope(config) : 'its identity left the metaverse';
  return { ...view, pendingExport: pending.action as ManagedView['pendingExport'], pendingBecause: [why, heldBack(store, config)].filter(Boolean).join('; ') };
}

const outOfScope = (config: SyncConfig): string =>
  `out of scope: Domain Services scoped synchronization takes only the groups ${config.scope.groups?.join(', ')} and their direct user members`;

/** Why the last run exported nothing: staging mode, or the deletion threshold. */
function heldBack(store: AgentStore, config: SyncConfig): string | undefined {
  if (config.stagingMode) return `staging mode: the agent imports and synchronizes but never exports (pending exports are written to ${config.reportDir})`;
  const [last] = store.runs(1);
  if (last?.status === 'stopped-deletion-threshold-exceeded') return `run ${last.run} exported nothing: more pending deletes than the deletion threshold (dsemu sync --allow-deletes)`;
  return undefined;
}

/**
 * The metaverse attribute behind each managed-domain attribute: the outbound rules run on a copy
 * of the object whose every value is its own name.
 */
function outboundFlows(mv: MetaverseObject): Record<string, string> {
  const probe: MetaverseObject = { ...mv, attributes: Object.fromEntries(Object.keys(mv.attributes).map((name) => [name, `\u0000${name}`])) };
  const flows: Record<string, string> = {};
  for (const [name, values] of Object.entries(desiredManagedObject(probe).attrs)) {
    const from = values[0]?.startsWith('\u0000') ? values[0].slice(1) : undefined;
    if (from) flows[name] = from;
  }
  flows['msDS-aadObjectId'] = 'objectId';
  flows['msDS-AzureADObjectId'] = 'objectId';
  flows.userAccountControl = 'accountEnabled, passwordPolicies (ACCOUNTDISABLE, DONT_EXPIRE_PASSWORD)';
  flows.groupType = 'securityEnabled (global security, else universal distribution)';
  flows.member = 'members';
  flows.manager = 'manager';
  return flows;
}

/** synchronization.md: from mailNickname (users) or displayName (groups), generated when it can't be used as is. */
function samAccountNameOf(store: AgentStore, managed: ManagedObject, mv: MetaverseObject | undefined): { rule: string; generated: boolean } {
  if (!mv) return { rule: 'unknown (no metaverse object)', generated: false };
  const desired = desiredManagedObject(mv);
  const from = mv.objectType === 'user' ? 'mailNickname' : 'displayName';
  if (managed.sAMAccountName === desired.samSource.trim()) return { rule: `${from}, as is`, generated: false };
  const upnPrefix = desired.attrs.userPrincipalName?.[0]?.split('@')[0] ?? '';
  let why = 'the name was taken when the object was written';
  if (plainSamAccountName(desired.samSource) === undefined) why = `${from} '${desired.samSource}' is longer than 20 characters or has characters a sAMAccountName may not hold`;
  else if (mv.objectType === 'user' && upnPrefix.length > 20) why = `the UPN prefix '${upnPrefix}' is longer than 20 characters`;
  else if (mv.objectType === 'user' && store.nicknameHolders(desired.samSource).some((id) => id !== mv.objectId)) why = `other users share the mailNickname '${desired.samSource}'`;
  return { rule: `generated from ${from}: ${why}`, generated: true };
}

function notInManagedDomainBecause(store: AgentStore, config: SyncConfig, mv: MetaverseObject | undefined): string {
  if (!mv) return 'not in the metaverse, so not in the managed domain';
  if (!new DomainServicesScope(store, config.scope).contains(mv)) return outOfScope(config);
  const [last] = store.runs(1);
  const names = [mv.attributes.userPrincipalName, mv.attributes.displayName, mv.objectId].map(String);
  const failed = last?.errors.find((e) => e.stage === 'export' && names.includes(e.object));
  if (failed) return `export error in run ${last!.run}: ${failed.error}`;
  const held = heldBack(store, config);
  return held ? `not yet exported: ${held}` : 'not yet exported: queued for the next export';
}
