import { randomUUID } from 'node:crypto';
import { escapeRdnValue } from '../../directory/dn.js';
import type { TenantConfig } from '../config.js';
import { objectIdFor } from '../identity.js';
import type { ConnectorObject } from '../model.js';
import { CLOUD } from '../rules/cloudObjects.js';
import type { AgentStore } from '../state/agentStore.js';

// Cloud-only users created in the tenant at run time (Microsoft Graph "Create user"), beside the
// ones of seed/tenant.ldif. The agent keeps them in its state (meta key `cloudUsers`); each cycle
// reads them into the `cloud` pseudo-connector with the seed file's objects. No password here:
// a cloud-only user has no hashes until its password is set (passwords/cloudPasswords.ts).

const KEY = 'cloudUsers';

/** What `dsemu cloud user add` and `emulator.cloud.addUser` take: Graph's user properties. */
export interface NewCloudUser {
  userPrincipalName: string;
  displayName: string;
  /** default: the UPN's prefix, as the Entra admin center fills it */
  mailNickname?: string;
  givenName?: string;
  surname?: string;
  jobTitle?: string;
  department?: string;
  /** default true */
  accountEnabled?: boolean;
}

/** A cloud-only user as the tenant holds it. */
export interface CloudUser extends NewCloudUser {
  /** the Entra objectId (the metaverse object's) */
  objectId: string;
  /** the `cloud` connector-space anchor */
  guid: string;
  mailNickname: string;
  accountEnabled: boolean;
  createdDateTime: string;
}

/** A request Entra refuses; its message is Graph's. */
export class CloudUserError extends Error {}

// Microsoft Graph's own error messages for "Create user" (Request_BadRequest).
const DUPLICATE_UPN = 'Another object with the same value for property userPrincipalName already exists.';
const UNVERIFIED_DOMAIN = 'The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.';
const invalid = (property: string): string => `Invalid value specified for property '${property}' of resource 'User'.`;

// concept-sspr-policy.md, "Username policies": A-Z a-z 0-9 ' . - _ ! # ^ ~, at most 64 before the @.
const UPN_PREFIX = /^[A-Za-z0-9'._!#^~-]{1,64}$/;
// Graph's mailNickname: ASCII, no spaces and none of @ ( ) \ [ ] " ; : < > ,
const MAIL_NICKNAME = /^[\x21-\x7e]{1,64}$/;
const MAIL_NICKNAME_FORBIDDEN = /[@()\\[\]";:<>,]/;

/** The users added at run time, oldest first. */
export function addedCloudUsers(store: AgentStore): CloudUser[] {
  return store.getMeta<CloudUser[]>(KEY) ?? [];
}

/** An added user by UPN (case-insensitive). */
export function addedCloudUser(store: AgentStore, userPrincipalName: string): CloudUser | undefined {
  const key = userPrincipalName.toLowerCase();
  return addedCloudUsers(store).find((u) => u.userPrincipalName.toLowerCase() === key);
}

/**
 * Creates a cloud-only user in the tenant: checks it as Graph does (a verified UPN suffix, a UPN
 * nobody holds) and keeps it in the agent's state; the next cycle brings it to the managed domain.
 * `seedUpns`: the UPNs of the seed file, taken even before a cycle has read them.
 */
export function createCloudUser(store: AgentStore, tenant: TenantConfig, input: NewCloudUser, seedUpns: readonly string[] = []): CloudUser {
  const upn = String(input.userPrincipalName ?? '').trim();
  const at = upn.lastIndexOf('@');
  if (at <= 0 || !UPN_PREFIX.test(upn.slice(0, at)) || upn.startsWith('.') || upn.slice(0, at).endsWith('.')) throw new CloudUserError(invalid('userPrincipalName'));
  const suffix = upn.slice(at + 1).toLowerCase();
  const domains = [tenant.initialDomain, ...tenant.verifiedDomains].map((d) => d.toLowerCase());
  if (!domains.includes(suffix)) throw new CloudUserError(`${UNVERIFIED_DOMAIN} (${upn}: ${domains.join(', ')})`);
  const displayName = String(input.displayName ?? '').trim();
  if (displayName === '' || displayName.length > 256) throw new CloudUserError(invalid('displayName'));
  const mailNickname = (input.mailNickname ?? upn.slice(0, at)).trim();
  if (!MAIL_NICKNAME.test(mailNickname) || MAIL_NICKNAME_FORBIDDEN.test(mailNickname)) throw new CloudUserError(invalid('mailNickname'));

  const guid = randomUUID();
  const user: CloudUser = {
    userPrincipalName: upn,
    displayName,
    mailNickname,
    ...optional(input, ['givenName', 'surname', 'jobTitle', 'department']),
    accountEnabled: input.accountEnabled !== false,
    objectId: objectIdFor(CLOUD, guid),
    guid,
    createdDateTime: new Date().toISOString(),
  };
  return store.write(() => {
    const taken = store.nameHolder('upn', upn) !== undefined || addedCloudUser(store, upn) !== undefined || seedUpns.some((u) => u.toLowerCase() === upn.toLowerCase());
    if (taken) throw new CloudUserError(`${DUPLICATE_UPN} (${upn})`);
    store.putMeta(KEY, [...addedCloudUsers(store), user]);
    return user;
  });
}

/** The connector-space object an added user is read as, like an entry of seed/tenant.ldif. */
export function cloudUserObject(user: CloudUser): ConnectorObject {
  const attrs: Record<string, string[]> = { objectClass: ['user'], userPrincipalName: [user.userPrincipalName], displayName: [user.displayName], mailNickname: [user.mailNickname] };
  for (const name of ['givenName', 'surname', 'jobTitle', 'department'] as const) if (user[name]) attrs[name] = [user[name]];
  attrs.accountEnabled = [user.accountEnabled ? 'TRUE' : 'FALSE'];
  return { connector: CLOUD, guid: user.guid, dn: `CN=${escapeRdnValue(user.userPrincipalName)},OU=Tenant Users`, attrs, links: {} };
}

function optional<K extends keyof NewCloudUser>(input: NewCloudUser, names: K[]): Partial<Pick<NewCloudUser, K>> {
  const picked: Partial<Pick<NewCloudUser, K>> = {};
  for (const name of names) {
    const value = input[name];
    if (typeof value === 'string' && value.trim() !== '') picked[name] = value.trim() as NewCloudUser[K];
  }
  return picked;
}
