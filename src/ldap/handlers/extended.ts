import { AdErrors, ResultCode } from '../../ad/errors.js';
import { SET_SYNCED_CREDENTIALS_OID, type SyncedCredentialsItem } from '../../ad/passwordHashSync.js';
import type { LdapRequest } from '../protocol/requests.js';
import { encodeExtendedResponse } from '../protocol/responses.js';
import type { Session } from '../session.js';
import { failure, logOperation, resultOf } from './respond.js';

type ExtendedRequest = Extract<LdapRequest, { op: 'extended' }>;

export const Extensions = {
  startTls: '1.3.6.1.4.1.1466.20037',
  whoAmI: '1.3.6.1.4.1.4203.1.11.3',
} as const;

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
        // The value: UTF-8 JSON, one user { "dn", "envelope" }, or a batch { "credentials": [{ "dn", "envelope" }, ...] }
        // answered with { "results": [{ "resultCode", "diagnosticMessage"? }, ...] } in the same order.
        const body = syncedCredentialsRequest(request.value);
        if ('credentials' in body) {
          const results = session.host.dc.setSyncedCredentialsBatch(body.credentials, session.context);
          answer({ resultCode: ResultCode.success }, Buffer.from(JSON.stringify({ results })));
          return;
        }
        session.host.dc.setSyncedCredentials(body.dn, body.envelope, session.context);
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

const MAX_SYNCED_CREDENTIALS = 1000;

function syncedCredentialsRequest(value: Buffer | undefined): SyncedCredentialsItem | { credentials: SyncedCredentialsItem[] } {
  let body: unknown;
  try {
    body = JSON.parse((value ?? Buffer.alloc(0)).toString('utf8'));
  } catch {
    throw AdErrors.protocolError('Error decoding ldap message');
  }
  const isItem = (v: unknown): v is SyncedCredentialsItem =>
    typeof v === 'object' && v !== null && typeof (v as { dn?: unknown }).dn === 'string' && typeof (v as { envelope?: unknown }).envelope === 'object' && (v as { envelope?: unknown }).envelope !== null;
  if (isItem(body)) return body;
  const credentials = (body as { credentials?: unknown } | null)?.credentials;
  if (Array.isArray(credentials) && credentials.length <= MAX_SYNCED_CREDENTIALS && credentials.every(isItem)) return { credentials };
  throw AdErrors.protocolError('Error decoding ldap message');
}
