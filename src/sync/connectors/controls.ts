import { BerWriter, Control, type BerReader } from 'ldapts';

/**
 * LDAP_SERVER_DIRSYNC_OID for ldapts (MS-ADTS 3.1.1.3.4.1.3). ldapts hands an unknown response
 * control back to the request control of the same type, so after a search this instance holds
 * the server's reply: `moreResults` and the new `cookie`.
 */
export class DirSyncControl extends Control {
  static readonly type = '1.2.840.113556.1.4.841';
  flags: number;
  maxBytes: number;
  cookie: Buffer;
  moreResults = false;

  constructor(options: { flags?: number; maxBytes?: number; cookie?: Buffer } = {}) {
    super(DirSyncControl.type, { critical: true });
    this.flags = options.flags ?? 0;
    this.maxBytes = options.maxBytes ?? 0x7fffffff;
    this.cookie = options.cookie ?? Buffer.alloc(0);
  }

  protected override writeControl(writer: BerWriter): void {
    const value = new BerWriter();
    value.startSequence();
    value.writeInt(this.flags | 0);
    value.writeInt(this.maxBytes);
    value.writeBuffer(this.cookie, 0x04);
    value.endSequence();
    writer.writeBuffer(value.buffer, 0x04);
  }

  protected override parseControl(reader: BerReader): void {
    reader.readSequence();
    this.moreResults = (reader.readInt() ?? 0) !== 0;
    reader.readInt();
    this.cookie = reader.readString(0x04, true) ?? Buffer.alloc(0);
  }
}

/** LDAP_SERVER_EXTENDED_DN_OID, string form (MS-ADTS 3.1.1.3.4.1.5): DN values as `<GUID=..>;<SID=..>;dn`. */
export class ExtendedDnControl extends Control {
  static readonly type = '1.2.840.113556.1.4.529';

  constructor() {
    super(ExtendedDnControl.type, { critical: false });
  }

  protected override writeControl(writer: BerWriter): void {
    const value = new BerWriter();
    value.startSequence();
    value.writeInt(1);
    value.endSequence();
    writer.writeBuffer(value.buffer, 0x04);
  }
}

/** LDAP_SERVER_SHOW_DELETED_OID: tombstones too (used to tell a deleted object from a missing one). */
export class ShowDeletedControl extends Control {
  static readonly type = '1.2.840.113556.1.4.417';

  constructor() {
    super(ShowDeletedControl.type, { critical: false });
  }
}

export const DirSyncFlags = {
  objectSecurity: 0x1,
  incrementalValues: 0x80000000,
} as const;

/** `<GUID=..>;<SID=..>;CN=...` (or a plain DN): the parts an extended DN value carries. */
export function parseExtendedDnValue(value: string): { guid?: string; sid?: string; dn: string } {
  let rest = value;
  let guid: string | undefined;
  let sid: string | undefined;
  for (;;) {
    const m = /^<(GUID|SID)=([^>]*)>;?/i.exec(rest);
    if (!m) break;
    if (m[1]!.toUpperCase() === 'GUID') guid = m[2]!.toLowerCase();
    else sid = m[2];
    rest = rest.slice(m[0].length);
  }
  return { guid, sid, dn: rest };
}
