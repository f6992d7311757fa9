import { createHash } from 'node:crypto';
import type { TenantConfig } from '../config.js';
import type { MetaverseObject } from '../model.js';
import type { AgentStore } from '../state/agentStore.js';

// Entra's naming of synced users: mailNickname and UPN (plan-connect-userprincipalname.md) and
// duplicate attribute resiliency (how-to-connect-syncservice-duplicate-attribute-resiliency.md).

/** A UPN Entra takes as is: a verified suffix and no whitespace. */
function isUsableUpn(upn: string, tenant: TenantConfig): boolean {
  const at = upn.lastIndexOf('@');
  if (at <= 0 || /\s/.test(upn)) return false;
  const suffix = upn.slice(at + 1).toLowerCase();
  return suffix === tenant.initialDomain.toLowerCase() || tenant.verifiedDomains.some((d) => d.toLowerCase() === suffix);
}

const prefixOf = (address: string | undefined): string | undefined => {
  const at = address?.indexOf('@') ?? -1;
  return address && at > 0 ? address.slice(0, at).replace(/^smtp:/i, '') : undefined;
};

/**
 * Entra's MailNickName on first sync: the on-prem mailNickname, else the prefix of the primary
 * SMTP address, of mail, of the on-prem UPN, of a secondary smtp address. Afterwards it changes
 * only when the on-prem mailNickname does.
 */
export function nextMailNickname(mv: MetaverseObject, sourceNickname: string | undefined, sourceUpn: string | undefined): { value?: string; rule: string } {
  const current = mv.attributes.mailNickname as string | undefined;
  if (sourceNickname && sourceNickname !== mv.seen.mailNickname) return { value: sourceNickname, rule: 'mailNickname' };
  if (current) return { value: current, rule: 'kept (changes only with the on-prem mailNickname)' };
  const proxies = (mv.attributes.proxyAddresses as string[] | undefined) ?? [];
  const candidates: [string | undefined, string][] = [
    [prefixOf(proxies.find((p) => p.startsWith('SMTP:'))), 'prefix of the primary SMTP address'],
    [prefixOf(mv.attributes.mail as string | undefined), 'prefix of mail'],
    [prefixOf(sourceUpn), 'prefix of the on-prem UPN'],
    [prefixOf(proxies.find((p) => p.startsWith('smtp:'))), 'prefix of a secondary smtp address'],
  ];
  for (const [value, rule] of candidates) if (value) return { value, rule };
  return { rule: 'none' };
}

/** The UPN Entra computes: the on-prem UPN when its suffix is verified, else the MOERA. */
export function entraUserPrincipalName(sourceUpn: string | undefined, mailNickname: string | undefined, tenant: TenantConfig): { value?: string; rule: string } {
  if (sourceUpn && isUsableUpn(sourceUpn, tenant)) return { value: sourceUpn, rule: 'userPrincipalName' };
  if (mailNickname) return { value: `${mailNickname}@${tenant.initialDomain}`, rule: 'MOERA: <mailNickname>@<initial domain> (suffix not verified)' };
  return { rule: 'none' };
}

/** `<prefix><4 digits>@<initial domain>`, the digits a function of the objectId (the first free). */
function placeholderUpn(upn: string, objectId: string, tenant: TenantConfig, taken: (upn: string) => boolean): string {
  const prefix = upn.slice(0, upn.lastIndexOf('@'));
  for (let i = 0; ; i++) {
    const digits = String(parseInt(createHash('sha256').update(`${objectId}:${i}`).digest('hex').slice(0, 8), 16) % 10_000).padStart(4, '0');
    const candidate = `${prefix}${digits}@${tenant.initialDomain}`;
    if (!taken(candidate)) return candidate;
  }
}

/**
 * Gives a user its UPN and proxy addresses, unique in the tenant: a UPN another object holds
 * becomes a placeholder, a proxy address another holds is dropped; both are recorded as
 * provisioning errors, as Entra does.
 */
export function claimUniqueNames(store: AgentStore, mv: MetaverseObject, previous: MetaverseObject | undefined, tenant: TenantConfig, rules: Record<string, string>): void {
  const errors: string[] = [];
  const id = mv.objectId;
  const heldByOther = (kind: 'upn' | 'proxy', value: string): boolean => {
    const holder = store.nameHolder(kind, value);
    return holder !== undefined && holder !== id;
  };

  const oldUpn = previous?.attributes.userPrincipalName as string | undefined;
  let upn = mv.attributes.userPrincipalName as string | undefined;
  if (upn && heldByOther('upn', upn)) {
    const original = upn;
    // A placeholder already given keeps standing while the conflict lasts.
    upn = oldUpn && !heldByOther('upn', oldUpn) && oldUpn.endsWith(`@${tenant.initialDomain}`) && oldUpn !== original ? oldUpn : placeholderUpn(original, id, tenant, (c) => heldByOther('upn', c));
    mv.attributes.userPrincipalName = upn;
    rules.userPrincipalName = 'duplicate attribute resiliency: <prefix><4 digits>@<initial domain>';
    errors.push(`UserPrincipalName: the value ${original} is already used by another object; ${upn} is used instead.`);
  }
  if (oldUpn && oldUpn !== upn) store.releaseName('upn', oldUpn, id);
  if (upn) store.claimName('upn', upn, id);

  const oldProxies = (previous?.attributes.proxyAddresses as string[] | undefined) ?? [];
  const proxies = (mv.attributes.proxyAddresses as string[] | undefined) ?? [];
  const kept = proxies.filter((p) => {
    const address = p.replace(/^smtp:/i, '');
    if (!heldByOther('proxy', address)) return true;
    errors.push(`ProxyAddresses: the value ${p} is already used by another object and was not synchronized.`);
    return false;
  });
  const keptAddresses = new Set(kept.map((p) => p.replace(/^smtp:/i, '').toLowerCase()));
  for (const p of oldProxies) if (!keptAddresses.has(p.replace(/^smtp:/i, '').toLowerCase())) store.releaseName('proxy', p.replace(/^smtp:/i, ''), id);
  for (const p of kept) store.claimName('proxy', p.replace(/^smtp:/i, ''), id);
  if (kept.length) mv.attributes.proxyAddresses = kept;
  else delete mv.attributes.proxyAddresses;
  mv.provisioningErrors = errors;
}

/** Frees everything a deleted metaverse object held. */
export function releaseUniqueNames(store: AgentStore, mv: MetaverseObject): void {
  const upn = mv.attributes.userPrincipalName as string | undefined;
  if (upn) store.releaseName('upn', upn, mv.objectId);
  for (const p of (mv.attributes.proxyAddresses as string[] | undefined) ?? []) store.releaseName('proxy', p.replace(/^smtp:/i, ''), mv.objectId);
}
