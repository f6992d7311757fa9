import { describe, expect, it } from 'vitest';
import { md4 } from '../../src/ad/crypto/md4.js';
import { ntHash } from '../../src/ad/crypto/ntHash.js';
import { aesKey, deriveKey, kerberosKeys, kerberosSalt, nfold } from '../../src/ad/crypto/kerberos.js';
import { decodeUnicodePwd, encodeUnicodePwd } from '../../src/ad/crypto/unicodePwd.js';
import { newSecretKey, openSecret, sealSecret } from '../../src/ad/crypto/secretBox.js';
import { entraPasswordHashHash, entraPasswordHashHashAsync } from '../../src/ad/crypto/passwordHashHash.js';
import { characterCategoryCount, containsAccountName, meetsComplexity } from '../../src/ad/crypto/complexity.js';

const hex = (b: Buffer): string => b.toString('hex');
const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('md4 (RFC 1320 appendix A.5 test suite)', () => {
  const suite: Array<[string, string]> = [
    ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
    ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
    ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
    ['message digest', 'd9130a8164549fe818874806e1c7014b'],
    ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
    [
      '12345678901234567890123456789012345678901234567890123456789012345678901234567890',
      'e33b4ddc9c38f2199c3e7b164fcc0536',
    ],
  ];
  for (const [input, digest] of suite) {
    it(`MD4("${input}")`, () => expect(hex(md4(ascii(input)))).toBe(digest));
  }

  it('handles padding boundaries (55, 56, 63, 64, 65 bytes) deterministically', () => {
    for (const n of [55, 56, 63, 64, 65, 119, 120]) {
      const d = md4(Buffer.alloc(n, 0x61));
      expect(d.length).toBe(16);
      expect(md4(Buffer.alloc(n, 0x61)).equals(d)).toBe(true);
    }
  });

  it('accepts a plain Uint8Array', () => {
    expect(hex(md4(new Uint8Array([0x61, 0x62, 0x63])))).toBe('a448017aaf21d8525fc10ae87aa6729d');
  });
});

describe('ntHash (MS-NLMP NTOWFv1)', () => {
  it('"Password"', () => expect(hex(ntHash('Password'))).toBe('a4f49c406510bdcab6824ee7c30fd852'));
  it('""', () => expect(hex(ntHash(''))).toBe('31d6cfe0d16ae931b73c59d7e0c089c0'));
  it('"Pa$$w0rd" (entra.md 4.1)', () => expect(hex(ntHash('Pa$$w0rd'))).toBe('92937945b518814341de3f726500d4ff'));
});

describe('nfold (RFC 3961 appendix A.1)', () => {
  const vectors: Array<[string, number, string]> = [
    ['012345', 64, 'be072631276b1955'],
    ['password', 56, '78a07b6caf85fa'],
    ['Rough Consensus, and Running Code', 64, 'bb6ed30870b7f0e0'],
    ['password', 168, '59e4a8ca7c0385c3c37b3f6d2000247cb6e6bd5b3e'],
    ['MASSACHVSETTS INSTITVTE OF TECHNOLOGY', 192, 'db3b0d8f0b061e603282b308a50841229ad798fab9540c1b'],
    ['Q', 168, '518a54a215a8452a518a54a215a8452a518a54a215'],
    ['ba', 168, 'fb25d531ae8974499f52fd92ea9857c4ba24cf297e'],
    ['kerberos', 64, '6b65726265726f73'],
    ['kerberos', 128, '6b65726265726f737b9b5b2b93132b93'],
    ['kerberos', 168, '8372c236344e5f1550cd0747e15d62ca7a5a3bcea4'],
    ['kerberos', 256, '6b65726265726f737b9b5b2b93132b935c9bdcdad95c9899c4cae4dee6d6cae4'],
  ];
  for (const [input, bits, expected] of vectors) {
    it(`${bits}-fold("${input}")`, () => expect(hex(nfold(ascii(input), bits / 8))).toBe(expected));
  }
});

