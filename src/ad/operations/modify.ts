import { applyChanges, type Change } from '../../directory/changes.js';
import { copyAttributes, type AttributeMap, type StoredEntry } from '../../directory/entry.js';
import { rdnValue } from '../../directory/dn.js';
import { equalityKey } from '../../directory/syntax.js';
import { validateEntry } from '../../directory/validate.js';
import { DirectoryViolation } from '../../directory/violation.js';
import { SCHEMA_RULES } from '../schemaRules.js';
import type { Dsa, OperationContext } from '../dsa.js';
import type { Principal } from '../principal.js';
import { AdErrors } from '../errors.js';
import { PASSWORD_ATTRIBUTES, assertClientWritable, schemaAttribute, storedValues } from '../input.js';
import { checkPasswordPolicy, domainPolicy, pwdLastSetNow, readCredentials, storePassword, unicodePwdValue, userPasswordValue, verifyPassword } from '../passwords.js';
import { bestMatch, resolveObject } from '../resolve.js';
import { accountKind, assertUniqueNames } from '../samldb.js';
import { ACCOUNT_TYPE, UF, accountTypeOfGroup, accountTypeOfUac, uacOf } from '../uac.js';
import { stampChange } from './stamp.js';

export interface ModifyOptions {
  /** LDAP_SERVER_PERMISSIVE_MODIFY_OID: adding a present value or deleting an absent one is not an error */
  permissive?: boolean;
}

/** LDAP modify (RFC 4511 4.6) with AD's rules for passwords, RDNs and SAM attributes. */
export function modifyObject(dsa: Dsa, dn: string, changes: readonly Change[], ctx: OperationContext, options: ModifyOptions = {}): void {
  const system = ctx.principal.kind === 'system';
  dsa.store.write(() => {
    const entry = resolveObject(dsa, dn);
    if (!entry) throw AdErrors.noSuchObject(bestMatch(dsa, dn));

    const passwordChanges = changes.filter((c) => PASSWORD_ATTRIBUTES.has(schemaAttribute(dsa, c.type).name));
    const other = changes.filter((c) => !passwordChanges.includes(c));
    if (other.length > 0 || passwordChanges.length === 0) {
      const attributes = other.map((c) => schemaAttribute(dsa, c.type).name);
      const request = { principal: ctx.principal, operation: 'modify' as const, dn: entry.dn, target: entry, objectClasses: (entry.attrs.objectClass ?? []).map(String), attributes };
      if (!dsa.access.canWrite(request)) throw AdErrors.insufficientAccessRights();
    }

    const converted: Change[] = other.map((change) => {
      const attr = schemaAttribute(dsa, change.type);
      if (!system) assertClientWritable(attr, false);
      if (attr.name === 'objectClass') throw AdErrors.objectClassModsProhibited();
      return { operation: change.operation, type: attr.name, values: storedValues(dsa, attr, change.values) };
    });
    let attrs = membershipErrors(() => applyChanges(dsa.schema, copyAttributes(entry), options.permissive ? permissiveChanges(dsa, entry, converted) : converted));

    guardRdn(dsa, entry, attrs);
    applySamRules(dsa, entry, attrs, converted, ctx.principal);
    if (passwordChanges.length > 0) attrs = applyPassword(dsa, entry, attrs, passwordChanges, ctx);

    validateEntry(dsa.schema, attrs, rdnValue(entry.dn), SCHEMA_RULES);
    if (accountKind(attrs.objectClass ?? []) !== 'other') assertUniqueNames(dsa, attrs, entry);
    stampChange(dsa, attrs);
    dsa.store.put({ ...entry, attrs }, entry);
  });
}

/** Group membership changes fail with SAM's errors, not the generic attribute ones (MS-SAMR 3.1.1.8.x). */
function membershipErrors<T>(apply: () => T): T {
  try {
    return apply();
  } catch (e) {
    if (e instanceof DirectoryViolation && e.attribute?.name === 'member') {
      if (e.problem === 'attributeOrValueExists') throw AdErrors.memberAlreadyInGroup();
      if (e.problem === 'noSuchAttribute') throw AdErrors.memberNotInGroup();
    }
    throw e;
  }
}

/** The RDN attribute and `name` change only through modifyDN (AD: notAllowedOnRDN). */
function guardRdn(dsa: Dsa, entry: StoredEntry, attrs: AttributeMap): void {
  const rdn = rdnValue(entry.dn);
  const rdnAttr = schemaAttribute(dsa, rdn.type);
  const key = equalityKey(rdnAttr, rdn.value);
  const values = attrs[rdnAttr.name] ?? [];
  if (values.length !== 1 || equalityKey(rdnAttr, values[0]!) !== key) throw AdErrors.notAllowedOnRdn();
  if (String(attrs.name?.[0] ?? '') !== String(entry.attrs.name?.[0] ?? '')) throw AdErrors.notAllowedOnRdn();
}

