import { AdErrors, ResultCode } from '../../ad/errors.js';
import { ANONYMOUS } from '../../ad/principal.js';
import type { LdapRequest } from '../protocol/requests.js';
import { ResponseTag } from '../protocol/responses.js';
import type { Session } from '../session.js';
import { failure, respond, resultOf } from './respond.js';

type BindRequest = Extract<LdapRequest, { op: 'bind' }>;

/** RFC 4511 4.2 bind, simple only; a failed bind leaves the connection anonymous. */
export function handleBind(session: Session, request: BindRequest): void {
  const log = { op: 'bind', dn: request.name, started: performance.now() };
  session.principal = ANONYMOUS;
  try {
    if (request.simple === undefined) throw AdErrors.authMethodNotSupported();
    if (request.version !== 3 && request.version !== 2) throw AdErrors.protocolError('Unsupported LDAP version');
    // Passwords are UTF-8 on the wire (RFC 4513 5.1.1).
    session.principal = session.host.dc.bind(request.name, request.simple.toString('utf8'));
    respond(session, request.messageId, ResponseTag.bind, { resultCode: ResultCode.success }, log);
  } catch (e) {
    respond(session, request.messageId, ResponseTag.bind, resultOf(failure(session, e)), log);
  }
}