describe('aesKey (RFC 3962 appendix B)', () => {
  const athena = 'ATHENA.MIT.EDUraeburn';
  const vectors: Array<{ iterations: number; salt: string | Buffer; aes128: string; aes256: string }> = [
    {
      iterations: 1,
      salt: athena,
      aes128: '42263c6e89f4fc28b8df68ee09799f15',
      aes256: 'fe697b52bc0d3ce14432ba036a92e65bbb52280990a2fa27883998d72af30161',
    },
    {
      iterations: 2,
      salt: athena,
      aes128: 'c651bf29e2300ac27fa469d693bdda13',
      aes256: 'a2e16d16b36069c135d5e9d2e25f896102685618b95914b467c67622225824ff',
    },
    {
      iterations: 1200,
      salt: athena,
      aes128: '4c01cd46d632d01e6dbe230a01ed642a',
      aes256: '55a6ac740ad17b4846941051e1e8b0a7548d93b0ab30a8bc3ff16280382b8c2a',
    },
    {
      iterations: 5,
      salt: Buffer.from('1234567878563412', 'hex'),
      aes128: 'e9b23d52273747dd5c35cb55be619d8e',
      aes256: '97a4e786be20d81a382d5ebc96d5909cabcdadc87ca48f574504159f16c36e31',
    },
  ];
  for (const v of vectors) {
    const label = typeof v.salt === 'string' ? v.salt : `0x${v.salt.toString('hex')}`;
    it(`iterations ${v.iterations}, salt ${label}`, () => {
      expect(hex(aesKey('password', v.salt, 128, v.iterations))).toBe(v.aes128);
      expect(hex(aesKey('password', v.salt, 256, v.iterations))).toBe(v.aes256);
    });
  }

  it('DK of the 128-bit PBKDF2 output for iteration 1 gives the AES128 key', () => {
    const tkey = Buffer.from('cdedb5281bb2f801565a1122b2563515', 'hex');
    expect(hex(deriveKey(tkey, ascii('kerberos')))).toBe('42263c6e89f4fc28b8df68ee09799f15');
  });

  it('defaults to 4096 iterations', () => {
    expect(aesKey('Password1', 'EXAMPLE.COMAdministrator', 128)).toEqual(
      aesKey('Password1', 'EXAMPLE.COMAdministrator', 128, 4096),
    );
  });
});

describe('kerberosKeys', () => {
  it('sanity value EXAMPLE.COMAdministrator / Password1 / 4096 (ad-ldap.md 10)', () => {
    const keys = kerberosKeys('Password1', 'EXAMPLE.COMAdministrator');
    expect(hex(keys.aes256)).toBe('5064ad242a65cc6e6c5690bb93c615629453a1a69e4d86cebc1f57296ff08365');
    expect(hex(keys.aes128)).toBe('69b7119721c73d3a5bb022530b4e060a');
    expect(keys.salt).toBe('EXAMPLE.COMAdministrator');
    expect(keys.iterations).toBe(4096);
  });

  it('CONTOSO.COMAdministrator / Pa$$w0rd (entra.md 4.1, DSInternals)', () => {
    const keys = kerberosKeys('Pa$$w0rd', 'CONTOSO.COMAdministrator');
    expect(hex(keys.aes256)).toBe('660e61042b190b5724c62bb473facca12058fb9ad3c03c0d2809f839c0352502');
    expect(hex(keys.aes128)).toBe('bd75e98362b16649ffbaed630d5341d0');
  });
});

describe('kerberosSalt (MS-KILE 3.1.1.2 + Samba)', () => {
  it('computer: REALM host name-without-$ . realm', () => {
    expect(kerberosSalt({ realm: 'example.com', sAMAccountName: 'WS01$', isComputer: true })).toBe(
      'EXAMPLE.COMhostws01.example.com',
    );
  });
  it('computer ignores its UPN', () => {
    expect(
      kerberosSalt({ realm: 'EXAMPLE.COM', sAMAccountName: 'WS01$', userPrincipalName: 'x@y', isComputer: true }),
    ).toBe('EXAMPLE.COMhostws01.example.com');
  });
  it('user with a UPN: REALM + UPN local part, the UPN suffix replaced', () => {
    expect(
      kerberosSalt({
        realm: 'example.com',
        sAMAccountName: 'jsmith',
        userPrincipalName: 'john@corp.example',
        isComputer: false,
      }),
    ).toBe('EXAMPLE.COMjohn');
  });
  it('user with a host/ style UPN: components concatenated', () => {
    expect(
      kerberosSalt({ realm: 'EXAMPLE.COM', sAMAccountName: 'svc', userPrincipalName: 'host/foo.bar', isComputer: false }),
    ).toBe('EXAMPLE.COMhostfoo.bar');
  });
  it('user without a UPN: REALM + sAMAccountName, case as stored', () => {
    expect(kerberosSalt({ realm: 'Example.Com', sAMAccountName: 'Administrator', isComputer: false })).toBe(
      'EXAMPLE.COMAdministrator',
    );
  });
});

