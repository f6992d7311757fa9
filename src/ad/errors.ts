import { DirectoryViolation } from '../directory/violation.js';

/** LDAP result codes (RFC 4511 4.1.9) that AD uses. */
export const ResultCode = {
  success: 0,
  operationsError: 1,
  protocolError: 2,
  timeLimitExceeded: 3,
  sizeLimitExceeded: 4,
  compareFalse: 5,
  compareTrue: 6,
  authMethodNotSupported: 7,
  strongerAuthRequired: 8,
  referral: 10,
  adminLimitExceeded: 11,
  unavailableCriticalExtension: 12,
  confidentialityRequired: 13,
  noSuchAttribute: 16,
  undefinedAttributeType: 17,
  inappropriateMatching: 18,
  constraintViolation: 19,
  attributeOrValueExists: 20,
  invalidAttributeSyntax: 21,
  noSuchObject: 32,
  invalidDNSyntax: 34,
  invalidCredentials: 49,
  insufficientAccessRights: 50,
  busy: 51,
  unavailable: 52,
  unwillingToPerform: 53,
  namingViolation: 64,
  objectClassViolation: 65,
  notAllowedOnNonLeaf: 66,
  notAllowedOnRDN: 67,
  entryAlreadyExists: 68,
  objectClassModsProhibited: 69,
  affectsMultipleDSAs: 71,
  other: 80,
} as const;

/** Stamped at the end of LdapErr texts; v4563 is what Windows Server 2019 DCs print (ad-ldap.md 2.1). */
const BUILD = 'v4563';

/**
 * The one error type of the domain controller: an LDAP result code and AD's diagnostic text.
 * The texts follow real AD (reference/ad-ldap.md section 2): a Win32 code in hex, the error
 * kind, a DSID, and a trailing NUL; non-LdapErr kinds put a line feed before the NUL.
 */
export class AdError extends Error {
  constructor(
    readonly code: number,
    readonly diagnostic: string,
    readonly matchedDN = '',
    readonly referrals: string[] = [],
  ) {
    super(diagnostic.replace(/\n?\0$/, ''));
    this.name = 'AdError';
  }
}

function ldapErr(win32: number, dsid: string, comment: string, data = '0'): string {
  return `${hex(win32)}: LdapErr: DSID-${dsid}, comment: ${comment}, data ${data}, ${BUILD}\0`;
}

function kindErr(win32: number, kind: string, dsid: string, problem: number, name: string, data = '0'): string {
  return `${hex(win32)}: ${kind}: DSID-${dsid}, problem ${problem} (${name}), data ${data}\n\0`;
}

function atrErr(win32: number, dsid: string, problem: number, name: string, attribute: AttributeRef): string {
  const att = `Att ${attrtyp(attribute.oid).toString(16)} (${attribute.name})`;
  return `${hex(win32)}: AtrErr: DSID-${dsid}, #1:\n\t0: ${hex(win32)}: DSID-${dsid}, problem ${problem} (${name}), data 0, ${att}\n\0`;
}

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(8, '0');
}

export interface AttributeRef {
  name: string;
  oid: string;
}

// MS-DRSR 5.16.4: the default prefix table that turns an attribute OID into the ATTRTYP AD prints.
const PREFIXES = ['2.5.4', '2.5.6', '1.2.840.113556.1.2', '1.2.840.113556.1.3', '2.16.840.1.101.2.2.1', '2.16.840.1.101.2.2.3', '2.16.840.1.101.2.1.5', '2.16.840.1.101.2.1.4', '2.5.5', '1.2.840.113556.1.4', '1.2.840.113556.1.5', '1.2.840.113556.1.4.260', '1.2.840.113556.1.5.56', '1.2.840.113556.1.4.1182', '1.2.840.113556.1.4.1.1.1', '1.2.840.113556.1.4.2.1', '1.2.840.113556.1.5.7000', '1.3.6.1.4.1.1466.101.119', '2.16.840.1.113730.3.2', '1.3.6.1.4.1.250.1', '1.2.840.113549.1.9', '0.9.2342.19200300.100.1', '1.2.840.113556.1.4.1.2'];

