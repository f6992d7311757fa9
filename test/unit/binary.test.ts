import { describe, expect, it } from 'vitest';
import {
  guidFromString,
  guidToString,
  newGuid,
  sidDomain,
  sidFromString,
  sidRid,
  sidToString,
  sidWithRid,
} from '../../src/directory/binary.js';

const GUID_HEX = '3BC72D2DEC5A704BBDC21F4EF97B7870';
const GUID_TEXT = '2d2dc73b-5aec-4b70-bdc2-1f4ef97b7870';
const SID_HEX = '0105000000000005150000005951B81766725D2564633B0B9B602C00';
const SID_TEXT = 'S-1-5-21-397955417-626881126-188441444-2908315';

describe('GUID', () => {
  it('formats the MS byte layout', () => {
    expect(guidToString(Buffer.from(GUID_HEX, 'hex'))).toBe(GUID_TEXT);
  });

  it('parses dashed, braced, upper-case and raw-hex forms', () => {
    const bytes = Buffer.from(GUID_HEX, 'hex');
    expect(guidFromString(GUID_TEXT)).toEqual(bytes);
    expect(guidFromString(`{${GUID_TEXT.toUpperCase()}}`)).toEqual(bytes);
    expect(guidFromString(GUID_HEX)).toEqual(bytes);
    expect(guidFromString(GUID_HEX.toLowerCase())).toEqual(bytes);
  });

  it('rejects bad input', () => {
    for (const bad of ['', 'xyz', GUID_TEXT.slice(1), GUID_HEX + '00', '2d2dc73b5aec-4b70-bdc2-1f4ef97b78700', '{' + GUID_TEXT]) {
      expect(() => guidFromString(bad)).toThrow();
    }
    expect(() => guidToString(Buffer.alloc(15))).toThrow();
  });

  it('makes random version 4 GUIDs', () => {
    const a = newGuid();
    const b = newGuid();
    expect(a.length).toBe(16);
    expect(a.equals(b)).toBe(false);
    const text = guidToString(a);
    expect(text).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(guidFromString(text)).toEqual(a);
  });
});

describe('SID', () => {
  const bytes = Buffer.from(SID_HEX, 'hex');

  it('converts both ways', () => {
    expect(sidToString(bytes)).toBe(SID_TEXT);
    expect(sidFromString(SID_TEXT)).toEqual(bytes);
    expect(sidToString(sidFromString('S-1-5-32-544'))).toBe('S-1-5-32-544');
    expect(sidToString(sidFromString('S-1-1-0'))).toBe('S-1-1-0');
    expect(sidToString(sidFromString('S-1-5'))).toBe('S-1-5');
  });

  it('splits and joins the RID', () => {
    expect(sidRid(bytes)).toBe(2908315);
    const domain = sidDomain(bytes);
    expect(sidToString(domain)).toBe('S-1-5-21-397955417-626881126-188441444');
    expect(sidWithRid(domain, 2908315)).toEqual(bytes);
    expect(sidToString(sidWithRid(domain, 4294967295))).toBe('S-1-5-21-397955417-626881126-188441444-4294967295');
  });

  it('rejects bad input', () => {
    for (const bad of ['', 'S-1', 'S-2-5-21', 'S-1-5-x', 'S-1-5-4294967296', 'S-1-5--1']) {
      expect(() => sidFromString(bad)).toThrow();
    }
    expect(() => sidToString(Buffer.from('0105000000', 'hex'))).toThrow();
    expect(() => sidToString(bytes.subarray(0, bytes.length - 1))).toThrow();
    expect(() => sidWithRid(sidDomain(bytes), -1)).toThrow();
  });
});
