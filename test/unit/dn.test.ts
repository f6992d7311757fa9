import { describe, expect, it } from 'vitest';
import {
  InvalidDnError,
  childDn,
  dnDepth,
  dnsNameOfDn,
  escapeRdnValue,
  formatDn,
  isDescendantOrSelf,
  normalizeDn,
  parentDn,
  parseDn,
  rdnOf,
  rdnValue,
} from '../../src/directory/dn.js';
import { parseAlternativeDn } from '../../src/directory/alternativeDn.js';

describe('parseDn', () => {
  it('parses plain DNs and the root', () => {
    expect(parseDn('')).toEqual([]);
    expect(parseDn('CN=Dan Riley,OU=Sales,DC=contoso,DC=com')).toEqual([
      [{ type: 'CN', value: 'Dan Riley' }],
      [{ type: 'OU', value: 'Sales' }],
      [{ type: 'DC', value: 'contoso' }],
      [{ type: 'DC', value: 'com' }],
    ]);
  });

  it('resolves character escapes', () => {
    expect(parseDn('CN=Riley\\, Dan\\+x\\"y\\\\z\\<a\\>b\\;c\\=d\\#e,DC=com')[0]).toEqual([
      { type: 'CN', value: 'Riley, Dan+x"y\\z<a>b;c=d#e' },
    ]);
  });

  it('resolves hex escapes as UTF-8', () => {
    expect(parseDn('CN=Jos\\C3\\A9')[0]![0]!.value).toBe('José');
    expect(parseDn('CN=\\E2\\82\\AC\\2C')[0]![0]!.value).toBe('€,');
    expect(parseDn('CN=\\f0\\9f\\98\\80')[0]![0]!.value).toBe('😀');
  });

  it('reads AD tombstone names', () => {
    const [rdn] = parseDn('CN=Bob\\0ADEL:1f2e3d4c-0000-4000-8000-000000000001,CN=Deleted Objects,DC=contoso,DC=com');
    expect(rdn![0]!.value).toBe('Bob\nDEL:1f2e3d4c-0000-4000-8000-000000000001');
  });

  it('ignores spaces around = , + and keeps escaped ones', () => {
    expect(parseDn('  CN = Dan Riley  ,  OU =Sales , DC=com ')).toEqual(parseDn('CN=Dan Riley,OU=Sales,DC=com'));
    expect(parseDn('CN=\\ lead and trail\\ ')[0]![0]!.value).toBe(' lead and trail ');
    expect(parseDn('CN=trail\\20  ')[0]![0]!.value).toBe('trail ');
    expect(parseDn('CN=a\\  \t b  ,DC=com')[0]![0]!.value).toBe('a  \t b');
    expect(parseDn('CN=a + OU=b,DC=com')[0]).toEqual([
      { type: 'CN', value: 'a' },
      { type: 'OU', value: 'b' },
    ]);
  });

  it('reads #hexstring values (BER strings)', () => {
    // 04 03 'abc' is an OCTET STRING; 0c 02 c3a9 a UTF8String.
    expect(parseDn('CN=#0403616263,DC=com')[0]![0]!.value).toBe('abc');
    expect(parseDn('CN=#0C02C3A9')[0]![0]!.value).toBe('é');
    expect(() => parseDn('CN=#0403616263ff')).toThrow(InvalidDnError);
    expect(() => parseDn('CN=#zz')).toThrow(InvalidDnError);
  });

  it('accepts legacy forms: ; separators, quoted values, OID. types, numeric OIDs', () => {
    expect(parseDn('CN=a;DC=com')).toEqual(parseDn('CN=a,DC=com'));
    expect(parseDn('CN="Riley, Dan" , DC=com')[0]![0]!.value).toBe('Riley, Dan');
    expect(parseDn('OID.2.5.4.3=x')[0]![0]!.type).toBe('2.5.4.3');
    expect(parseDn('2.5.4.3=x')[0]![0]!.type).toBe('2.5.4.3');
    expect(parseDn('CN=a=b')[0]![0]!.value).toBe('a=b');
    expect(parseDn('CN=')[0]![0]!.value).toBe('');
  });

  it('rejects malformed DNs', () => {
    for (const bad of [
      'CN',
      'CN=a,',
      ',CN=a',
      'CN=a,,DC=com',
      'CN=a+',
      '=a',
      'C N=a',
      'C_N=a',
      '1cn=a',
      'CN=a\\',
      'CN=a\\q',
      'CN=a\\4',
      'CN=\\C3',
      'CN="open',
      'CN="x"y',
    ]) {
      expect(() => parseDn(bad), bad).toThrow(InvalidDnError);
    }
  });
});