describe('unicodePwd (MS-ADTS 3.1.1.3.1.5.1)', () => {
  it('encodes with quotes in UTF-16LE', () => {
    expect(hex(encodeUnicodePwd('ab'))).toBe('220061006200' + '2200');
  });
  it('round trips, including non-ASCII', () => {
    for (const pw of ['Password1', '', 'Pä$$wörd€', '密码Abc1']) {
      expect(decodeUnicodePwd(encodeUnicodePwd(pw))).toBe(pw);
    }
  });
  it('accepts a latin1 string as handed over by ldapjs', () => {
    expect(decodeUnicodePwd(encodeUnicodePwd('Pä$$wörd€').toString('latin1'))).toBe('Pä$$wörd€');
  });
  it('rejects odd length, missing quotes and too-short values', () => {
    expect(decodeUnicodePwd(Buffer.concat([encodeUnicodePwd('x'), Buffer.from([0])]))).toBeUndefined();
    expect(decodeUnicodePwd(Buffer.from('Password1', 'utf16le'))).toBeUndefined();
    expect(decodeUnicodePwd(Buffer.from('"Password1', 'utf16le'))).toBeUndefined();
    expect(decodeUnicodePwd(Buffer.from('"', 'utf16le'))).toBeUndefined();
    expect(decodeUnicodePwd(Buffer.from('"Password1"', 'utf8'))).toBeUndefined();
    expect(decodeUnicodePwd(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('secretBox', () => {
  const key = newSecretKey();
  const guid = '6e3a2f4c-0d5b-4a8e-9c1f-1234567890ab';
  const secret = Buffer.from('a4f49c406510bdcab6824ee7c30fd852', 'hex');

  it('newSecretKey is 32 random bytes', () => {
    expect(key.length).toBe(32);
    expect(newSecretKey().equals(key)).toBe(false);
  });
  it('round trips, with layout version|iv|tag|ciphertext', () => {
    const sealed = sealSecret(key, secret, guid);
    expect(sealed[0]).toBe(1);
    expect(sealed.length).toBe(1 + 12 + 16 + secret.length);
    expect(openSecret(key, sealed, guid).equals(secret)).toBe(true);
  });
  it('uses a fresh IV each time', () => {
    expect(sealSecret(key, secret, guid).equals(sealSecret(key, secret, guid))).toBe(false);
  });
  it('round trips an empty secret', () => {
    expect(openSecret(key, sealSecret(key, Buffer.alloc(0), guid), guid).length).toBe(0);
  });
  it('fails with the wrong context', () => {
    const sealed = sealSecret(key, secret, guid);
    expect(() => openSecret(key, sealed, 'another-object')).toThrow();
  });
  it('fails with the wrong key', () => {
    const sealed = sealSecret(key, secret, guid);
    expect(() => openSecret(newSecretKey(), sealed, guid)).toThrow();
  });
  it('fails on tampering anywhere', () => {
    const sealed = sealSecret(key, secret, guid);
    for (const at of [1, 13, 20, sealed.length - 1]) {
      const bad = Buffer.from(sealed);
      bad[at] = bad[at]! ^ 0x01;
      expect(() => openSecret(key, bad, guid)).toThrow();
    }
  });
  it('fails on an unknown version or truncation', () => {
    const sealed = sealSecret(key, secret, guid);
    const v2 = Buffer.from(sealed);
    v2[0] = 2;
    expect(() => openSecret(key, v2, guid)).toThrow();
    expect(() => openSecret(key, sealed.subarray(0, 20), guid)).toThrow();
  });
  it('rejects a key of the wrong size', () => {
    expect(() => sealSecret(Buffer.alloc(16), secret, guid)).toThrow();
  });
});

describe('entraPasswordHashHash (entra.md 4.2)', () => {
  it('DSInternals ConvertTo-OrgIdHash example 3', () => {
    const nt = Buffer.from('92937945b518814341de3f726500d4ff', 'hex');
    expect(entraPasswordHashHash(nt, Buffer.from('a42b92067e4b8123101a', 'hex'))).toBe(
      'v1;PPH1_MD4,a42b92067e4b8123101a,1000,f0fc762ea9051ef754652becd83ee5e54c1c857c1c0965abac5d85de9c143911;',
    );
  });
  it('gives the same off the event loop (the agent\'s pass over many users)', async () => {
    const nt = Buffer.from('92937945b518814341de3f726500d4ff', 'hex');
    expect(await entraPasswordHashHashAsync(nt, Buffer.from('a42b92067e4b8123101a', 'hex'))).toBe(
      'v1;PPH1_MD4,a42b92067e4b8123101a,1000,f0fc762ea9051ef754652becd83ee5e54c1c857c1c0965abac5d85de9c143911;',
    );
  });
  it('DSInternals OrgIdHash test vector 1 (100 iterations)', () => {
    expect(entraPasswordHashHash(ntHash('Pa$$w0rd'), Buffer.from('317ee9d1dec6508fa510', 'hex'), 100)).toBe(
      'v1;PPH1_MD4,317ee9d1dec6508fa510,100,f4a257ffec53809081a605ce8ddedfbc9df9777b80256763bc0a6dd895ef404f;',
    );
  });
  it('defaults to a random 10-byte salt and 1000 iterations', () => {
    const nt = ntHash('Pa$$w0rd');
    const value = entraPasswordHashHash(nt);
    expect(value).toMatch(/^v1;PPH1_MD4,[0-9a-f]{20},1000,[0-9a-f]{64};$/);
    expect(entraPasswordHashHash(nt)).not.toBe(value);
  });
});

describe('meetsComplexity ("Password must meet complexity requirements")', () => {
  const account = { sAMAccountName: 'ehagens', displayName: 'Erin M. Hagens' };

  it('accepts three of five categories', () => {
    expect(meetsComplexity('Summer2024', account)).toBe(true);
    expect(meetsComplexity('summer2024!', account)).toBe(true);
    expect(meetsComplexity('SUMMER!2024', account)).toBe(true);
  });
  it('rejects two categories', () => {
    expect(meetsComplexity('Summerwinter', account)).toBe(false);
    expect(meetsComplexity('summer2024', account)).toBe(false);
    expect(meetsComplexity('!!!!2024', account)).toBe(false);
  });
  it('counts Unicode upper/lower and uncased alphabetic characters', () => {
    expect(characterCategoryCount('ÄÖ')).toBe(1);
    expect(characterCategoryCount('äö')).toBe(1);
    expect(characterCategoryCount('密码')).toBe(1);
    expect(meetsComplexity('密码abc1', {})).toBe(true);
    expect(meetsComplexity('Ωmega1x', {})).toBe(true);
  });
  it('does not count currency symbols or spaces as special', () => {
    expect(characterCategoryCount('€£ ')).toBe(0);
    expect(meetsComplexity('summer€€€ 2024', {})).toBe(false);
  });
  it('rejects the sAMAccountName case-insensitively', () => {
    expect(meetsComplexity('xxEHAGENS1!', account)).toBe(false);
  });
  it('ignores a sAMAccountName of two characters or fewer', () => {
    expect(meetsComplexity('Ab1xyz', { sAMAccountName: 'ab' })).toBe(true);
    expect(meetsComplexity('Abc1xyz', { sAMAccountName: 'abc' })).toBe(false);
  });
  it('rejects displayName tokens of three or more characters, ignores shorter ones', () => {
    expect(meetsComplexity('Hagens2024!', account)).toBe(false);
    expect(meetsComplexity('erin!2024X', account)).toBe(false);
    expect(meetsComplexity('M2024!xyz', account)).toBe(true);
    expect(containsAccountName('Hag2024!', account)).toBe(false);
  });
  it('splits displayName on , . - _ # tab and space', () => {
    const dn = { displayName: 'Smith,John-Paul_Ann#Lee\tBob.Sue Kim' };
    for (const token of ['smith', 'john', 'paul', 'ann', 'lee', 'bob', 'sue', 'kim']) {
      expect(containsAccountName(`X1!${token}`, dn)).toBe(true);
    }
    expect(containsAccountName('X1!johnpaul'.replace('johnpaul', 'jo'), dn)).toBe(false);
  });
});
