import asn1 from '@ldapjs/asn1';
import { randomBytes } from 'node:crypto';
import type { RequestControl } from '../protocol/requests.js';
import type { ResponseControl } from '../protocol/responses.js';
import { Controls } from './oids.js';

/** RFC 2696 simple paged results: what the client asked for. */
export interface PageRequest {
  size: number;
  cookie: Buffer;
}

export function pageRequest(control: RequestControl): PageRequest | 'malformed' {
  const parsed = control.parsed as { value?: { size?: number; cookie?: Buffer } } | null;
  if (!parsed?.value || typeof parsed.value.size !== 'number') return 'malformed';
  return { size: parsed.value.size, cookie: parsed.value.cookie ?? Buffer.alloc(0) };
}

/** The response control: the server's size estimate (AD sends 0) and the cookie for the next page ('' = done). */
export function pageResponse(cookie: Buffer): ResponseControl {
  const w = new asn1.BerWriter();
  w.startSequence(0x30);
  w.writeInt(0);
  w.writeBuffer(cookie, 0x04);
  w.endSequence();
  return { type: Controls.pagedResults, value: w.buffer };
}

/**
 * A paged search in progress, bound to its connection: the rest of the results and the
 * request it came from. AD frees it when the client abandons, ends paging or disconnects.
 */
export interface PagedCursor {
  readonly signature: string;
  readonly results: { close(): void };
}

export class PagedCursors {
  private readonly cursors = new Map<string, PagedCursor>();
  /** which request's reply carried each cookie: abandoning that request frees it */
  private readonly byMessage = new Map<number, string>();

  open(cursor: PagedCursor, messageId: number): Buffer {
    const cookie = randomBytes(12);
    const key = cookie.toString('hex');
    this.cursors.set(key, cursor);
    this.byMessage.set(messageId, key);
    return cookie;
  }

  take(cookie: Buffer): PagedCursor | undefined {
    const key = cookie.toString('hex');
    const cursor = this.cursors.get(key);
    this.cursors.delete(key);
    return cursor;
  }

  /** RFC 4511 4.11 / AD: abandoning a paged search frees its cursor. */
  abandon(messageId: number): void {
    const key = this.byMessage.get(messageId);
    if (key === undefined) return;
    this.byMessage.delete(messageId);
    this.cursors.get(key)?.results.close();
    this.cursors.delete(key);
  }

  clear(): void {
    for (const cursor of this.cursors.values()) cursor.results.close();
    this.cursors.clear();
    this.byMessage.clear();
  }

  get size(): number {
    return this.cursors.size;
  }
}
