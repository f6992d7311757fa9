import { readFileSync } from 'node:fs';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { BerWriter } from 'ldapts';
import type { LdapEndpoint } from './ldapConnection.js';

// MS-ADTS 3.1.1.3.4.1.9 LDAP_SERVER_NOTIFICATION_OID: a search that never ends; the DC sends an
// entry each time an object in scope changes. ldapts collects entries until a search is done,
// so this holds the search on its own socket and only reports that something changed.
const NOTIFICATION_OID = '1.2.840.113556.1.4.528';
const SHOW_DELETED_OID = '1.2.840.113556.1.4.417';
const RECONNECT_MS = 1_000;

const Tag = { bindResponse: 0x61, searchEntry: 0x64, searchDone: 0x65 } as const;

export interface ChangeNotificationOptions extends LdapEndpoint {
  baseDn: string;
  onChange: () => void;
  /** a failure to connect or bind, or the DC ending the search; the watch retries every second */
  onError?: (error: Error) => void;
}

/** Watches a naming context for changes until `stop()`. Reconnects when the DC goes away. */
export function watchChanges(options: ChangeNotificationOptions): { stop(): void } {
  let socket: Socket | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;

  const start = (): void => {
    const url = new URL(options.url);
    const secure = url.protocol === 'ldaps:';
    const port = Number(url.port || (secure ? 636 : 389));
    const s = secure
      ? connectTls({ host: url.hostname, port, ca: options.caFile ? readFileSync(options.caFile) : undefined, servername: /^[\d.]+$/.test(url.hostname) ? undefined : url.hostname })
      : connectTcp({ host: url.hostname, port });
    socket = s;
    s.setNoDelay(true);
    let pending: Buffer = Buffer.alloc(0);
    s.once(secure ? 'secureConnect' : 'connect', () => {
      s.write(bindRequest(1, options.bindName, options.password));
    });
    s.on('data', (data: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, data]) : data;
      for (;;) {
        const message = nextMessage(pending);
        if (!message) break;
        pending = pending.subarray(message.length);
        if (message.tag === Tag.bindResponse) {
          if (message.resultCode !== 0) fail(new Error(`change notification bind failed: LDAP result ${message.resultCode}`));
          else s.write(notificationSearch(2, options.baseDn));
        } else if (message.tag === Tag.searchEntry) {
          options.onChange();
        } else if (message.tag === Tag.searchDone) {
          fail(new Error(`the DC ended the change notification search: LDAP result ${message.resultCode}`));
        }
      }
    });
    s.on('error', (e) => fail(e));
    s.on('close', () => {
      if (!stopped && socket === s) schedule();
    });
  };

  const fail = (error: Error): void => {
    if (stopped) return;
    options.onError?.(error);
    const s = socket;
    socket = undefined;
    s?.destroy();
    schedule();
  };

  const schedule = (): void => {
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      // After a gap, something may have changed unseen.
      options.onChange();
      start();
    }, RECONNECT_MS);
    retry.unref();
  };

  start();
  return {
    stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      socket?.destroy();
      socket = undefined;
    },
  };
}

function envelope(messageId: number, body: (w: BerWriter) => void, controls?: (w: BerWriter) => void): Buffer {
  const w = new BerWriter();
  w.startSequence();
  w.writeInt(messageId);
  body(w);
  if (controls) {
    w.startSequence(0xa0);
    controls(w);
    w.endSequence();
  }
  w.endSequence();
  return w.buffer;
}

function bindRequest(messageId: number, name: string, password: string): Buffer {
  return envelope(messageId, (w) => {
    w.startSequence(0x60);
    w.writeInt(3);
    w.writeString(name);
    w.writeString(password, 0x80);
    w.endSequence();
  });
}

function notificationSearch(messageId: number, baseDn: string): Buffer {
  return envelope(
    messageId,
    (w) => {
      w.startSequence(0x63);
      w.writeString(baseDn);
      w.writeEnumeration(2); // wholeSubtree
      w.writeEnumeration(0); // neverDerefAliases
      w.writeInt(0);
      w.writeInt(0);
      w.writeBoolean(false);
      w.writeString('objectClass', 0x87); // (objectClass=*), the only filter AD takes
      w.startSequence();
      w.writeString('objectGUID');
      w.endSequence();
      w.endSequence();
    },
    (w) => {
      for (const oid of [NOTIFICATION_OID, SHOW_DELETED_OID]) {
        w.startSequence();
        w.writeString(oid);
        w.writeBoolean(true);
        w.endSequence();
      }
    },
  );
}

/** The first complete LDAPMessage in `buffer`: its length, protocolOp tag and (for results) resultCode. */
function nextMessage(buffer: Buffer): { length: number; tag: number; resultCode?: number } | undefined {
  const outer = lengthAt(buffer, 1);
  if (!outer || buffer.length < outer.start + outer.length) return undefined;
  const total = outer.start + outer.length;
  // messageID INTEGER
  const id = lengthAt(buffer, outer.start + 1);
  if (!id) return undefined;
  const opAt = id.start + id.length;
  const tag = buffer[opAt]!;
  let resultCode: number | undefined;
  if (tag === Tag.bindResponse || tag === Tag.searchDone) {
    const op = lengthAt(buffer, opAt + 1)!;
    // LDAPResult: resultCode ENUMERATED first
    resultCode = buffer[op.start + 2];
  }
  return { length: total, tag, resultCode };
}

/** A BER length at `offset`: the content's start and length. */
function lengthAt(buffer: Buffer, offset: number): { start: number; length: number } | undefined {
  if (buffer.length <= offset) return undefined;
  const first = buffer[offset]!;
  if (first < 0x80) return { start: offset + 1, length: first };
  const bytes = first & 0x7f;
  if (buffer.length < offset + 1 + bytes) return undefined;
  let length = 0;
  for (let i = 0; i < bytes; i++) length = length * 256 + buffer[offset + 1 + i]!;
  return { start: offset + 1 + bytes, length };
}
