import type { MetaverseObject, ObjectType } from '../model.js';

// Entra ID -> Domain Services (synchronization.md, "Attribute mapping for user accounts" and
// "for groups"; entra.md 3.9 for company and both object-ID names).

const USER_FLOWS: Record<string, string> = {
  city: 'l',
  companyName: 'company',
  country: 'co',
  department: 'department',
  displayName: 'displayName',
  employeeId: 'employeeID',
  facsimileTelephoneNumber: 'facsimileTelephoneNumber',
  givenName: 'givenName',
  jobTitle: 'title',
  mail: 'mail',
  mobile: 'mobile',
  physicalDeliveryOfficeName: 'physicalDeliveryOfficeName',
  postalCode: 'postalCode',
  preferredLanguage: 'preferredLanguage',
  proxyAddresses: 'proxyAddresses',
  state: 'st',
  streetAddress: 'streetAddress',
  surname: 'sn',
  telephoneNumber: 'telephoneNumber',
  userPrincipalName: 'userPrincipalName',
  mailNickname: 'msDS-AzureADMailNickname',
  onPremisesSecurityIdentifier: 'sIDHistory',
};

const GROUP_FLOWS: Record<string, string> = {
  displayName: 'displayName',
  mail: 'mail',
  mailNickname: 'msDS-AzureADMailNickname',
  onPremisesSecurityIdentifier: 'sIDHistory',
  proxyAddresses: 'proxyAddresses',
};

/** The managed-domain attributes the export owns (everything else on the object is left alone). */
export const MANAGED_ATTRIBUTES: Record<ObjectType, string[]> = {
  user: [...new Set([...Object.values(USER_FLOWS), 'msDS-aadObjectId', 'msDS-AzureADObjectId', 'userAccountControl'])],
  group: [...new Set([...Object.values(GROUP_FLOWS), 'msDS-aadObjectId', 'msDS-AzureADObjectId', 'groupType'])],
};

const UF_NORMAL_ACCOUNT = 0x200;
const UF_ACCOUNT_DISABLE = 0x2;
const UF_DONT_EXPIRE_PASSWD = 0x10000;
const GLOBAL_SECURITY_GROUP = -2147483646;
const UNIVERSAL_DISTRIBUTION_GROUP = 8;

/** What the managed domain should hold for a metaverse object. */
export interface DesiredObject {
  objectType: ObjectType;
  /** the RDN value it would like (made unique in the flat OU by the export) */
  cn: string;
  /** what its sAMAccountName is made from: mailNickname (users) or displayName (groups) */
  samSource: string;
  attrs: Record<string, string[]>;
  /** member (groups) and manager (users) as metaverse objectIds */
  members: string[];
  manager?: string;
}

function text(value: string | string[] | boolean | undefined): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  return [String(value)];
}

export function desiredManagedObject(mv: MetaverseObject): DesiredObject {
  const a = mv.attributes;
  const flows = mv.objectType === 'user' ? USER_FLOWS : GROUP_FLOWS;
  const attrs: Record<string, string[]> = {};
  for (const [entra, ds] of Object.entries(flows)) {
    const values = text(a[entra]);
    if (values.length) attrs[ds] = values;
  }
  // Both names of the object ID (entra.md 3.9: users msDS-aadObjectId, groups msDS-AzureADObjectId).
  attrs['msDS-aadObjectId'] = [mv.objectId];
  attrs['msDS-AzureADObjectId'] = [mv.objectId];
  const displayName = String(a.displayName ?? a.commonName ?? a.mailNickname ?? mv.objectId);
  if (mv.objectType === 'user') {
    let uac = UF_NORMAL_ACCOUNT;
    if (a.accountEnabled === false) uac |= UF_ACCOUNT_DISABLE;
    if (String(a.passwordPolicies ?? '').split(',').map((p) => p.trim()).includes('DisablePasswordExpiration')) uac |= UF_DONT_EXPIRE_PASSWD;
    attrs.userAccountControl = [String(uac)];
    const upnPrefix = String(a.userPrincipalName ?? '').split('@')[0] ?? '';
    return { objectType: 'user', cn: String(a.commonName ?? displayName), samSource: String(a.mailNickname ?? upnPrefix), attrs, members: [], manager: mv.manager };
  }
  attrs.groupType = [String(a.securityEnabled === false ? UNIVERSAL_DISTRIBUTION_GROUP : GLOBAL_SECURITY_GROUP)];
  return { objectType: 'group', cn: String(a.commonName ?? displayName), samSource: displayName, attrs, members: mv.members };
}
