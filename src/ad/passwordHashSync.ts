import type { KeyObject } from 'node:crypto';
import { openEnvelope, type HashEnvelope } from './crypto/hashEnvelope.js';
import type { Dsa, OperationContext } from './dsa.js';
import { AdErrors } from './errors.js';
import { pwdLastSetNow, storeCredentials } from './passwords.js';
import { bestMatch, resolveObject } from './resolve.js';
import { SYSTEM } from './principal.js';

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

/**
 * The managed domain's end of password hash sync: the sync principal hands over a user's hashes,
 * sealed for this domain's key; the DC opens them and keeps them sealed at rest like its own.
 * Nobody else may, and never over an unprotected connection from another host.
 */
export function applySyncedCredentials(dsa: Dsa & { modify: (dn: string, changes: { operation: 'replace'; type: string; values: string[] }[], ctx: OperationContext) => void }, passwordSyncKey: KeyObject | undefined, dn: string, envelope: HashEnvelope, ctx: OperationContext): void {
  if (!passwordSyncKey) throw AdErrors.unwillingToPerform();
  if (!dsa.access.writesReplicatedState?.(ctx.principal) || ctx.principal.kind !== 'account') throw AdErrors.insufficientAccessRights();
  if (!ctx.secure && ctx.loopback !== true) throw AdErrors.passwordNotOverTls();
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
  dsa.store.write(() => {
    storeCredentials(dsa, target.guid, {
      nt: credentials.nt.toLowerCase(),
      aes256: credentials.kerberos?.aes256 ?? '',
      aes128: credentials.kerberos?.aes128 ?? '',
      salt: credentials.kerberos?.salt ?? '',
      iterations: credentials.kerberos?.iterations ?? 0,
    });
    const stamp = pwdLastSet ?? pwdLastSetNow(dsa);
    dsa.modify(target.dn, [{ operation: 'replace', type: 'pwdLastSet', values: [stamp] }], { principal: SYSTEM, secure: true });
  });
}