describe('formatDn and escapeRdnValue', () => {
  it('escapes as AD does', () => {
    expect(escapeRdnValue('Riley, Dan')).toBe('Riley\\, Dan');
    expect(escapeRdnValue('a+b"c\\d<e>f;g=h')).toBe('a\\+b\\"c\\\\d\\<e\\>f\\;g\\=h');
    expect(escapeRdnValue('#1 x#')).toBe('\\#1 x#');
    expect(escapeRdnValue(' pad ')).toBe('\\ pad\\ ');
    expect(escapeRdnValue(' ')).toBe('\\ ');
    expect(escapeRdnValue('Bob\nDEL:x')).toBe('Bob\\0ADEL:x');
    expect(escapeRdnValue('José')).toBe('José');
    expect(escapeRdnValue('')).toBe('');
  });

  it('round-trips', () => {
    for (const dn of [
      'CN=Riley\\, Dan,OU=Sales,DC=contoso,DC=com',
      'CN=Bob\\0ADEL:1f2e,CN=Deleted Objects,DC=contoso,DC=com',
      'CN=a+OU=b\\+c,DC=com',
      'CN=\\#x\\ ,DC=com',
      'CN=José,DC=com',
      '',
    ]) {
      expect(formatDn(parseDn(dn))).toBe(dn);
    }
    expect(formatDn(parseDn('cn = x ; dc=com'))).toBe('cn=x,dc=com');
    expect(formatDn(parseDn('CN=\\4a\\6fe'))).toBe('CN=Joe');
  });
});

describe('normalizeDn', () => {
  it('makes equal keys for the same entry', () => {
    const key = normalizeDn('CN=Dan Riley,OU=Sales,DC=contoso,DC=com');
    expect(key).toBe('cn=dan riley,ou=sales,dc=contoso,dc=com');
    expect(normalizeDn(' cn = DAN RILEY , ou=SALES;dc=Contoso,  DC=COM')).toBe(key);
    expect(normalizeDn('CN=Dan\\20Riley,OU=Sales,DC=contoso,DC=com')).toBe(key);
    expect(normalizeDn('CN=\\44an Riley,OU="Sales",DC=contoso,DC=com')).toBe(key);
  });

  it('sorts multi-valued RDNs and keeps escapes canonical', () => {
    expect(normalizeDn('OU=b+CN=a,DC=com')).toBe(normalizeDn('cn=A+ou=B,dc=com'));
    expect(normalizeDn('CN=Riley\\2C Dan,DC=com')).toBe('cn=riley\\, dan,dc=com');
    expect(normalizeDn('CN=Bob\\0aDEL:x')).toBe('cn=bob\\0Adel:x');
  });

  it('tells different entries apart', () => {
    expect(normalizeDn('CN=a\\,b,DC=com')).not.toBe(normalizeDn('CN=a,CN=b,DC=com'));
    expect(normalizeDn('CN=a\\ ')).not.toBe(normalizeDn('CN=a'));
  });
});

describe('navigation', () => {
  it('finds the parent, the RDN and depth', () => {
    expect(parentDn('CN=Dan Riley,OU=Sales,DC=contoso,DC=com')).toBe('OU=Sales,DC=contoso,DC=com');
    expect(parentDn('DC=com')).toBe('');
    expect(parentDn('CN=a\\,b,DC=com')).toBe('DC=com');
    expect(rdnOf('CN=Dan Riley,OU=Sales,DC=contoso,DC=com')).toBe('CN=Dan Riley');
    expect(rdnOf('CN = Riley\\, Dan + OU=x,DC=com')).toBe('CN=Riley\\, Dan+OU=x');
    expect(rdnValue('CN=Riley\\, Dan,DC=com')).toEqual({ type: 'CN', value: 'Riley, Dan' });
    expect(() => rdnValue('')).toThrow(InvalidDnError);
    expect(dnDepth('')).toBe(0);
    expect(dnDepth('CN=a+OU=b,DC=contoso,DC=com')).toBe(3);
    expect(childDn('CN=x', 'DC=com')).toBe('CN=x,DC=com');
    expect(childDn('DC=com', '')).toBe('DC=com');
  });

  it('checks descent on normalized keys', () => {
    const base = normalizeDn('DC=contoso,DC=com');
    expect(isDescendantOrSelf(normalizeDn('CN=x,OU=y,DC=contoso,DC=com'), base)).toBe(true);
    expect(isDescendantOrSelf(base, base)).toBe(true);
    expect(isDescendantOrSelf(base, '')).toBe(true);
    expect(isDescendantOrSelf(normalizeDn('DC=notcontoso,DC=com'), base)).toBe(false);
    expect(isDescendantOrSelf(normalizeDn('DC=com'), base)).toBe(false);
    expect(isDescendantOrSelf(normalizeDn('CN=x\\,DC=contoso,DC=com'), normalizeDn('DC=contoso,DC=com'))).toBe(false);
    expect(isDescendantOrSelf(normalizeDn('CN=x\\,DC=contoso,DC=com'), normalizeDn('DC=com'))).toBe(true);
    expect(isDescendantOrSelf(normalizeDn('CN=x\\,dc=com'), normalizeDn('DC=com'))).toBe(false);
    expect(isDescendantOrSelf(normalizeDn('CN=x\\\\,dc=com'), normalizeDn('DC=com'))).toBe(true);
  });
});

