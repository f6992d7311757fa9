import { AdErrors, ResultCode } from '../../ad/errors.js';
import type { HashEnvelope } from '../../ad/crypto/hashEnvelope.js';
import type { LdapRequest } from '../protocol/requests.js';
import { encodeExtendedResponse } from '../protocol/responses.js';
import type { Session } from '../session.js';
import { failure, logOperation, resultOf } from './respond.js';

type ExtendedRequest = Extract<LdapRequest, { op: 'extended' }>;

export const Extensions = {
  startTls: '1.3.6.1.4.1.1466.20037',
  whoAmI: '1.3.6.1.4.1.4203.1.11.3',
} as const;

/** dsemu's own extended operation (README, "Password hash sync"): the managed domain receives a user's sealed hashes. */
export const SET_SYNCED_CREDENTIALS_OID = '1.3.6.1.4.1.55555.1.2.1';

export function supportedExtensions(): string[] {
  return Object.values(Extensions);
}

/**
 * Extended operations: StartTLS (RFC 4511 4.14) and Who am I (RFC 4532, answered `u:DOMAIN\sam`
 * as AD does). Anything else, RFC 3062 password modify included, gets AD's protocolError 0000203D.
 */
export function handleExtended(session: Session, request: ExtendedRequest): void {
  const log = { op: 'extended', dn: request.name, started: performance.now() };
  const answer = (result: { resultCode: number; diagnosticMessage?: string }, value?: Buffer): void => {
    session.send(encodeExtendedResponse(request.messageId, result, request.name === Extensions.startTls ? request.name : undefined, value));
    logOperation(session, log, result.resultCode);
  };
  try {
    switch (request.name) {
      case Extensions.startTls: {
        const context = session.host.secureContext;
        if (!context) throw AdErrors.unavailableCriticalExtension();
        if (session.secure || session.running.size > 0) throw AdErrors.other('StartTLS is not possible now');
        answer({ resultCode: ResultCode.success });
        session.startTls(context);
        return;
      }
      case Extensions.whoAmI: {
        const p = session.principal;
        // Samba's ldap_extended.c answers "u:DOMAIN\sam"; an anonymous caller gets no value.
        const value = p.kind === 'account' ? Buffer.from(`u:${session.host.dc.domain.netbiosName}\\${p.sAMAccountName}`) : undefined;
        answer({ resultCode: ResultCode.success }, value);
        return;
      }
      case SET_SYNCED_CREDENTIALS_OID: {
        // The value: UTF-8 JSON { "dn": the user, "envelope": the sealed hashes }.
        let body: { dn?: unknown; envelope?: unknown };
        try {
          body = JSON.parse((request.value ?? Buffer.alloc(0)).toString('utf8')) as { dn?: unknown; envelope?: unknown };
        } catch {
          throw AdErrors.protocolError('Error decoding ldap message');
        }
        if (typeof body.dn !== 'string' || typeof body.envelope !== 'object' || body.envelope === null) throw AdErrors.protocolError('Error decoding ldap message');
        session.host.dc.setSyncedCredentials(body.dn, body.envelope as HashEnvelope, session.context);
        answer({ resultCode: ResultCode.success });
        return;
      }
      default:
        throw AdErrors.unknownExtendedOperation();
    }
  } catch (e) {
    answer(resultOf(failure(session, e)));
  }
}
