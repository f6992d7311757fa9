import { AdErrors, ResultCode, type AdError } from '../../ad/errors.js';
import { withExtendedDns, withinMaxValRange, type ResultEntry } from '../../ad/readView.js';
import { normalizeDn } from '../../directory/dn.js';
import { subschemaDn } from '../../ad/domain.js';
import type { LdapRequest } from '../protocol/requests.js';
import { encodeResult, encodeSearchEntry, encodeSearchReference, ResponseTag, type ResponseControl } from '../protocol/responses.js';
import { findControl, hasControl, unsupportedCriticalControl } from '../controls/registry.js';
import { Controls } from '../controls/oids.js';
import { pageRequest, pageResponse } from '../controls/pagedResults.js';
import { sortEntries, sortPlan, sortRequest, sortResponse, type SortKey } from '../controls/sort.js';
import { extendedDnForm } from '../controls/extendedDn.js';
import { continuationReferences } from '../controls/referrals.js';
import { rootDseAttributes } from '../rootDse.js';
import { subschemaAttributes } from '../subschema.js';
import type { Session } from '../session.js';
import { failure, logOperation, resultOf } from './respond.js';

type SearchRequest = Extract<LdapRequest, { op: 'search' }>;

/** AD's MaxPageSize policy: no search returns more per page, or unpaged (ad-ldap.md 4). */
export const MAX_PAGE_SIZE = 1000;

/**
 * RFC 4511 4.5 search: the rootDSE and the subschema entry here, everything else through the
 * DC; on the way out, server-side sort (RFC 2891), AD's MaxPageSize, simple paged results
 * (RFC 2696), the client's size limit, MaxValRange, extended DNs and the continuation references
 * of the domain root.
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
    const sortControl = findControl(request.controls, Controls.sort);
    const sortKeys = sortControl ? sortRequest(sortControl) : undefined;
    if (sortKeys === 'malformed') throw AdErrors.protocolError('Error processing control');
    const extendedDnControl = findControl(request.controls, Controls.extendedDn);
    const dnForm = extendedDnControl ? extendedDnForm(extendedDnControl) : undefined;
    if (dnForm === 'malformed') throw AdErrors.protocolError('Error processing control');
    const sort = sortKeys ? sortPlan(session.host.dc, sortKeys) : undefined;
    const sortControls = sort ? [sortResponse(sort)] : [];
    // RFC 2891 1.1: a critical sort that cannot be done fails the search, with no entries.
    if (sort && !('attr' in sort) && sortControl!.critical) return done(resultOf(AdErrors.unavailableCriticalExtension()), sortControls);
    const clientLimit = request.sizeLimit > 0 ? request.sizeLimit : Number.POSITIVE_INFINITY;

    let results: Peekable<ResultEntry>;
    let references: string[] = [];
    if (page && page.cookie.length > 0) {
      const cursor = session.paged.take(page.cookie);
      if (!cursor || cursor.signature !== signature(request, sortKeys)) throw AdErrors.protocolError('Error processing control');
      results = cursor.results as Peekable<ResultEntry>;
      if (page.size === 0) {
        results.close();
        return done({ resultCode: ResultCode.success }, [pageResponse(Buffer.alloc(0)), ...sortControls]);
      }
    } else {
      const ctx = session.context;
      const found = session.host.dc.search({ base: request.base, scope: request.scope, filter: request.filter, attributes: request.attributes, showDeleted: hasControl(request.controls, Controls.showDeleted) }, ctx);
      // AD sorts the whole result set, then pages it (RFC 2891 with RFC 2696).
      const ordered = sort && 'attr' in sort ? sortEntries(session.host.dc, found, sort.attr, sort.reverse) : found;
      results = new Peekable(ordered[Symbol.iterator]());
      // Sent once, after the first page's entries (Samba paged_results.c, vlv.py test_paged_search_referrals).
      references = continuationReferences(session, request);
    }
    const shape = (entry: ResultEntry): ResultEntry => {
      const ranged = withinMaxValRange(entry);
      return dnForm ? withExtendedDns(session.host.dc, ranged, dnForm) : ranged;
    };

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
      const entry = shape(next.value);
      session.send(encodeSearchEntry(request.messageId, entry.dn, entry.attributes, request.typesOnly));
      sent++;
      if (session.congested) await session.waitForDrain();
    }
    log.entries = sent;
    for (const url of references) session.send(encodeSearchReference(request.messageId, [url]));
    if (limited) return done(resultOf(limited), sortControls);
    const more = results.hasMore();
    if (page) {
      const cookie = more ? session.paged.open({ signature: signature(request, sortKeys), results }, request.messageId) : Buffer.alloc(0);
      return done({ resultCode: ResultCode.success }, [pageResponse(cookie), ...sortControls]);
    }
    // MS-ADTS 3.1.1.3.4.1.1: an unpaged search stops at MaxPageSize with sizeLimitExceeded.
    if (more) return done(resultOf(AdErrors.sizeLimitExceeded()), sortControls);
    return done({ resultCode: ResultCode.success }, sortControls);
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

/** A paged search's follow-up must repeat the original request (RFC 2696 3), its sort keys included. */
function signature(request: SearchRequest, sortKeys: readonly SortKey[] | undefined): string {
  return JSON.stringify([request.base, request.scope, request.attributes, sortKeys ?? null]);
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