/** The SAM attributes whose writes AD checks and follows up (MS-SAMR 3.1.1.8). */
function applySamRules(dsa: Dsa, entry: StoredEntry, attrs: AttributeMap, changes: readonly Change[], principal: Principal): void {
  const touched = new Set(changes.map((c) => c.type));
  if (touched.has('pwdLastSet')) {
    // MS-ADTS 3.1.1.4.5.x: a client may write only 0 (must change) or -1 (now); the DC itself
    // sets the source's time when hashes arrive from a sync.
    const value = String(attrs.pwdLastSet?.[0] ?? '');
    if (value === '-1') attrs.pwdLastSet = [pwdLastSetNow(dsa)];
    else if (value !== '0' && principal.kind !== 'system') throw AdErrors.unwillingToPerform();
  }
  if (touched.has('lockoutTime')) {
    // Only unlocking (0) is allowed; it also clears the bad-password count.
    if (String(attrs.lockoutTime?.[0] ?? '0') !== '0') throw AdErrors.unwillingToPerform();
    attrs.badPwdCount = ['0'];
  }
  if (touched.has('userAccountControl')) {
    const before = uacOf(entry.attrs.userAccountControl?.[0]);
    const uac = uacOf(attrs.userAccountControl?.[0]) & ~(UF.LOCKOUT | UF.PASSWORD_EXPIRED);
    if ((uac & ACCOUNT_TYPE) === 0 || popcount(uac & ACCOUNT_TYPE) > 1) throw AdErrors.unwillingToPerform();
    const enabling = (before & UF.ACCOUNTDISABLE) !== 0 && (uac & UF.ACCOUNTDISABLE) === 0;
    if (enabling && !(uac & UF.PASSWD_NOTREQD) && !readCredentials(dsa, entry.guid) && domainPolicy(dsa).minPwdLength > 0 && !dsa.access.writesReplicatedState?.(principal)) {
      throw AdErrors.passwordRestriction();
    }
    attrs.userAccountControl = [String(uac)];
    attrs.sAMAccountType = [String(accountTypeOfUac(uac))];
  }
  if (touched.has('groupType')) {
    attrs.sAMAccountType = [String(accountTypeOfGroup(Number(String(attrs.groupType?.[0] ?? '0')) >>> 0))];
  }
}

function popcount(n: number): number {
  let count = 0;
  for (let v = n >>> 0; v; v &= v - 1) count++;
  return count;
}

/**
 * unicodePwd (or userPassword) writes, MS-ADTS 3.1.1.3.1.5: over TLS only; a change is a delete
 * of the old value followed by an add of the new; a reset is one replace and needs the right.
 */
function applyPassword(dsa: Dsa, entry: StoredEntry, attrs: AttributeMap, changes: readonly Change[], ctx: OperationContext): AttributeMap {
  if (!ctx.secure && ctx.principal.kind !== 'system') throw AdErrors.passwordNotOverTls();
  const decode = (c: Change): string => {
    if (c.values.length !== 1) throw AdErrors.passwordNotOverTls();
    return schemaAttribute(dsa, c.type).name === 'unicodePwd' ? unicodePwdValue(c.values[0]!) : userPasswordValue(c.values[0]!);
  };
  const kind = accountKind(attrs.objectClass ?? []);
  if (kind !== 'user' && kind !== 'computer') throw AdErrors.unwillingToPerform();
  const policy = domainPolicy(dsa);
  let password: string;
  if (changes.length === 1 && changes[0]!.operation === 'replace') {
    if (!dsa.access.canResetPassword(ctx.principal, entry)) throw AdErrors.insufficientAccessRights();
    password = decode(changes[0]!);
  } else if (changes.length === 2 && changes[0]!.operation === 'delete' && changes[1]!.operation === 'add') {
    const oldPassword = decode(changes[0]!);
    password = decode(changes[1]!);
    if (!verifyPassword(dsa, entry, oldPassword)) throw AdErrors.passwordChangeRejected(dsa.schema.attribute('unicodePwd')!);
  } else {
    throw AdErrors.passwordNotOverTls();
  }
  checkPasswordPolicy(policy, password, attrs);
  storePassword(dsa, entry.guid, attrs, password);
  return { ...attrs, pwdLastSet: [pwdLastSetNow(dsa)] };
}

/** With the permissive-modify control, drop adds of present values and deletes of absent ones. */
function permissiveChanges(dsa: Dsa, entry: StoredEntry, changes: readonly Change[]): Change[] {
  return changes.flatMap((change) => {
    if (change.operation === 'replace') return [change];
    const attr = schemaAttribute(dsa, change.type);
    const current = entry.attrs[attr.name] ?? [];
    // Samba: deleting a whole attribute the entry does not have is no error with the control either.
    if (change.values.length === 0) return change.operation === 'delete' && current.length === 0 ? [] : [change];
    const present = new Set(current.map((v) => equalityKey(attr, v)));
    const values = change.values.filter((v) => present.has(equalityKey(attr, v)) === (change.operation === 'delete'));
    return values.length ? [{ ...change, values }] : [];
  });
}
