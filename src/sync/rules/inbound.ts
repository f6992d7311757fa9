import type { ConnectorObject, ObjectType } from '../model.js';
import { isAccountEnabled, isMailEnabled, isSecurityEnabled } from './filters.js';

// Entra Connect's out-of-box inbound rules (In from AD - User Common / AccountEnabled / Exchange,
// Group Common / Exchange), entra.md 1.2 and 1.3: AD attribute -> Entra ID (metaverse) attribute.

/** The flows that are `Trim([x])`: AD name -> Entra ID name. */
const TRIMMED_USER_FLOWS: Record<string, string> = {
  givenName: 'givenName',
  sn: 'surname',
  l: 'city',
  co: 'country',
  c: 'countryLetterCode',
  st: 'state',
  streetAddress: 'streetAddress',
  postalCode: 'postalCode',
  physicalDeliveryOfficeName: 'physicalDeliveryOfficeName',
  title: 'jobTitle',
  department: 'department',
  company: 'companyName',
  telephoneNumber: 'telephoneNumber',
  mobile: 'mobile',
  facsimileTelephoneNumber: 'facsimileTelephoneNumber',
  mail: 'mail',
  employeeID: 'employeeId',
  preferredLanguage: 'preferredLanguage',
};

/** What the inbound rules make of one source object. */
export interface InboundResult {
  attributes: Record<string, string | string[] | boolean>;
  /** the on-prem mailNickname and UPN, which the naming rules turn into Entra's */
  sourceMailNickname?: string;
  sourceUserPrincipalName?: string;
  /** references as connector-space GUIDs (or `dn:` values) of the same connector */
  members: string[];
  manager?: string;
  /** which rule produced each attribute (dsemu explain) */
  rules: Record<string, string>;
}

function first(object: ConnectorObject, name: string): string | undefined {
  const value = object.attrs[name]?.[0];
  return value === undefined ? undefined : value;
}

function trimmed(object: ConnectorObject, name: string): string | undefined {
  const value = first(object, name)?.trim();
  return value ? value : undefined;
}

/** sourceAnchor: ms-DS-ConsistencyGuid when present, else objectGUID, base64 of the bytes (plan-connect-design-concepts.md). */
export function sourceAnchorOf(object: ConnectorObject): string {
  const consistency = first(object, 'mS-DS-ConsistencyGuid');
  if (consistency) return consistency;
  const guid = object.guid.replace(/-/g, '');
  // objectGUID bytes in AD's stored order (Data1..3 little-endian).
  const b = Buffer.from(guid, 'hex');
  const stored = Buffer.concat([Buffer.from(b.subarray(0, 4)).reverse(), Buffer.from(b.subarray(4, 6)).reverse(), Buffer.from(b.subarray(6, 8)).reverse(), b.subarray(8)]);
  return stored.toString('base64');
}

/** FILETIME -> yyyyMMddHHmmss.0Z (`CStr(FormatDateTime(DateFromNum([pwdLastSet]),...))`). */
function fileTimeToGeneralized(value: string | undefined): string | undefined {
  if (!value || value === '0') return undefined;
  const ms = Number(BigInt(value) / 10_000n) - 11_644_473_600_000;
  if (!Number.isFinite(ms)) return undefined;
  return `${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)}.0Z`;
}

export function inboundFromAd(object: ConnectorObject, type: ObjectType, domainFqdn: string): InboundResult {
  const attributes: InboundResult['attributes'] = {};
  const rules: Record<string, string> = {};
  const set = (name: string, value: string | string[] | boolean | undefined, rule: string): void => {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) return;
    attributes[name] = value;
    rules[name] = rule;
  };
  // The RDN value: DirSync sends `name` on creation, rename and move, never `cn` (Samba dirsync.c).
  const cn = first(object, 'name') ?? first(object, 'cn');
  set('onPremisesImmutableId', sourceAnchorOf(object), first(object, 'mS-DS-ConsistencyGuid') ? 'ConvertToBase64([mS-DS-ConsistencyGuid])' : 'ConvertToBase64([objectGUID])');
  set('onPremisesSecurityIdentifier', first(object, 'objectSid'), 'objectSid');
  set('onPremisesSamAccountName', first(object, 'sAMAccountName'), 'sAMAccountName');
  set('onPremisesDistinguishedName', object.dn, 'dn');
  set('onPremisesDomainName', domainFqdn, '%Domain.FQDN%');
  set('commonName', cn, 'cn');
  set('displayName', trimmed(object, 'displayName') ?? cn, 'IIF(IsNullOrEmpty([displayName]),[cn],[displayName])');
  set('mail', trimmed(object, 'mail'), 'Trim([mail])');
  const proxies = [...new Set((object.attrs.proxyAddresses ?? []).map((p) => p.trim()).filter(Boolean))];
  set('proxyAddresses', proxies, 'RemoveDuplicates(Trim(ImportedValue("proxyAddresses")))');
  const nickname = trimmed(object, 'mailNickname');

  if (type === 'group') {
    set('securityEnabled', isSecurityEnabled(object), 'CBool(BitAnd([groupType],-2147483648))');
    set('mailEnabled', isMailEnabled(object), 'proxyAddresses SMTP or mail with @');
    return { attributes, rules, sourceMailNickname: nickname, members: object.links.member ?? [] };
  }

  set('accountEnabled', isAccountEnabled(object), 'IIF(BitAnd([userAccountControl],2)=0,True,False)');
  for (const [ad, entra] of Object.entries(TRIMMED_USER_FLOWS)) if (entra !== 'mail') set(entra, trimmed(object, ad), `Trim([${ad}])`);
  set('lastPasswordChangeTimestamp', fileTimeToGeneralized(first(object, 'pwdLastSet')), 'FormatDateTime(DateFromNum([pwdLastSet]))');
  const sam = first(object, 'sAMAccountName');
  const upn = first(object, 'userPrincipalName') ?? (sam ? `${sam}@${domainFqdn}` : undefined);
  return { attributes, rules, sourceMailNickname: nickname, sourceUserPrincipalName: upn, members: [], manager: object.links.manager?.[0] };
}
