import { randomFillSync } from 'node:crypto';

// Binary GUIDs and SIDs as AD stores them (objectGUID, objectSid).

const DASHED_GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RAW_GUID = /^[0-9a-f]{32}$/i;

// MS-DTYP 2.3.4.2 GUID: Data1 u32 LE, Data2 u16 LE, Data3 u16 LE, Data4 8 bytes as stored.
export function guidToString(bytes: Buffer): string {
  if (bytes.length !== 16) throw new Error(`a GUID is 16 bytes, got ${bytes.length}`);
  const hex = (start: number, end: number): string => bytes.subarray(start, end).toString('hex');
  const data1 = bytes.readUInt32LE(0).toString(16).padStart(8, '0');
  const data2 = bytes.readUInt16LE(4).toString(16).padStart(4, '0');
  const data3 = bytes.readUInt16LE(6).toString(16).padStart(4, '0');
  return `${data1}-${data2}-${data3}-${hex(8, 10)}-${hex(10, 16)}`;
}

/** Accepts '2d2dc73b-5aec-...' (optionally in braces) or the 32-hex form of the 16 stored bytes. */
export function guidFromString(text: string): Buffer {
  let t = text.trim();
  if (t.startsWith('{') && t.endsWith('}')) t = t.slice(1, -1);
  if (RAW_GUID.test(t)) return Buffer.from(t, 'hex');
  if (!DASHED_GUID.test(t)) throw new Error(`invalid GUID '${text}'`);
  const out = Buffer.alloc(16);
  out.writeUInt32LE(parseInt(t.slice(0, 8), 16), 0);
  out.writeUInt16LE(parseInt(t.slice(9, 13), 16), 4);
  out.writeUInt16LE(parseInt(t.slice(14, 18), 16), 6);
  Buffer.from(t.slice(19, 23) + t.slice(24), 'hex').copy(out, 8);
  return out;
}

// One randomFillSync per 4 KB: randomBytes per GUID was a third of an add's defaults, and the
// IVs and salts of password hash sync are taken per user as well.
const randomPool = Buffer.alloc(4096);
let randomPoolOffset = randomPool.length;

/** `length` fresh random bytes (at most 256), cut from a pool filled by the CSPRNG; for IVs, salts and GUIDs, never keys. */
export function pooledRandomBytes(length: number): Buffer {
  if (length > 256) throw new RangeError('pooledRandomBytes is for IVs, salts and GUIDs');
  if (randomPoolOffset + length > randomPool.length) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  const bytes = Buffer.from(randomPool.subarray(randomPoolOffset, (randomPoolOffset += length)));
  randomPool.fill(0, randomPoolOffset - length, randomPoolOffset);
  return bytes;
}

/** A random (version 4) GUID in MS byte layout. */
export function newGuid(): Buffer {
  const b = pooledRandomBytes(16);
  // RFC 4122 4.4: version in the high nibble of Data3 (stored little-endian, so byte 7).
  b[7] = (b[7]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return b;
}

// MS-DTYP 2.4.2.2 SID: revision, sub-authority count, 48-bit authority BE, sub-authorities u32 LE.
function checkSid(sid: Buffer): number {
  if (sid.length < 8 || sid[0] !== 1) throw new Error('invalid SID: bad header');
  const count = sid[1]!;
  if (count > 15 || sid.length !== 8 + 4 * count) throw new Error('invalid SID: bad length');
  return count;
}

export function sidToString(bytes: Buffer): string {
  const count = checkSid(bytes);
  const authority = bytes.readUIntBE(2, 6);
  const parts = [`S-1-${authority}`];
  for (let i = 0; i < count; i++) parts.push(String(bytes.readUInt32LE(8 + 4 * i)));
  return parts.join('-');
}

const SID_TEXT = /^S-1-(\d+)((?:-\d+){0,15})$/i;

export function sidFromString(text: string): Buffer {
  const m = SID_TEXT.exec(text.trim());
  if (!m) throw new Error(`invalid SID '${text}'`);
  const authority = Number(m[1]);
  if (!Number.isSafeInteger(authority) || authority >= 2 ** 48) throw new Error(`invalid SID '${text}': authority out of range`);
  const subs = m[2] ? m[2].slice(1).split('-').map(Number) : [];
  const out = Buffer.alloc(8 + 4 * subs.length);
  out[0] = 1;
  out[1] = subs.length;
  out.writeUIntBE(authority, 2, 6);
  subs.forEach((sub, i) => {
    if (sub > 0xffffffff) throw new Error(`invalid SID '${text}': sub-authority out of range`);
    out.writeUInt32LE(sub, 8 + 4 * i);
  });
  return out;
}

/** The relative identifier: the last sub-authority. */
export function sidRid(sid: Buffer): number {
  const count = checkSid(sid);
  if (count === 0) throw new Error('SID has no sub-authorities');
  return sid.readUInt32LE(8 + 4 * (count - 1));
}

/** The SID without its last sub-authority. */
export function sidDomain(sid: Buffer): Buffer {
  const count = checkSid(sid);
  if (count === 0) throw new Error('SID has no sub-authorities');
  const out = Buffer.from(sid.subarray(0, sid.length - 4));
  out[1] = count - 1;
  return out;
}

export function sidWithRid(domainSid: Buffer, rid: number): Buffer {
  const count = checkSid(domainSid);
  if (count >= 15) throw new Error('SID has too many sub-authorities');
  if (!Number.isInteger(rid) || rid < 0 || rid > 0xffffffff) throw new Error(`invalid RID ${rid}`);
  const out = Buffer.alloc(domainSid.length + 4);
  domainSid.copy(out);
  out[1] = count + 1;
  out.writeUInt32LE(rid, domainSid.length);
  return out;
}
