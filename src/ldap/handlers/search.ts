import { AdErrors, ResultCode, type AdError } from '../../ad/errors.js';
import type { ResultEntry } from '../../ad/readView.js';
import { normalizeDn } from '../../directory/dn.js';
import { subschemaDn } from '../../ad/domain.js';
import type { LdapRequest } from '../protocol/requests.js';
import { encodeResult, encodeSearchEntry, ResponseTag, type ResponseControl } from '../protocol/responses.js';
import { findControl, unsupportedCriticalControl } from '../controls/registry.js';
import { Controls } from '../controls/oids.js';
import { pageRequest, pageResponse } from '../controls/pagedResults.js';
import { rootDseAttributes } from '../rootDse.js';
import { subschemaAttributes } from '../subschema.js';
import type { Session } from '../session.js';
import { failure, logOperation, resultOf } from './respond.js';

type SearchRequest = Extract<LdapRequest, { op: 'search' }>;

/** AD's MaxPageSize policy: no search returns more per page, or unpaged (ad-ldap.md 4). */
export const MAX_PAGE_SIZE = 1000;

/**
 * RFC 4511 4.5 search: the rootDSE and the subschema entry here, everything else through the
 * DC; AD's MaxPageSize, simple paged results (RFC 2696) and the client's size limit on the way out.
 */
export async function handleSearch(session: Session, request: SearchRequest): Promise<void> {
  const log = { op: 'search', dn: request.base, started: performance.now(), entries: 0 };
  const done = (result: { resultCode: number; matchedDN?: string; diagnosticMessage?: string; referrals?: string[] }, controls?: ResponseControl[]): void => {
    session.running.delete(request.messageId);
    session.send(encodeResult(request.messageId, ResponseTag.searchDone, result, undefined, controls));
    logOperation(session, log, result.resultCode);
  };
  const state = { abandoned: false };
  session.running.set(request.messageId, state);
  try {
    if (unsupportedCriticalControl(request.controls, 'search')) throw AdErrors.unavailableCriticalExtension();
    const special = specialEntry(session, request);
    if (special) {
      session.send(encodeSearchEntry(request.messageId, special.dn, special.attributes, request.typesOnly));
      log.entries = 1;
      return done({ resultCode: ResultCode.success });
    }

    const pagedControl = findControl(request.controls, Controls.pagedResults);
    const page = pagedControl ? pageRequest(pagedControl) : undefined;
    if (page === 'malformed') throw AdErrors.protocolError('Error processing control');
    const clientLimit = request.sizeLimit > 0 ? request.sizeLimit : Number.POSITIVE_INFINITY;

    let results: Peekable<ResultEntry>;
    if (page && page.cookie.length > 0) {
      const cursor = session.paged.take(page.cookie);
      if (!cursor || cursor.signature !== signature(request)) throw AdErrors.protocolError('Error processing control');
      results = cursor.results as Peekable<ResultEntry>;
      if (page.size === 0) {
        results.close();
        return done({ resultCode: ResultCode.success }, [pageResponse(Buffer.alloc(0))]);
      }
    } else {
      const ctx = { principal: session.principal, secure: session.secure };
      results = new Peekable(session.host.dc.search({ base: request.base, scope: request.scope, filter: request.filter, attributes: request.attributes }, ctx)[Symbol.iterator]());
    }

    const pageSize = page ? Math.min(page.size > 0 ? page.size : MAX_PAGE_SIZE, MAX_PAGE_SIZE) : MAX_PAGE_SIZE;
    let sent = 0;
    let limited: AdError | undefined;
    for (;;) {
      if (state.abandoned || session.isClosed) return results.close();
      if (sent >= clientLimit) {
        if (results.hasMore()) limited = AdErrors.sizeLimitExceeded();
        break;
      }
      if (sent >= pageSize) break;
      const next = results.next();
      if (next.done) break;
      session.send(encodeSearchEntry(request.messageId, next.value.dn, next.value.attributes, request.typesOnly));
      sent++;
      if (session.congested) await session.waitForDrain();
    }
    log.entries = sent;
    if (limited) return done(resultOf(limited));
    const more = results.hasMore();
    if (page) {
      const cookie = more ? session.paged.open({ signature: signature(request), results }) : Buffer.alloc(0);
      return done({ resultCode: ResultCode.success }, [pageResponse(cookie)]);
    }
    // MS-ADTS 3.1.1.3.4.1.1: an unpaged search stops at MaxPageSize with sizeLimitExceeded.
    if (more) return done(resultOf(AdErrors.sizeLimitExceeded()));
    return done({ resultCode: ResultCode.success });
  } catch (e) {
    done(resultOf(failure(session, e)));
  }
}

/** The rootDSE and CN=Aggregate are not objects of the domain NC: they are answered here. */
function specialEntry(session: Session, request: SearchRequest): ResultEntry | undefined {
  const dc = session.host.dc;
  if (request.base === '' && request.scope === 'base') {
    if (!isObjectClassPresent(request)) return undefined;
    return { dn: '', attributes: rootDseAttributes(dc, request.attributes) };
  }
  if (request.scope === 'base' && safeKey(request.base) === normalizeDn(subschemaDn(dc.domain))) {
    if (session.principal.kind === 'anonymous') throw AdErrors.notAuthenticated();
    return { dn: subschemaDn(dc.domain), attributes: subschemaAttributes(dc, request.attributes) };
  }
  if (request.base === '') throw session.principal.kind === 'anonymous' ? AdErrors.notAuthenticated() : AdErrors.noSuchObject('');
  return undefined;
}

function isObjectClassPresent(request: SearchRequest): boolean {
  const f = request.filter;
  return f.type === 'present' || (f.type === 'equality' && f.attribute.toLowerCase() === 'objectclass');
}

function safeKey(dn: string): string | undefined {
  try {
    return normalizeDn(dn);
  } catch {
    return undefined;
  }
}

/** A paged search's follow-up must repeat the original request (RFC 2696 3). */
function signature(request: SearchRequest): string {
  return JSON.stringify([request.base, request.scope, request.attributes]);
}

/** An iterator that can tell whether anything is left without losing it. */
export class Peekable<T> {
  private head: IteratorResult<T> | undefined;

  constructor(private readonly source: Iterator<T>) {}

  next(): IteratorResult<T> {
    const head = this.head ?? this.source.next();
    this.head = undefined;
    return head;
  }

  hasMore(): boolean {
    this.head ??= this.source.next();
    return !this.head.done;
  }

  close(): void {
    this.source.return?.();
  }
}
