import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { EnvelopeKey } from '../../ad/crypto/hashEnvelope.js';
import { entraPasswordHashHashAsync } from '../../ad/crypto/passwordHashHash.js';
import type { SyncedCredentialsResult } from '../../ad/passwordHashSync.js';
import type { ManagedConnector } from '../connectors/managedConnector.js';
import type { PasswordChange, SourceConnector } from '../connectors/sourceConnector.js';
import { objectIdFor } from '../identity.js';
import type { RunError } from '../model.js';
import type { AgentStore } from '../state/agentStore.js';
import { inParallel } from '../stages/committer.js';

// Password hash sync (how-to-connect-password-hash-synchronization.md; entra.md 4): the agent
// reads changed users' NT hashes and Kerberos keys as the replication principal, keeps Entra's
// own "hash of the hash" in the metaverse, and hands the hashes to the managed domain sealed for
// its public key. They exist in the agent's memory only while in flight: never in its store or
// its logs.

/** Users per Set Synchronized Password Hashes request, and requests outstanding at once. */
const USERS_PER_REQUEST = 200;
const REQUESTS_IN_FLIGHT = 4;
const cookieKey = (connector: string): string => `passwordCookie:${connector}`;

export interface PasswordSyncCounts {
  synced: number;
  /** users whose hashes wait for the user to reach the managed domain first */
  pending: number;
}

/** ForceFullPasswordSync: the next pass reads every user's hashes again. */
export function forceFullPasswordSync(store: AgentStore, connectors: readonly string[]): void {
  store.write(() => {
    for (const c of connectors) store.putMeta(cookieKey(c), '');
  });
}

export function loadPasswordSyncKey(file: string): KeyObject {
  return createPublicKey(readFileSync(file, 'utf8'));
}

/** Users whose hashes came while they were not yet in the managed domain, and the cookie to read them again from. */
interface Waiting {
  cookie: string;
  objectIds: string[];
}
const waitingKey = (connector: string): string => `passwordWaiting:${connector}`;

/**
 * One pass of the hash channel over every source, batch by batch, each batch's cookie committed
 * with the hash-of-hash values it produced. A user not yet in the managed domain (an export still
 * to come or failing) is remembered with the cookie before its batch, never its hashes; once it is
 * there (an export that was still to come, or a scope change), a pass from that cookie brings them.
 */
export async function syncPasswordHashes(store: AgentStore, sources: readonly SourceConnector[], managed: ManagedConnector, publicKey: KeyObject, counts: PasswordSyncCounts, errors: RunError[]): Promise<void> {
  const key = new EnvelopeKey(publicKey);
  const channel = { store, managed, key, counts, errors };
  try {
    for (const source of sources) {
      const waiting = store.getMeta<Waiting>(waitingKey(source.name));
      if (waiting && waiting.objectIds.some((id) => store.managedObject(id))) await catchUp(channel, source, waiting);
      await pass(channel, source);
    }
  } finally {
    key.close();
  }
}

interface Channel {
  store: AgentStore;
  managed: ManagedConnector;
  key: EnvelopeKey;
  counts: PasswordSyncCounts;
  errors: RunError[];
}

async function pass(channel: Channel, source: SourceConnector): Promise<void> {
  const { store } = channel;
  let cookie = store.getMeta<string>(cookieKey(source.name)) ?? '';
  for await (const batch of source.passwordChangesSince(Buffer.from(cookie, 'base64'))) {
    const { landed, waiting } = await pushBatch(channel, source.name, batch.changes, () => true);
    const before = cookie;
    cookie = batch.cookie.toString('base64');
    store.write(() => {
      for (const [objectId, value] of landed) store.putPasswordHashHash(objectId, value);
      if (waiting.length) {
        const known = store.getMeta<Waiting>(waitingKey(source.name));
        store.putMeta(waitingKey(source.name), { cookie: known?.cookie ?? before, objectIds: [...new Set([...(known?.objectIds ?? []), ...waiting])] });
      }
      store.putMeta(cookieKey(source.name), cookie);
    });
  }
}

