import type { StoredEntry } from '../directory/entry.js';
import { resolveBindName } from './bindnames.js';
import { isLockedOut, isPasswordExpired } from './constructed.js';
import type { Dsa } from './dsa.js';
import { AdErrors, LogonError } from './errors.js';
import { domainPolicy, verifyPassword } from './passwords.js';
import { ANONYMOUS, WellKnownSid, type Principal } from './principal.js';
import { sidOf } from './samldb.js';
import { NEVER, integer8, toFileTime } from './time.js';
import { tokenGroupSids } from './tokens.js';
import { UF, uacOf } from './uac.js';
import { stampChange } from './operations/stamp.js';

/**
 * An LDAP simple bind as AD answers it (MS-ADTS 5.1.1.1.1; ad-ldap.md 2.2 and 3): the name
 * forms AD accepts, the password checked against the stored NT hash, and the account state in
 * the `data` code of error 49. An empty password is an unauthenticated bind: it succeeds and
 * the connection stays anonymous (RFC 4513 5.1.2).
 */
export function simpleBind(dsa: Dsa, name: string, password: string): Principal {
  if (password === '') return ANONYMOUS;
  if (name === '') throw AdErrors.invalidCredentials(LogonError.logonFailure);
  const account = resolveBindName(dsa, name);
  if (!account || sidOf(account) === undefined || !account.attrs.sAMAccountName) throw AdErrors.invalidCredentials(LogonError.logonFailure);
  if (isLockedOut(dsa, account)) throw AdErrors.invalidCredentials(LogonError.accountLockedOut);
  // "Users can't perform LDAP simple binds if you have disabled NTLM password hash synchronization" (secure-your-domain.md).
  if (!dsa.ntlmHashes || !verifyPassword(dsa, account, password)) {
    recordBadPassword(dsa, account);
    throw AdErrors.invalidCredentials(LogonError.logonFailure);
  }
  const uac = uacOf(account.attrs.userAccountControl?.[0]);
  if (uac & UF.ACCOUNTDISABLE) throw AdErrors.invalidCredentials(LogonError.accountDisabled);
  const expires = String(account.attrs.accountExpires?.[0] ?? '0');
  if (expires !== '0' && expires !== NEVER && integer8(expires) < toFileTime(dsa.now())) throw AdErrors.invalidCredentials(LogonError.accountExpired);
  if (integer8(account.attrs.pwdLastSet?.[0]) === 0n && !(uac & UF.DONT_EXPIRE_PASSWD)) throw AdErrors.invalidCredentials(LogonError.passwordMustChange);
  if (isPasswordExpired(dsa, account)) throw AdErrors.invalidCredentials(LogonError.passwordExpired);
  clearBadPasswords(dsa, account);
  return principalOf(dsa, account);
}

/** The principal an account acts as: its SID and its token's group SIDs. */
export function principalOf(dsa: Dsa, account: StoredEntry): Principal {
  const sid = sidOf(account)!;
  let token: Set<string> | undefined;
  return {
    kind: 'account',
    guid: account.guid,
    dn: account.dn,
    sid,
    sAMAccountName: String(account.attrs.sAMAccountName?.[0] ?? ''),
    // Built on first use (an access decision), not on every bind: most connections only read.
    get tokenSids() {
      token ??= new Set([sid, ...tokenGroupSids(dsa, account), WellKnownSid.everyone, WellKnownSid.authenticatedUsers]);
      return token;
    },
  };
}

// MS-ADTS 3.1.1.4.5.x lockout: badPwdCount counts within lockOutObservationWindow; reaching
// lockoutThreshold sets lockoutTime. A threshold of 0 means no lockout (on-prem default).
function recordBadPassword(dsa: Dsa, account: StoredEntry): void {
  const policy = domainPolicy(dsa);
  if (policy.lockoutThreshold <= 0) return;
  dsa.store.write(() => {
    const current = dsa.store.byGuid(account.guid) ?? account;
    const now = toFileTime(dsa.now());
    const last = integer8(current.attrs.badPasswordTime?.[0]);
    const windowStart = now + policy.lockOutObservationWindow;
    const count = last !== 0n && last >= windowStart ? Number(String(current.attrs.badPwdCount?.[0] ?? '0')) + 1 : 1;
    const attrs = { ...current.attrs, badPwdCount: [String(count)], badPasswordTime: [now.toString()] } as Record<string, (string | Buffer)[]>;
    if (count >= policy.lockoutThreshold) {
      attrs.lockoutTime = [now.toString()];
      stampChange(dsa, attrs);
    }
    dsa.store.put({ ...current, attrs }, current);
  });
}

function clearBadPasswords(dsa: Dsa, account: StoredEntry): void {
  const count = String(account.attrs.badPwdCount?.[0] ?? '0');
  const locked = String(account.attrs.lockoutTime?.[0] ?? '0');
  if (count === '0' && locked === '0') return;
  dsa.store.write(() => {
    const current = dsa.store.byGuid(account.guid) ?? account;
    const attrs = { ...current.attrs, badPwdCount: ['0'] } as Record<string, (string | Buffer)[]>;
    if (locked !== '0') {
      attrs.lockoutTime = ['0'];
      stampChange(dsa, attrs);
    }
    dsa.store.put({ ...current, attrs }, current);
  });
}
