import type { KeyObject } from 'node:crypto';
import { openEnvelope, type HashEnvelope } from './crypto/hashEnvelope.js';
import type { Dsa, OperationContext } from './dsa.js';
import { AdErrors, asAdError } from './errors.js';
import { pwdLastSetNow, storeCredentials } from './passwords.js';
import { bestMatch, resolveObject } from './resolve.js';
import { stampChange } from './operations/stamp.js';

/** What the envelope carries: the NT hash and Kerberos keys as the source DC derived them. */
export interface SyncedCredentials {
  /** the NT hash, hex */
  nt: string;
  kerberos?: { salt: string; iterations: number; aes256: string; aes128: string };
  /** the source's pwdLastSet (FILETIME); now when absent */
  pwdLastSet?: string;
  /** the tenant wants a new password at next sign-in: pwdLastSet 0 (faqs.yml) */
  forceChange?: boolean;
}

/** dsemu's own extended operation for it (README, "Password hash sync"): Set Synchronized Password Hashes. */
export const SET_SYNCED_CREDENTIALS_OID = '1.3.6.1.4.1.55555.1.2.1';

/** One user's sealed hashes, as the sync principal hands them over. */
export interface SyncedCredentialsItem {
  dn: string;
  envelope: HashEnvelope;
}

/** How one user of a batch went: 0, or AD's result code and diagnostic. */
export interface SyncedCredentialsResult {
  resultCode: number;
  diagnosticMessage?: string;
}

/**
 * The managed domain's end of password hash sync: the sync principal hands over a user's hashes,
 * sealed for this domain's key; the DC opens them and keeps them sealed at rest like its own.
 * Nobody else may, and never over an unprotected connection from another host.
 */
export function applySyncedCredentials(dsa: Dsa, passwordSyncKey: KeyObject | undefined, dn: string, envelope: HashEnvelope, ctx: OperationContext): void {
  authorize(dsa, passwordSyncKey, ctx);
  dsa.store.write(() => applyOne(dsa, passwordSyncKey!, dn, envelope));
}

/**
 * Many users' hashes in one transaction (a sync pass sends them a few hundred at a time): each
 * user succeeds or fails on its own, with its own result; the caller's rights are checked once.
 */
export function applySyncedCredentialsBatch(dsa: Dsa, passwordSyncKey: KeyObject | undefined, items: readonly SyncedCredentialsItem[], ctx: OperationContext): SyncedCredentialsResult[] {
  authorize(dsa, passwordSyncKey, ctx);
  return dsa.store.write(() =>
    items.map((item) => {
      try {
        applyOne(dsa, passwordSyncKey!, item.dn, item.envelope);
        return { resultCode: 0 };
      } catch (e) {
        // Every check comes before the user's first write: a refused user leaves nothing behind.
        const known = asAdError(e);
        if (!known) throw e;
        return { resultCode: known.code, diagnosticMessage: known.diagnostic };
      }
    }),
  );
}

function authorize(dsa: Dsa, passwordSyncKey: KeyObject | undefined, ctx: OperationContext): void {
  if (!passwordSyncKey) throw AdErrors.unwillingToPerform();
  if (!dsa.access.writesReplicatedState?.(ctx.principal) || ctx.principal.kind !== 'account') throw AdErrors.insufficientAccessRights();
  if (!ctx.secure && ctx.loopback !== true) throw AdErrors.passwordNotOverTls();
}

function applyOne(dsa: Dsa, passwordSyncKey: KeyObject, dn: string, envelope: HashEnvelope): void {
  const target = resolveObject(dsa, dn);
  if (!target) throw AdErrors.noSuchObject(bestMatch(dsa, dn));
  if (!(target.attrs.objectClass ?? []).some((c) => String(c).toLowerCase() === 'user')) throw AdErrors.unwillingToPerform();
  let credentials: SyncedCredentials;
  try {
    credentials = JSON.parse(openEnvelope(passwordSyncKey, envelope).toString('utf8')) as SyncedCredentials;
  } catch {
    throw AdErrors.protocolError('Error decoding the password hash envelope');
  }
  if (!/^[0-9a-f]{32}$/i.test(credentials.nt ?? '')) throw AdErrors.protocolError('Error decoding the password hash envelope');
  const pwdLastSet = credentials.forceChange ? '0' : /^\d+$/.test(credentials.pwdLastSet ?? '') && credentials.pwdLastSet !== '0' ? credentials.pwdLastSet! : undefined;
  storeCredentials(dsa, target.guid, {
    nt: credentials.nt.toLowerCase(),
    aes256: credentials.kerberos?.aes256 ?? '',
    aes128: credentials.kerberos?.aes128 ?? '',
    salt: credentials.kerberos?.salt ?? '',
    iterations: credentials.kerberos?.iterations ?? 0,
  });
  // The DC's own write of pwdLastSet, as when it takes a password itself: not a client's modify
  // (the sync principal was checked for the batch; the object, its names and classes stay as they were).
  const attrs = { ...target.attrs, pwdLastSet: [pwdLastSet ?? pwdLastSetNow(dsa)] };
  stampChange(dsa, attrs);
  dsa.store.put({ ...target, attrs }, target);
}
