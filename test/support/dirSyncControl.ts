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
