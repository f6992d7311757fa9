import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Logger } from 'pino';
import type { DomainController } from '../ad/domainController.js';
import { ANONYMOUS, type Principal } from '../ad/principal.js';
import type { OperationContext } from '../ad/dsa.js';
import { ResultCode } from '../ad/errors.js';
import { decodeRequest, ProtocolError, type LdapRequest } from './protocol/requests.js';
import { encodeNoticeOfDisconnection } from './protocol/responses.js';
import { PagedCursors } from './controls/pagedResults.js';

/** AD's MaxReceiveBuffer policy: a request larger than this ends the connection (ad-ldap.md 4). */
const MAX_RECEIVE_BUFFER = 10 * 1024 * 1024;

/** What every connection of one DC shares: the directory service, TLS, options. */
export interface SessionHost {
  readonly dc: DomainController;
  readonly log: Logger;
  readonly secureContext?: SecureContext;
  /** false: no continuation references after searches at the domain root (default true, as AD) */
  readonly referrals?: boolean;
  /** handles one decoded request; may answer asynchronously */
  dispatch(session: Session, request: LdapRequest): void | Promise<void>;
}

let nextConnectionId = 1;

/**
 * One client connection: framing of LDAP messages, the bound principal, TLS state, and the
 * operations still running (for abandon). Responses written in one event-loop turn leave in one
 * write, and Nagle is off, so a search's entries and its done message do not wait on delayed ACKs.
 */
export class Session {
  readonly id = nextConnectionId++;
  /** the connection came in on the LDAPS port (StartTLS upgrades keep the ldap:// scheme) */
  readonly implicitTls: boolean;
  principal: Principal = ANONYMOUS;
  /** operations that may still be sending, by message ID; abandon stops them */
  readonly running = new Map<number, { abandoned: boolean; kind?: 'notification'; stop?: () => void }>();
  /** simple paged results cursors of this connection */
  readonly paged = new PagedCursors();
  private socket: Socket;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private closed = false;

  constructor(
    socket: Socket,
    readonly host: SessionHost,
    private tls: boolean,
  ) {
    this.implicitTls = tls;
    this.socket = socket;
    this.attach(socket);
    socket.once('close', () => this.onClose());
  }

  get secure(): boolean {
    return this.tls;
  }

  /** What an operation on this connection knows of its caller. */
  get context(): OperationContext {
    const address = this.socket.remoteAddress ?? '';
    return { principal: this.principal, secure: this.tls, loopback: address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.') };
  }

  get remote(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`;
  }

  get log(): Logger {
    return this.host.log;
  }

  /** Queues a response; everything queued in this turn goes out in one socket write. */
  send(message: Buffer): void {
    if (this.closed) return;
    this.outbox.push(message);
    if (this.outbox.length === 1) queueMicrotask(this.flush);
  }

  private readonly outbox: Buffer[] = [];

  private readonly flush = (): void => {
    if (this.outbox.length === 0) return;
    const data = this.outbox.length === 1 ? this.outbox[0]! : Buffer.concat(this.outbox);
    this.outbox.length = 0;
    if (!this.closed) this.socket.write(data);
  };

  /** Whether the socket's buffer is past its high-water mark (a slow reader). */
  get congested(): boolean {
    if (this.outbox.length >= 64) this.flush();
    return this.socket.writableNeedDrain;
  }

  waitForDrain(): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed || !this.socket.writableNeedDrain) return resolve();
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.once('drain', done);
      this.socket.once('close', done);
    });
  }

  /**
   * RFC 4511 4.14 StartTLS: after the success response has left, the same socket becomes a TLS
   * server socket and the LDAP conversation continues over it.
   */
  startTls(context: SecureContext): void {
    const plain = this.socket;
    plain.removeAllListeners('data');
    this.flush();
    const secure = new TLSSocket(plain, { isServer: true, secureContext: context });
    secure.setNoDelay(true);
    this.socket = secure;
    this.tls = true;
    this.attach(secure);
    secure.on('error', (e) => {
      this.log.debug({ conn: this.id, err: e.message }, 'TLS error');
      this.destroy();
    });
  }

  /** Ends the connection after telling the client why (RFC 4511 4.4.1). */
  disconnect(resultCode: number, diagnosticMessage: string): void {
    if (this.closed) return;
    this.flush();
    this.socket.end(encodeNoticeOfDisconnection({ resultCode, diagnosticMessage }));
    this.closed = true;
    this.stopAll();
  }

  destroy(): void {
    this.closed = true;
    this.stopAll();
    this.socket.destroy();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private attach(socket: Socket): void {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => {
      this.log.debug({ conn: this.id, err: e.message }, 'connection error');
      this.destroy();
    });
  }

  private onData(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    let buffer = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    let offset = 0;
    while (!this.closed) {
      const size = messageSize(buffer, offset);
      if (size === 'invalid' || (typeof size === 'number' && size > MAX_RECEIVE_BUFFER)) {
        this.log.warn({ conn: this.id, remote: this.remote }, 'malformed LDAP PDU: connection closed');
        this.disconnect(ResultCode.protocolError, 'malformed LDAP message');
        return;
      }
      if (size === undefined || buffer.length - offset < size) break;
      const message = buffer.subarray(offset, offset + size);
      offset += size;
      this.handle(message);
      if (this.socket instanceof TLSSocket && !this.tls) break;
    }
    if (this.closed) return;
    buffer = buffer.subarray(offset);
    this.pending = buffer.length ? [buffer] : [];
    this.pendingBytes = buffer.length;
  }

  private handle(message: Buffer): void {
    let request: LdapRequest;
    try {
      request = decodeRequest(message);
    } catch (e) {
      const reason = e instanceof ProtocolError ? e.message : String(e);
      this.log.warn({ conn: this.id, remote: this.remote, reason }, 'malformed LDAP PDU: connection closed');
      this.disconnect(ResultCode.protocolError, reason);
      return;
    }
    try {
      const done = this.host.dispatch(this, request);
      if (done instanceof Promise) {
        done.catch((e: unknown) => {
          this.log.error({ conn: this.id, err: e }, 'request failed');
          this.destroy();
        });
      }
    } catch (e) {
      this.log.error({ conn: this.id, err: e }, 'request failed');
      this.destroy();
    }
  }

  private onClose(): void {
    this.closed = true;
    this.stopAll();
  }

  private stopAll(): void {
    this.paged.clear();
    for (const op of this.running.values()) {
      op.abandoned = true;
      op.stop?.();
    }
    this.running.clear();
  }
}

/** The size of the LDAPMessage TLV starting at `offset`: undefined if not all of its header is here yet. */
function messageSize(buffer: Buffer, offset: number): number | undefined | 'invalid' {
  if (buffer.length - offset < 2) return undefined;
  if (buffer[offset] !== 0x30) return 'invalid';
  const first = buffer[offset + 1]!;
  if (first < 0x80) return 2 + first;
  const count = first & 0x7f;
  if (count === 0 || count > 4) return 'invalid';
  if (buffer.length - offset < 2 + count) return undefined;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + buffer[offset + 2 + i]!;
  return 2 + count + length;
}

export type { SecureContext };