describe('parseAlternativeDn', () => {
  const guid = '2d2dc73b-5aec-4b70-bdc2-1f4ef97b7870';
  const sid = 'S-1-5-21-397955417-626881126-188441444-2908315';

  it('reads GUID forms', () => {
    expect(parseAlternativeDn(`<GUID=${guid}>`)).toEqual({ kind: 'guid', guid });
    expect(parseAlternativeDn(`<guid=${guid.toUpperCase()}>`)).toEqual({ kind: 'guid', guid });
    expect(parseAlternativeDn('<GUID=3BC72D2DEC5A704BBDC21F4EF97B7870>')).toEqual({ kind: 'guid', guid });
  });

  it('reads SID forms', () => {
    expect(parseAlternativeDn(`<SID=${sid}>`)).toEqual({ kind: 'sid', sid });
    expect(parseAlternativeDn('<SID=0105000000000005150000005951B81766725D2564633B0B9B602C00>')).toEqual({ kind: 'sid', sid });
  });

  it('reads WKGUID', () => {
    expect(parseAlternativeDn('<WKGUID=a9d1ca15768811d1aded00c04fd8d5cd,DC=contoso,DC=com>')).toEqual({
      kind: 'wkguid',
      wkguid: 'A9D1CA15768811D1ADED00C04FD8D5CD',
      dn: 'DC=contoso,DC=com',
    });
    expect(() => parseAlternativeDn('<WKGUID=a9d1ca15768811d1aded00c04fd8d5cd>')).toThrow(InvalidDnError);
    expect(() => parseAlternativeDn('<WKGUID=xyz,DC=com>')).toThrow(InvalidDnError);
  });

  it('reads the extended output form and plain DNs', () => {
    expect(parseAlternativeDn(`<GUID=${guid}>;<SID=${sid}>;CN=x,DC=com`)).toEqual({ kind: 'dn', dn: 'CN=x,DC=com' });
    expect(parseAlternativeDn(`<GUID=${guid}>;CN=x,DC=com`)).toEqual({ kind: 'dn', dn: 'CN=x,DC=com' });
    expect(parseAlternativeDn(`<GUID=${guid}>;<SID=${sid}>`)).toEqual({ kind: 'guid', guid });
    expect(parseAlternativeDn('CN=x,DC=com')).toEqual({ kind: 'dn', dn: 'CN=x,DC=com' });
    expect(parseAlternativeDn('')).toEqual({ kind: 'dn', dn: '' });
  });

  it('rejects bad forms', () => {
    for (const bad of ['<GUID=nope>', '<SID=S-1-x>', '<SID=0105>', '<FOO=1>', '<GUID=' + guid, `<GUID=${guid}>CN=x`, 'CN']) {
      expect(() => parseAlternativeDn(bad), bad).toThrow(InvalidDnError);
    }
  });

  it('spells the DNS name of a DN from its DC= components, and nothing for a DN without them or one that does not parse', () => {
    expect(dnsNameOfDn('OU=Corp,DC=contoso,DC=com')).toBe('contoso.com');
    expect(dnsNameOfDn('cn=a\\,dc=b, dc = Fabrikam ,DC=com')).toBe('Fabrikam.com');
    expect(dnsNameOfDn('CN=Users')).toBe('');
    expect(dnsNameOfDn('CN')).toBe('');
  });
});
