import { asAdError, AdErrors, type AdError } from '../../ad/errors.js';
import type { Session } from '../session.js';
import { encodeResult, type LdapResult, type ResponseControl } from '../protocol/responses.js';

/** Sends an operation's LDAPResult and logs the operation in one line. */
export function respond(session: Session, messageId: number, tag: number, result: LdapResult, log: OperationLog, controls?: ResponseControl[]): void {
  session.send(encodeResult(messageId, tag, result, undefined, controls));
  logOperation(session, log, result.resultCode);
}

export interface OperationLog {
  op: string;
  dn?: string;
  started: number;
  entries?: number;
}

export function logOperation(session: Session, log: OperationLog, result: number): void {
  if (!session.log.isLevelEnabled('debug')) return;
  session.log.debug({ conn: session.id, op: log.op, dn: log.dn, result, entries: log.entries, ms: Math.round((performance.now() - log.started) * 100) / 100 }, log.op);
}

/** AD's answer for a failure: its result code and diagnostic text; anything unexpected is 80 and logged. */
export function failure(session: Session, e: unknown): AdError {
  const known = asAdError(e);
  if (known) return known;
  session.log.error({ conn: session.id, err: e }, 'unexpected error');
  return AdErrors.other('Internal error');
}

export function resultOf(error: AdError): LdapResult {
  return { resultCode: error.code, matchedDN: error.matchedDN, diagnosticMessage: error.diagnostic, referrals: error.referrals };
}
