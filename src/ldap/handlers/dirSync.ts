import { AdErrors, ResultCode } from '../../ad/errors.js';
import type { LdapRequest } from '../protocol/requests.js';
import { encodeResult, encodeSearchEntry, ResponseTag } from '../protocol/responses.js';
import { findControl } from '../controls/registry.js';
import { Controls } from '../controls/oids.js';
import { dirSyncResponse, parseDirSync } from '../controls/dirSync.js';
import { extendedDnForm } from '../controls/extendedDn.js';
import type { Session } from '../session.js';
import { failure, logOperation, resultOf } from './respond.js';

type SearchRequest = Extract<LdapRequest, { op: 'search' }>;

/** A search carrying the DirSync control: one batch of changes and the cookie for the next. */
export function handleDirSync(session: Session, request: SearchRequest): void {
  const log = { op: 'dirsync', dn: request.base, started: performance.now(), entries: 0 };
  try {
    if (session.principal.kind === 'anonymous') throw AdErrors.notAuthenticated();
    const value = parseDirSync(findControl(request.controls, Controls.dirSync)!);
    if (!value) throw AdErrors.protocolError('Error processing control');
    // LDAP_SERVER_EXTENDED_DN_OID with DirSync: the entry DN and DN values carry <GUID=..>;<SID=..> (Samba 4.17, AD).
    const extendedDnControl = findControl(request.controls, Controls.extendedDn);
    const extendedDn = extendedDnControl ? extendedDnForm(extendedDnControl) : undefined;
    if (extendedDn === 'malformed') throw AdErrors.protocolError('Error processing control');
    const result = session.host.dc.dirSync({ base: request.base, filter: request.filter, attributes: request.attributes, flags: value.flags, cookie: value.cookie, extendedDn }, session.context);
    for (const entry of result.entries) session.send(encodeSearchEntry(request.messageId, entry.dn, entry.attributes));
    log.entries = result.entries.length;
    session.send(encodeResult(request.messageId, ResponseTag.searchDone, { resultCode: ResultCode.success }, undefined, [dirSyncResponse(result.more, result.cookie)]));
    logOperation(session, log, ResultCode.success);
  } catch (e) {
    const error = failure(session, e);
    session.send(encodeResult(request.messageId, ResponseTag.searchDone, resultOf(error)));
    logOperation(session, log, error.code);
  }
}