/** Reads again from the waiting users' cookie and pushes the hashes of those now in the managed domain. */
async function catchUp(channel: Channel, source: SourceConnector, waiting: Waiting): Promise<void> {
  const { store } = channel;
  const wanted = new Set(waiting.objectIds);
  const stillWaiting = new Set(waiting.objectIds.filter((id) => !store.managedObject(id)));
  for await (const batch of source.passwordChangesSince(Buffer.from(waiting.cookie, 'base64'))) {
    const { landed } = await pushBatch(channel, source.name, batch.changes, (objectId) => wanted.has(objectId) && !stillWaiting.has(objectId));
    store.write(() => {
      for (const [objectId, value] of landed) store.putPasswordHashHash(objectId, value);
    });
  }
  store.write(() => store.putMeta(waitingKey(source.name), stillWaiting.size ? { cookie: waiting.cookie, objectIds: [...stillWaiting] } : undefined));
}

/** A user whose hashes go to the managed domain in this batch. */
interface Outgoing {
  objectId: string;
  dn: string;
  change: PasswordChange;
}

async function pushBatch(channel: Channel, connector: string, changes: PasswordChange[], wanted: (objectId: string) => boolean): Promise<{ landed: Map<string, string>; waiting: string[] }> {
  const { store, counts } = channel;
  const landed = new Map<string, string>();
  const waiting: string[] = [];
  try {
    const outgoing: Outgoing[] = [];
    for (const change of changes) {
      const objectId = objectIdFor(connector, change.guid);
      if (!wanted(objectId)) continue;
      const mv = store.metaverseObject(objectId);
      // Not synced (filtered, a computer): its hashes go nowhere.
      if (!mv || mv.objectType !== 'user') continue;
      // Not (yet) in the managed domain: an export to come, or outside the Domain Services scope
      // until a scope change brings it.
      const target = store.managedObject(objectId);
      if (!target) {
        counts.pending++;
        waiting.push(objectId);
        continue;
      }
      outgoing.push({ objectId, dn: target.dn, change });
    }
    const requests: Outgoing[][] = [];
    for (let i = 0; i < outgoing.length; i += USERS_PER_REQUEST) requests.push(outgoing.slice(i, i + USERS_PER_REQUEST));
    await inParallel(requests, REQUESTS_IN_FLIGHT, (users) => pushHashes(channel, connector, users, landed, waiting));
  } finally {
    for (const change of changes) change.nt.fill(0);
  }
  return { landed, waiting };
}

/** One request of many users' sealed hashes; each landed user's hash of the hash, computed meanwhile. */
async function pushHashes(channel: Channel, connector: string, users: Outgoing[], landed: Map<string, string>, waiting: string[]): Promise<void> {
  // The hash of each hash is derived on libuv's thread pool while the DC takes the request.
  const hashHashes = Promise.all(users.map((u) => entraPasswordHashHashAsync(u.change.nt)));
  const credentials = users.map(({ dn, change }) => {
    const payload = Buffer.from(JSON.stringify({ nt: change.nt.toString('hex'), kerberos: change.kerberos, pwdLastSet: change.pwdLastSet }));
    try {
      return { dn, envelope: channel.key.seal(payload) };
    } finally {
      payload.fill(0);
    }
  });
  let results: SyncedCredentialsResult[];
  try {
    results = await channel.managed.setSyncedCredentialsBatch(credentials);
  } catch (e) {
    await hashHashes.catch(() => undefined);
    for (const u of users) failed(channel, connector, u, waiting, (e as Error).message);
    return;
  }
  const values = await hashHashes;
  users.forEach((u, i) => {
    const { resultCode, diagnosticMessage } = results[i]!;
    if (resultCode !== 0) return failed(channel, connector, u, waiting, `LDAP ${resultCode}: ${diagnosticMessage ?? ''}`);
    channel.counts.synced++;
    landed.set(u.objectId, values[i]!);
  });
}

function failed(channel: Channel, connector: string, user: Outgoing, waiting: string[], error: string): void {
  waiting.push(user.objectId);
  channel.errors.push({ object: `${connector}|${user.change.guid}`, stage: 'export', error: `password hash sync: ${error}` });
}
