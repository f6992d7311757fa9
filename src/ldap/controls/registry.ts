import type { RequestControl } from '../protocol/requests.js';
import { Controls } from './oids.js';

/**
 * Which operations each implemented control applies to; a control is advertised (rootDSE
 * supportedControl) once it is listed here, so list a control only when it works.
 */
const APPLIES: Record<string, readonly string[]> = {
  [Controls.pagedResults]: ['search'],
  [Controls.permissiveModify]: ['modify', 'add', 'delete'],
  [Controls.showDeleted]: ['search', 'compare', 'modify', 'delete'],
  [Controls.treeDelete]: ['delete'],
  [Controls.dirSync]: ['search'],
  [Controls.notification]: ['search'],
  [Controls.sort]: ['search'],
  [Controls.sortResponse]: [],
  [Controls.extendedDn]: ['search'],
  [Controls.domainScope]: ['search'],
  // LDAP_SERVER_RANGE_OPTION_OID: no control, it advertises range retrieval (MS-ADTS 3.1.1.3.4.1.10)
  [Controls.rangeOption]: [],
};

export function supportedControls(): string[] {
  return Object.keys(APPLIES);
}

export function hasControl(controls: readonly RequestControl[], oid: string): boolean {
  return controls.some((c) => c.type === oid);
}

export function findControl(controls: readonly RequestControl[], oid: string): RequestControl | undefined {
  return controls.find((c) => c.type === oid);
}

/** RFC 4511 4.1.11: a critical control the server does not implement for the operation fails it with 12. */
export function unsupportedCriticalControl(controls: readonly RequestControl[], op: string): RequestControl | undefined {
  return controls.find((c) => c.critical && !(APPLIES[c.type]?.includes(op) ?? false));
}