export function attrtyp(oid: string): number {
  const dot = oid.lastIndexOf('.');
  const index = PREFIXES.indexOf(oid.slice(0, dot));
  const last = Number(oid.slice(dot + 1));
  return index >= 0 && last < 0x10000 ? (index << 16) | last : last;
}

/** Win32 error codes AD reports in the `data` field of a failed bind (ad-ldap.md 2.2). */
export const LogonError = {
  noSuchUser: 0x525,
  logonFailure: 0x52e,
  invalidLogonHours: 0x530,
  invalidWorkstation: 0x531,
  passwordExpired: 0x532,
  accountDisabled: 0x533,
  accountExpired: 0x701,
  passwordMustChange: 0x773,
  accountLockedOut: 0x775,
} as const;

export const AdErrors = {
  /** 49: a simple bind that failed; `data` tells why (ad-ldap.md 2.2). */
  invalidCredentials(data: number = LogonError.logonFailure): AdError {
    return new AdError(ResultCode.invalidCredentials, ldapErr(0x80090308, '0C09044E', 'AcceptSecurityContext error', data.toString(16)));
  },
  /** 1: anything but a rootDSE read or a bind on an anonymous connection. */
  notAuthenticated(): AdError {
    return new AdError(ResultCode.operationsError, ldapErr(0x4dc, '0C090C78', 'In order to perform this operation a successful bind must be completed on the connection.'));
  },
  /** 32, with the closest existing ancestor as matchedDN. */
  noSuchObject(matchedDN: string): AdError {
    return new AdError(
      ResultCode.noSuchObject,
      `${hex(0x208d)}: NameErr: DSID-03100241, problem 2001 (NO_OBJECT), data 0, best match of:\n\t'${matchedDN}'\n\0`,
      matchedDN,
    );
  },
  /** 10: a base outside this DC's naming contexts. */
  referral(host: string, url: string): AdError {
    return new AdError(ResultCode.referral, `${hex(0x202b)}: RefErr: DSID-0310084A, data 0, 1 access points\n\tref 1: '${host}'\n\0`, '', [url]);
  },
  insufficientAccessRights(): AdError {
    return new AdError(ResultCode.insufficientAccessRights, kindErr(0x2098, 'SecErr', '03150F94', 4003, 'INSUFF_ACCESS_RIGHTS'));
  },
  /** 2: an extended operation AD does not implement (RFC 3062 password modify among them). */
  unknownExtendedOperation(): AdError {
    return new AdError(ResultCode.protocolError, ldapErr(0x203d, '0C090F1B', 'Unknown extended request OID'));
  },
  protocolError(comment: string): AdError {
    return new AdError(ResultCode.protocolError, ldapErr(0x203d, '0C090C8F', comment));
  },
  /** 7: SASL binds are not offered by this emulator. */
  authMethodNotSupported(): AdError {
    return new AdError(ResultCode.authMethodNotSupported, ldapErr(0x57, '0C09095D', 'Error in SASL bind'));
  },
  /** 53 WILL_NOT_PERFORM: unicodePwd over a connection that is not encrypted, or a malformed value. */
  passwordNotOverTls(): AdError {
    return new AdError(ResultCode.unwillingToPerform, kindErr(0x1f, 'SvcErr', '031A12D2', 5003, 'WILL_NOT_PERFORM'));
  },
  /** 53 with ERROR_PASSWORD_RESTRICTION: the password breaks the domain's policy. */
  passwordRestriction(): AdError {
    return new AdError(ResultCode.unwillingToPerform, kindErr(0x52d, 'SvcErr', '031A12D2', 5003, 'WILL_NOT_PERFORM'));
  },
  /** 19 on unicodePwd: a password change whose old password is wrong. */
  passwordChangeRejected(attribute: AttributeRef): AdError {
    return new AdError(ResultCode.constraintViolation, atrErr(0x56, '03191083', 1005, 'CONSTRAINT_ATT_TYPE', attribute));
  },
  unwillingToPerform(win32 = 0x35, dsid = '031A1254'): AdError {
    return new AdError(ResultCode.unwillingToPerform, kindErr(win32, 'SvcErr', dsid, 5003, 'WILL_NOT_PERFORM'));
  },
  /** 68: an object with this DN exists. */
  entryAlreadyExists(): AdError {
    return new AdError(ResultCode.entryAlreadyExists, kindErr(0x2071, 'UpdErr', '0305038D', 6005, 'ENTRY_EXISTS'));
  },
  /** 68 with ERROR_USER_EXISTS: a second account with the same sAMAccountName. */
  accountNameExists(): AdError {
    return new AdError(ResultCode.entryAlreadyExists, kindErr(0x524, 'UpdErr', '031A11E0', 6005, 'ENTRY_EXISTS'));
  },
  /** 19 with ERROR_DS_UPN_VALUE_NOT_UNIQUE_IN_FOREST: a userPrincipalName another object holds. */
  upnNotUnique(attribute: AttributeRef): AdError {
    return new AdError(ResultCode.constraintViolation, atrErr(0x21c8, '03200E96', 1005, 'CONSTRAINT_ATT_TYPE', attribute));
  },
  constraintViolation(attribute: AttributeRef): AdError {
    return new AdError(ResultCode.constraintViolation, atrErr(0x2082, '03151E5B', 1005, 'CONSTRAINT_ATT_TYPE', attribute));
  },
  /** 17: an attribute the schema does not define. */
  undefinedAttributeType(): AdError {
    return new AdError(ResultCode.undefinedAttributeType, ldapErr(0x57, '0C090D8A', 'Error in attribute conversion operation'));
  },
  invalidAttributeSyntax(): AdError {
    return new AdError(ResultCode.invalidAttributeSyntax, ldapErr(0x57, '0C090D8A', 'Error in attribute conversion operation'));
  },
  objectClassViolation(win32 = 0x2014): AdError {
    return new AdError(ResultCode.objectClassViolation, kindErr(win32, 'UpdErr', '030511F7', 6002, 'OBJ_CLASS_VIOLATION'));
  },
  objectClassModsProhibited(): AdError {
    return new AdError(ResultCode.objectClassModsProhibited, kindErr(0x2017, 'UpdErr', '0305137A', 6003, 'CANT_MOD_OBJ_CLASS'));
  },
  noSuchAttribute(attribute: AttributeRef): AdError {
    return new AdError(ResultCode.noSuchAttribute, atrErr(0x2080, '03151F25', 1001, 'NO_ATTRIBUTE_OR_VAL', attribute));
  },
  attributeOrValueExists(attribute: AttributeRef): AdError {
    return new AdError(ResultCode.attributeOrValueExists, atrErr(0x2083, '031519F9', 1006, 'ATT_OR_VALUE_EXISTS', attribute));
  },
  /** 53 on an attribute clients may not write (systemOnly, back links, constructed). */
  systemOnlyAttribute(): AdError {
    return new AdError(ResultCode.unwillingToPerform, kindErr(0x209a, 'SvcErr', '03152DC8', 5003, 'WILL_NOT_PERFORM'));
  },
  notAllowedOnNonLeaf(): AdError {
    return new AdError(ResultCode.notAllowedOnNonLeaf, kindErr(0x2015, 'UpdErr', '031B0B7C', 6003, 'CANT_ON_NON_LEAF'));
  },
  notAllowedOnRdn(): AdError {
    return new AdError(ResultCode.notAllowedOnRDN, kindErr(0x2016, 'UpdErr', '031504CB', 6004, 'CANT_ON_RDN'));
  },
  namingViolation(): AdError {
    return new AdError(ResultCode.namingViolation, kindErr(0x2099, 'NameErr', '0310021B', 2005, 'NAMING_VIOLATION'));
  },
  invalidDnSyntax(): AdError {
    return new AdError(ResultCode.invalidDNSyntax, ldapErr(0x20b2, '0C090A61', 'Error processing name'));
  },
  /** 53: rootDSE and other objects AD refuses to change. */
  rootDseReadOnly(): AdError {
    return new AdError(ResultCode.unwillingToPerform, ldapErr(0x35, '0C090E3A', 'Unable to perform this operation on the rootDSE'));
  },
  unavailableCriticalExtension(): AdError {
    return new AdError(ResultCode.unavailableCriticalExtension, ldapErr(0x20c1, '0C090AF2', 'Error processing control'));
  },
  sizeLimitExceeded(): AdError {
    return new AdError(ResultCode.sizeLimitExceeded, '');
  },
  timeLimitExceeded(): AdError {
    return new AdError(ResultCode.timeLimitExceeded, '');
  },
  /** 1, for an operation AD cannot carry out as asked. */
  operationsError(comment: string): AdError {
    return new AdError(ResultCode.operationsError, ldapErr(0x20ef, '0C090C3E', comment));
  },
  /** 11 with ERROR_DS_ADMIN_LIMIT_EXCEEDED: a per-connection limit (MaxNotificationPerConn) is reached. */
  adminLimitExceeded(): AdError {
    return new AdError(ResultCode.adminLimitExceeded, ldapErr(0x2024, '0C090C93', 'MaxNotificationPerConn reached'));
  },
  /** 53 with ERROR_DS_NOTIFY_FILTER_TOO_COMPLEX: a notification filter other than (objectClass=*). */
  notifyFilterTooComplex(): AdError {
    return new AdError(ResultCode.unwillingToPerform, ldapErr(0x20b9, '0C090CA4', 'Search filter too complex'));
  },
  /** 68 with ERROR_MEMBER_IN_GROUP: adding a member the group already has. */
  memberAlreadyInGroup(): AdError {
    return new AdError(ResultCode.entryAlreadyExists, kindErr(0x562, 'UpdErr', '031A11C4', 6005, 'ENTRY_EXISTS'));
  },
  /** 53 with ERROR_MEMBER_NOT_IN_GROUP: removing a member the group does not have. */
  memberNotInGroup(): AdError {
    return new AdError(ResultCode.unwillingToPerform, kindErr(0x561, 'SvcErr', '031A1021', 5003, 'WILL_NOT_PERFORM'));
  },
  /** 80, for the unexpected: the text is ours, logged with the details. */
  other(comment: string): AdError {
    return new AdError(ResultCode.other, ldapErr(0x3a, '0C090B73', comment));
  },
};

/** The directory's structural errors, worded as AD words them. */
export function fromViolation(v: DirectoryViolation): AdError {
  switch (v.problem) {
    case 'undefinedAttributeType':
      return AdErrors.undefinedAttributeType();
    case 'invalidAttributeSyntax':
      return AdErrors.invalidAttributeSyntax();
    case 'singleValued':
      return AdErrors.constraintViolation(v.attribute!);
    case 'objectClassViolation':
      return AdErrors.objectClassViolation();
    case 'noSuchAttribute':
      return AdErrors.noSuchAttribute(v.attribute!);
    case 'attributeOrValueExists':
      return AdErrors.attributeOrValueExists(v.attribute!);
    case 'notAllowedOnRdn':
      return AdErrors.notAllowedOnRdn();
  }
}

export function asAdError(e: unknown): AdError | undefined {
  if (e instanceof AdError) return e;
  if (e instanceof DirectoryViolation) return fromViolation(e);
  return undefined;
}
