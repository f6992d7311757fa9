import type { DomainController } from '../ad/domainController.js';
import { encodeUnicodePwd } from '../ad/crypto/unicodePwd.js';
import { SYSTEM } from '../ad/principal.js';
import { UF } from '../ad/uac.js';
import { DC_ADMINISTRATORS } from './managed.js';

export interface BootstrapAdministrator {
  userPrincipalName: string;
  password: string;
}

/**
 * Until the sync brings the tenant's AAD DC Administrators members, a start flag names one:
 * a user in AADDC Users, member of AAD DC Administrators, created once if no object has the UPN.
 */
export function ensureBootstrapAdministrator(dc: DomainController, admin: BootstrapAdministrator): void {
  for (const _ of dc.store.lookup('userPrincipalName', admin.userPrincipalName)) return;
  const users = `OU=AADDC Users,${dc.domain.dn}`;
  const prefix = admin.userPrincipalName.split('@')[0]!;
  const dn = `CN=${prefix.replace(/[,+"\\<>;=#]/g, '\\$&')},${users}`;
  const ctx = { principal: SYSTEM, secure: true };
  dc.store.write(() => {
    dc.add(dn, [
      { type: 'objectClass', values: ['user'] },
      { type: 'sAMAccountName', values: [prefix.slice(0, 20)] },
      { type: 'userPrincipalName', values: [admin.userPrincipalName] },
      { type: 'displayName', values: [prefix] },
      { type: 'description', values: ['Bootstrap member of AAD DC Administrators (dsemu start flag --dc-admin)'] },
      { type: 'userAccountControl', values: [String(UF.NORMAL_ACCOUNT | UF.DONT_EXPIRE_PASSWD)] },
      { type: 'unicodePwd', values: [encodeUnicodePwd(admin.password)] },
    ], ctx);
    dc.modify(`CN=${DC_ADMINISTRATORS},${users}`, [{ operation: 'add', type: 'member', values: [dn] }], ctx);
  });
}
