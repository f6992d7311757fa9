/** The controls this DC implements (MS-ADTS 3.1.1.3.4.1), advertised in the rootDSE's supportedControl. */
export const Controls = {
  pagedResults: '1.2.840.113556.1.4.319',
  sort: '1.2.840.113556.1.4.473',
  sortResponse: '1.2.840.113556.1.4.474',
  notification: '1.2.840.113556.1.4.528',
  showDeleted: '1.2.840.113556.1.4.417',
  dirSync: '1.2.840.113556.1.4.841',
  extendedDn: '1.2.840.113556.1.4.529',
  treeDelete: '1.2.840.113556.1.4.805',
  domainScope: '1.2.840.113556.1.4.1339',
  permissiveModify: '1.2.840.113556.1.4.1413',
  /** LDAP_SERVER_RANGE_OPTION_OID: range retrieval (`member;range=0-*`), a request option, not a control value */
  rangeOption: '1.2.840.113556.1.4.802',
} as const;
