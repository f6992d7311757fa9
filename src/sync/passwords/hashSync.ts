import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { EnvelopeKey } from '../../ad/crypto/hashEnvelope.js';
import { entraPasswordHashHashAsync } from '../../ad/crypto/passwordHashHash.js';
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

const CONCURRENCY = 16;
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

/**
 * One pass of the hash channel over every source. A batch's cookie is kept only once every hash
 * in it reached the managed domain (or its user is not synced), so none is lost to a crash or to
 * a user not yet exported.
 */
export async function syncPasswordHashes(store: AgentStore, sources: readonly SourceConnector[], managed: ManagedConnector, publicKey: KeyObject, counts: PasswordSyncCounts, errors: RunError[]): Promise<void> {
  const key = new EnvelopeKey(publicKey);
  try {
    for (const source of sources) await syncSource(store, source, managed, key, counts, errors);
  } finally {
    key.close();
  }
}

async function syncSource(store: AgentStore, source: SourceConnector, managed: ManagedConnector, key: EnvelopeKey, counts: PasswordSyncCounts, errors: RunError[]): Promise<void> {
  const cookie = Buffer.from(store.getMeta<string>(cookieKey(source.name)) ?? '', 'base64');
  let complete = true;
  for await (const batch of source.passwordChangesSince(cookie)) {
    const hashesOfHashes = new Map<string, string>();
    await inParallel(batch.changes, CONCURRENCY, async (change) => {
      try {
        if (!(await pushHashes(store, source.name, change, managed, key, hashesOfHashes))) {
          counts.pending++;
          complete = false;
          return;
        }
        counts.synced++;
      } catch (e) {
        complete = false;
        errors.push({ object: `${source.name}|${change.guid}`, stage: 'export', error: `password hash sync: ${(e as Error).message}` });
      } finally {
        change.nt.fill(0);
      }
    });
    store.write(() => {
      for (const [objectId, value] of hashesOfHashes) store.putPasswordHashHash(objectId, value);
      if (complete) store.putMeta(cookieKey(source.name), batch.cookie.toString('base64'));
    });
  }
}

/** false: the user is in the metaverse but not yet in the managed domain (try again next pass). */
async function pushHashes(store: AgentStore, connector: string, change: PasswordChange, managed: ManagedConnector, key: EnvelopeKey, hashesOfHashes: Map<string, string>): Promise<boolean> {
  const objectId = objectIdFor(connector, change.guid);
  const mv = store.metaverseObject(objectId);
  // Not synced (filtered, out of scope, a computer): its hashes go nowhere.
  if (!mv || mv.objectType !== 'user') return true;
  const target = store.managedObject(objectId);
  if (!target) return false;
  const payload = Buffer.from(JSON.stringify({ nt: change.nt.toString('hex'), kerberos: change.kerberos, pwdLastSet: change.pwdLastSet }));
  try {
    await managed.setSyncedCredentials(target.dn, key.seal(payload));
  } finally {
    payload.fill(0);
  }
  hashesOfHashes.set(objectId, await entraPasswordHashHashAsync(change.nt));
  return true;
}
