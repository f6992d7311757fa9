/** The identity a connection acts as, with the SIDs of its token (its groups, transitively). */
export type Principal =
  | { readonly kind: 'anonymous' }
  | {
      readonly kind: 'account';
      readonly guid: string;
      readonly dn: string;
      readonly sid: string;
      readonly sAMAccountName: string;
      /** the account's SID, its primary group, and every group it is in, transitively */
      readonly tokenSids: ReadonlySet<string>;
    }
  /** the emulator itself: provisioning, LDIF import, maintenance */
  | { readonly kind: 'system' };

export const ANONYMOUS: Principal = { kind: 'anonymous' };
export const SYSTEM: Principal = { kind: 'system' };

/** Well-known SIDs (MS-DTYP 2.4.2.4) and the domain-relative RIDs AD provisions. */
export const WellKnownSid = {
  administrators: 'S-1-5-32-544',
  users: 'S-1-5-32-545',
  accountOperators: 'S-1-5-32-548',
  everyone: 'S-1-1-0',
  authenticatedUsers: 'S-1-5-11',
} as const;

export const WellKnownRid = {
  administrator: 500,
  guest: 501,
  krbtgt: 502,
  domainAdmins: 512,
  domainUsers: 513,
  domainGuests: 514,
  domainComputers: 515,
  domainControllers: 516,
  schemaAdmins: 518,
  enterpriseAdmins: 519,
} as const;
