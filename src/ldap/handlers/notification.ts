import { AdErrors, ResultCode } from '../../ad/errors.js';
import type { LdapRequest } from '../protocol/requests.js';
import { encodeResult, encodeSearchEntry, ResponseTag } from '../protocol/responses.js';
import { hasControl } from '../controls/registry.js';
import { Controls } from '../controls/oids.js';
import type { Session } from '../session.js';
import { withinMaxValRange } from '../../ad/readView.js';
import { failure, logOperation, resultOf } from './respond.js';

type SearchRequest = Extract<LdapRequest, { op: 'search' }>;

/** AD's MaxNotificationPerConn policy (ad-ldap.md 4). */
export const MAX_NOTIFICATIONS_PER_CONNECTION = 5;

/**
 * A change-notification search (MS-ADTS 3.1.1.3.4.1.9): the filter must be (objectClass=*);
 * each change is sent as an entry with the request's message ID, and the search never ends
 * until the client abandons it (or disconnects).
 */
export function handleNotification(session: Session, request: SearchRequest): void {
  const log = { op: 'notification', dn: request.base, started: performance.now() };
  try {
    if (session.principal.kind === 'anonymous') throw AdErrors.notAuthenticated();
    const f = request.filter;
    if (f.type !== 'present' || f.attribute.toLowerCase() !== 'objectclass') throw AdErrors.notifyFilterTooComplex();
    const watching = [...session.running.values()].filter((op) => op.kind === 'notification').length;
    if (watching >= MAX_NOTIFICATIONS_PER_CONNECTION) throw AdErrors.adminLimitExceeded();
    const stop = session.host.dc.watch(
      { base: request.base, scope: request.scope, attributes: request.attributes, showDeleted: hasControl(request.controls, Controls.showDeleted) },
      session.context,
      (entry) => {
        const shaped = withinMaxValRange(entry);
        session.send(encodeSearchEntry(request.messageId, shaped.dn, shaped.attributes, request.typesOnly));
      },
    );
    session.running.set(request.messageId, { abandoned: false, kind: 'notification', stop });
    logOperation(session, log, ResultCode.success);
  } catch (e) {
    const error = failure(session, e);
    session.send(encodeResult(request.messageId, ResponseTag.searchDone, resultOf(error)));
    logOperation(session, log, error.code);
  }
}
