import { dedupe } from '../../directory/changes.js';
import type { AttributeMap } from '../../directory/entry.js';
import { InvalidDnError, childDn, normalizeDn, parentDn, parseDn, rdnValue } from '../../directory/dn.js';
import type { StoredEntry } from '../../directory/entry.js';
import { validateEntry } from '../../directory/validate.js';
import { SCHEMA_RULES } from '../schemaRules.js';
import type { Dsa, OperationContext } from '../dsa.js';
import { AdErrors } from '../errors.js';
import { PASSWORD_ATTRIBUTES, assertClientWritable, schemaAttribute, storedValues, type AttributeInput } from '../input.js';
import { checkPasswordPolicy, domainPolicy, pwdLastSetNow, storePassword, unicodePwdValue, userPasswordValue } from '../passwords.js';
import { isForwardLink } from '../links.js';
import { bestMatch, inDomain } from '../resolve.js';
import { accountKind, assertUniqueNames, fillAddDefaults } from '../samldb.js';
import { UF, uacOf } from '../uac.js';
import { stampChange } from './stamp.js';
import { assertPossibleSuperior, canonicalRdn } from '../naming.js';

const NC_ROOT: StoredEntry = { guid: '', dn: '', parent: '', attrs: {} };

/** LDAP add (RFC 4511 4.7) with AD's add-time behaviour; returns the new object's GUID. */
export function addObject(dsa: Dsa, dn: string, input: readonly AttributeInput[], ctx: OperationContext): string {
  const system = ctx.principal.kind === 'system';
  let rdn: { type: string; value: string };
  try {
    if (parseDn(dn).length === 0) throw AdErrors.entryAlreadyExists();
    rdn = rdnValue(dn);
  } catch (e) {
    if (e instanceof InvalidDnError) throw AdErrors.invalidDnSyntax();
    throw e;
  }
  if (!inDomain(dsa, dn)) throw AdErrors.noSuchObject('');

  return dsa.store.write(() => {
    // The naming-context head has no parent in this DC; only the emulator itself creates it.
    const head = system && normalizeDn(dn) === normalizeDn(dsa.domain.dn);
    const parent = head ? NC_ROOT : dsa.store.byDn(parentDn(dn));
    if (!parent) throw AdErrors.noSuchObject(bestMatch(dsa, dn));
    if (dsa.store.guidOfDn(dn)) throw AdErrors.entryAlreadyExists();

    const attrs: AttributeMap = {};
    let password: string | undefined;
    for (const { type, values } of input) {
      const attr = schemaAttribute(dsa, type);
      if (!system) assertClientWritable(attr, true);
      if (PASSWORD_ATTRIBUTES.has(attr.name)) {
        if (!ctx.secure && !system) throw AdErrors.passwordNotOverTls();
        if (values.length !== 1) throw AdErrors.passwordNotOverTls();
        password = attr.name === 'unicodePwd' ? unicodePwdValue(values[0]!) : userPasswordValue(values[0]!);
        continue;
      }
      if (values.length === 0) throw AdErrors.invalidAttributeSyntax();
      // forward-link values are GUIDs by now: the same object exactly when the same string
      attrs[attr.name] = dedupe(attr, [...(attrs[attr.name] ?? []), ...storedValues(dsa, attr, values)], isForwardLink(attr) ? String : undefined);
    }

    const structural = dsa.schema.structuralClass((attrs.objectClass ?? []).map(String));
    if (!structural) throw AdErrors.objectClassViolation();
    const chain = dsa.schema.objectClassValues(structural.name);
    const extra = (attrs.objectClass ?? []).map(String).filter((c) => !chain.some((v) => v.toLowerCase() === c.toLowerCase()));
    attrs.objectClass = [...chain, ...extra.map((c) => dsa.schema.objectClass(c)!.name)];

    const rdnAttr = schemaAttribute(dsa, rdn.type);
    if (!attrs[rdnAttr.name]) attrs[rdnAttr.name] = [rdn.value];
    if (!head) assertPossibleSuperior(structural, parent);

    const access = { principal: ctx.principal, operation: 'add' as const, dn, objectClasses: attrs.objectClass.map(String), parent };
    if (!dsa.access.canWrite(access)) throw AdErrors.insufficientAccessRights();

    fillAddDefaults(dsa, attrs, { rdnValue: rdn.value, structural, hasPassword: password !== undefined, system, ncHead: head });
    const kind = accountKind(attrs.objectClass);
    if (kind !== 'other') assertUniqueNames(dsa, attrs);
    validateEntry(dsa.schema, attrs, rdn, SCHEMA_RULES);

    const guid = (attrs.objectGUID![0] as Buffer).toString('hex');
    if (password !== undefined) {
      if (kind !== 'user' && kind !== 'computer') throw AdErrors.unwillingToPerform();
      checkPasswordPolicy(domainPolicy(dsa), password, attrs);
      storePassword(dsa, guid, attrs, password);
      if (String(attrs.pwdLastSet?.[0]) !== '0' || !input.some((a) => a.type.toLowerCase() === 'pwdlastset')) attrs.pwdLastSet = [pwdLastSetNow(dsa)];
    } else if (kind === 'user' && !system && !dsa.access.writesReplicatedState?.(ctx.principal)) {
      const uac = uacOf(attrs.userAccountControl?.[0]);
      // MS-SAMR 3.1.1.8.10: an enabled account that requires a password cannot be created without one.
      if (!(uac & (UF.ACCOUNTDISABLE | UF.PASSWD_NOTREQD)) && domainPolicy(dsa).minPwdLength > 0) throw AdErrors.passwordRestriction();
    }

    stampChange(dsa, attrs, true);
    dsa.store.put({ guid, dn: head ? dn : childDn(canonicalRdn(rdnAttr, rdn.value), parent.dn), parent: parent.guid, attrs });
    return guid;
  });
}
