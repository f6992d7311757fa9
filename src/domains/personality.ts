import type { AccessPolicy } from '../ad/acl.js';
import type { DomainIdentity } from '../ad/domain.js';

/**
 * What makes one domain controller this domain and not another: names, the seed it is built
 * from, and who may do what. The engine (directory, ad, ldap) is the same for every domain.
 */
export interface DomainPersonality {
  readonly dnsName: string;
  readonly netbiosName: string;
  /** host names of the domain's DCs (the first is the one this emulator plays); 'random': made up
   *  on first start, as Microsoft names and rotates Domain Services DCs */
  readonly dcNames: readonly string[] | { random: number };
  /** LDIF files in seed/, loaded in this order on first start; ${domainDn} & co. are substituted */
  readonly seedFiles: readonly string[];
  /** accounts (sAMAccountNames) whose passwords the emulator generates on first start and keeps
   *  in <data dir>/<domain>/credentials.json: the sync agent's principals */
  readonly serviceAccounts: readonly string[];
  /** false: the built-in Administrator is disabled and gets no password (Domain Services: nobody is a Domain Admin) */
  readonly builtInAdministrator?: boolean;
  /** true: the domain receives password hashes from a sync, sealed for its own key pair
   *  (<data dir>/<domain>/password-sync-key.pem, public half password-sync-public.pem) */
  readonly receivesPasswordHashes?: boolean;
  /** domain-wide policy written on the domain object on first start (attribute -> value) */
  readonly domainPolicy?: Readonly<Record<string, string>>;
  access(domain: DomainIdentity, directory: DirectoryLookup): AccessPolicy;
}

/** What access rules may ask of the directory they guard. */
export interface DirectoryLookup {
  /** the objectSid (S-1-...) of the live account or group with this sAMAccountName */
  sidOf(sAMAccountName: string): string | undefined;
}

/** DC=contoso,DC=com from contoso.com. */
export function domainDnOf(dnsName: string): string {
  return dnsName.split('.').map((label) => `DC=${label}`).join(',');
}
