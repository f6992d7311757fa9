import asn1 from '@ldapjs/asn1';
import type { RequestControl } from '../protocol/requests.js';
import type { ResponseControl } from '../protocol/responses.js';
import { Controls } from './oids.js';

/** MS-ADTS 3.1.1.3.4.1.3: request value SEQUENCE { Flags INTEGER, MaxBytes INTEGER, Cookie OCTET STRING }. */
export interface DirSyncControlValue {
  flags: number;
  maxBytes: number;
  cookie: Buffer;
}

export function parseDirSync(control: RequestControl): DirSyncControlValue | undefined {
  if (!control.value) return undefined;
  try {
    const ber = new asn1.BerReader(control.value);
    ber.readSequence(0x30);
    // Flags may come as -2147483648 or as a 5-byte positive 0x80000000: either way, 32 bits.
    const flags = ber.readInt() >>> 0;
    const maxBytes = ber.readInt();
    const cookie = ber.readString(0x04, true) ?? Buffer.alloc(0);
    return { flags, maxBytes, cookie: Buffer.from(cookie) };
  } catch {
    return undefined;
  }
}

/** The reply: the same SEQUENCE; the first field says more results remain, the second is 0. */
export function dirSyncResponse(more: boolean, cookie: Buffer): ResponseControl {
  const w = new asn1.BerWriter();
  w.startSequence(0x30);
  w.writeInt(more ? 1 : 0);
  w.writeInt(0);
  w.writeBuffer(cookie, 0x04);
  w.endSequence();
  return { type: Controls.dirSync, value: w.buffer };
}
