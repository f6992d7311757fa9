import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LdifError, formatLdif, formatLdifEntry, parseLdif, parseLdifFile, type LdifEntry } from '../../src/directory/ldif.js';

const dir = mkdtempSync(join(tmpdir(), 'dsemu-ldif-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(text: string): LdifError {
  try {
    parseLdif(text, 'seed.ldif');
  } catch (error) {
    if (error instanceof LdifError) return error;
    throw error;
  }
  throw new Error('expected an LdifError');
}

describe('parseLdif content records', () => {
  it('reads entries, version, comments and multiple values', () => {
    const records = parseLdif(
      [
        'version: 1',
        '# the users',
        'dn: CN=Dan Riley,OU=Sales,DC=contoso,DC=com',
        'objectClass: top',
        'objectClass: user',
        '# a comment inside',
        'sAMAccountName: dan',
        'description:',
        '',
        '',
        'dn: DC=contoso,DC=com',
        'dc: contoso',
        '',
      ].join('\n'),
    );
    expect(records).toEqual([
      {
        kind: 'add',
        dn: 'CN=Dan Riley,OU=Sales,DC=contoso,DC=com',
        attributes: [
          { type: 'objectClass', values: ['top', 'user'] },
          { type: 'sAMAccountName', values: ['dan'] },
          { type: 'description', values: [''] },
        ],
        line: 3,
      },
      { kind: 'add', dn: 'DC=contoso,DC=com', attributes: [{ type: 'dc', values: ['contoso'] }], line: 11 },
    ]);
  });

  it('accepts version directly followed by a record, CRLF, and no final newline', () => {
    const records = parseLdif('version: 1\r\ndn: DC=com\r\ndc: com');
    expect(records).toEqual([{ kind: 'add', dn: 'DC=com', attributes: [{ type: 'dc', values: ['com'] }], line: 2 }]);
    expect(parseLdif('\uFEFFdn: DC=com\ndc: com\n')[0]).toMatchObject({ dn: 'DC=com', line: 1 });
    expect(parseLdif('')).toEqual([]);
    expect(parseLdif('# only a comment\n\n')).toEqual([]);
  });

  it('unfolds lines and folded comments', () => {
    const records = parseLdif(
      ['# a comment that', ' continues', 'dn: CN=Dan Ri', ' ley,DC=com', 'description: one', '  two', '', ''].join('\n'),
    );
    expect(records[0]).toMatchObject({ dn: 'CN=Dan Riley,DC=com', attributes: [{ type: 'description', values: ['one two'] }], line: 3 });
  });

  it('decodes base64 values and DNs', () => {
    const dn = Buffer.from('CN=José,DC=com').toString('base64');
    const records = parseLdif(`dn:: ${dn}\nobjectGUID:: O8ctLexacEu9wh9O+Xt4cA==\ncn:: Sm9zw6k=\nempty::\n`);
    expect(records[0]).toMatchObject({ dn: 'CN=José,DC=com' });
    const [guid, cn, empty] = (records[0] as { attributes: { values: unknown[] }[] }).attributes;
    expect(guid!.values[0]).toEqual(Buffer.from('3BC72D2DEC5A704BBDC21F4EF97B7870', 'hex'));
    expect(cn!.values[0]).toEqual(Buffer.from('José'));
    expect(empty!.values[0]).toEqual(Buffer.alloc(0));
  });

  it('reads file:/// URLs', () => {
    const photo = join(dir, 'photo.bin');
    writeFileSync(photo, Buffer.from([0, 1, 2, 255]));
    const records = parseLdif(`dn: CN=x,DC=com\njpegPhoto:< ${pathToFileURL(photo).href}\n`);
    expect(records[0]).toMatchObject({ attributes: [{ type: 'jpegPhoto', values: [Buffer.from([0, 1, 2, 255])] }] });
  });

  it('reads attribute options and numeric OIDs', () => {
    const records = parseLdif('dn: CN=x,DC=com\ncn;lang-fr: y\n2.5.4.3: z\n');
    expect(records[0]).toMatchObject({ attributes: [{ type: 'cn;lang-fr' }, { type: '2.5.4.3' }] });
  });
});

describe('parseLdif change records', () => {
  it('reads add, delete, modify and modrdn', () => {
    const text = [
      'version: 1',
      '',
      'dn: CN=New,DC=com',
      'control: 1.2.840.113556.1.4.417 true',
      'changetype: add',
      'cn: New',
      '',
      'dn: CN=Old,DC=com',
      'changetype: delete',
      '',
      'dn: CN=Dan,DC=com',
      'changetype: modify',
      'add: mail',
      'mail: dan@contoso.com',
      'mail: d@contoso.com',
      '-',
      'delete: description',
      '-',
      'replace: unicodePwd',
      'unicodePwd:: IgBQAGEAcwBzACIA',
      '-',
      '',
      'dn: CN=Dan,DC=com',
      'changetype: modrdn',
      'newrdn: CN=Daniel',
      'deleteoldrdn: 1',
      'newsuperior: OU=Sales,DC=com',
      '',
      'dn: CN=Eve,DC=com',
      'changetype: moddn',
      'newrdn:: Q049w4l2ZQ==',
      'deleteoldrdn: 0',
    ].join('\n');
    expect(parseLdif(text)).toEqual([
      { kind: 'add', dn: 'CN=New,DC=com', attributes: [{ type: 'cn', values: ['New'] }], line: 3 },
      { kind: 'delete', dn: 'CN=Old,DC=com', line: 8 },
      {
        kind: 'modify',
        dn: 'CN=Dan,DC=com',
        changes: [
          { operation: 'add', type: 'mail', values: ['dan@contoso.com', 'd@contoso.com'] },
          { operation: 'delete', type: 'description', values: [] },
          { operation: 'replace', type: 'unicodePwd', values: [Buffer.from('"Pass"', 'utf16le')] },
        ],
        line: 11,
      },
      { kind: 'modrdn', dn: 'CN=Dan,DC=com', newRdn: 'CN=Daniel', deleteOldRdn: true, newSuperior: 'OU=Sales,DC=com', line: 23 },
      { kind: 'modrdn', dn: 'CN=Eve,DC=com', newRdn: 'CN=Éve', deleteOldRdn: false, line: 29 },
    ]);
  });

  it('tolerates a missing final "-" in modify', () => {
    const [record] = parseLdif('dn: CN=x,DC=com\nchangetype: modify\nreplace: sn\nsn: y\n');
    expect(record).toMatchObject({ kind: 'modify', changes: [{ operation: 'replace', type: 'sn', values: ['y'] }] });
  });
});

describe('parseLdif errors', () => {
  const cases: [string, string, number, string | RegExp][] = [
    ['no dn', 'cn: x\n', 1, "expected 'dn:' at the start of a record"],
    ['dn later', 'dn: DC=com\ndc: com\n\n\nobjectClass: top\n', 5, "expected 'dn:' at the start of a record"],
    ['empty record', 'dn: DC=com\n', 1, 'record has no attributes'],
    ['no colon', 'dn: DC=com\ndc com\n', 2, /no ':'/],
    ['bad description', 'dn: DC=com\nx y: z\n', 2, "attribute description 'x y' is invalid"],
    ['bad base64', 'dn: DC=com\nphoto:: ab$c\n', 2, "invalid base64 in the value of 'photo'"],
    ['short base64', 'dn: DC=com\nphoto:: abc\n', 2, /invalid base64/],
    ['bad dn base64', 'dn:: /w==\ncn: x\n', 1, /not valid UTF-8/],
    ['unknown changetype', 'dn: DC=com\nchangetype: foo\n', 2, "unknown changetype 'foo'"],
    ['bad version', 'version: 2\ndn: DC=com\ndc: com\n', 1, "unsupported LDIF version '2'"],
    ['orphan continuation', ' x\ndn: DC=com\n', 1, /continuation/],
    ['continuation after blank', 'dn: DC=com\ndc: com\n\n folded\n', 4, /continuation/],
    ['folded line number', '# c\n\ndn: DC=com\ndc: com\nbad\n line\n', 5, /no ':' in 'badline'/],
    ['delete with body', 'dn: DC=com\nchangetype: delete\ncn: x\n', 3, /after 'changetype: delete'/],
    ['modify wrong op', 'dn: DC=com\nchangetype: modify\nincrement: x\n', 3, /expected 'add:', 'delete:' or 'replace:'/],
    ['modify missing -', 'dn: DC=com\nchangetype: modify\nadd: cn\ncn: a\nreplace: sn\n', 5, /expected '-' first/],
    ['stray -', 'dn: DC=com\nchangetype: modify\n-\n', 3, /'-' without/],
    ['modrdn missing newrdn', 'dn: DC=com\nchangetype: modrdn\ndeleteoldrdn: 1\n', 3, "expected 'newrdn:'"],
    ['modrdn missing deleteoldrdn', 'dn: DC=com\nchangetype: modrdn\nnewrdn: DC=x\n', 3, "expected 'deleteoldrdn:'"],
    ['modrdn bad deleteoldrdn', 'dn: DC=com\nchangetype: modrdn\nnewrdn: DC=x\ndeleteoldrdn: yes\n', 4, /0 or 1/],
    ['modrdn extra', 'dn: DC=com\nchangetype: modrdn\nnewrdn: DC=x\ndeleteoldrdn: 1\nnewsuperior: DC=y\ncn: z\n', 6, /unexpected line/],
    ['control without changetype', 'dn: DC=com\ncontrol: 1.2.3\ncn: x\n', 2, /'changetype:' after 'control:'/],
    ['changetype in content', 'dn: DC=com\ncn: x\nchangetype: add\n', 3, /not allowed here/],
    ['http url', 'dn: DC=com\nphoto:< http://example.com/x\n', 2, /only absolute file:\/\/\/ URLs/],
    ['missing file', 'dn: DC=com\nphoto:< file:///nonexistent/dsemu/x\n', 2, /cannot read .*ENOENT/],
    ['url dn', 'dn:< file:///x\ncn: x\n', 1, /not allowed/],
  ];
  for (const [name, text, line, reason] of cases) {
    it(name, () => {
      const error = errorOf(text);
      expect(error.file).toBe('seed.ldif');
      expect(error.line).toBe(line);
      if (typeof reason === 'string') expect(error.reason).toBe(reason);
      else expect(error.reason).toMatch(reason);
      expect(error.message).toBe(`seed.ldif:${line}: ${error.reason}`);
    });
  }
});

describe('formatLdif', () => {
  const entries: LdifEntry[] = [
    {
      dn: 'CN=Dan Riley,OU=Sales,DC=contoso,DC=com',
      attributes: [
        { type: 'objectClass', values: ['top', 'user'] },
        { type: 'description', values: ['x'.repeat(200)] },
        { type: 'objectGUID', values: [Buffer.from('3BC72D2DEC5A704BBDC21F4EF97B7870', 'hex')] },
        { type: 'givenName', values: ['José'] },
        { type: 'info', values: [' lead', 'trail ', ':colon', '<angle', 'line\nfeed', '', 'mid: colon'] },
      ],
    },
    { dn: 'CN=Bob\\0ADEL:1f2e,CN=Deleted Objects,DC=contoso,DC=com', attributes: [{ type: 'isDeleted', values: ['TRUE'] }] },
  ];

  it('writes safe strings plainly and everything else as base64', () => {
    const text = formatLdifEntry(entries[0]!);
    expect(text).toContain('objectClass: top\nobjectClass: user\n');
    expect(text).toContain('objectGUID:: O8ctLexacEu9wh9O+Xt4cA==\n');
    expect(text).toContain('givenName:: Sm9zw6k=\n');
    expect(text).toContain('info:: IGxlYWQ=\n');
    expect(text).toContain('info: mid: colon\n');
    expect(text).toContain('info:\n');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('folds at 76 columns', () => {
    const lines = formatLdifEntry(entries[0]!).split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(76);
    const start = lines.findIndex((l) => l.startsWith('description:'));
    expect(lines[start]!.length).toBe(76);
    expect(lines[start + 1]!.startsWith(' x')).toBe(true);
  });

  it('separates records with a blank line and can write the version', () => {
    const text = formatLdif(entries, { version: true });
    expect(text.startsWith('version: 1\n\ndn: CN=Dan Riley')).toBe(true);
    expect(text).toContain('\n\ndn: CN=Bob\\0ADEL:1f2e,');
    expect(text.endsWith('isDeleted: TRUE\n')).toBe(true);
    expect(formatLdif([])).toBe('');
  });

  it('round-trips through parseLdif', () => {
    const [first, second] = parseLdif(formatLdif(entries, { version: true }));
    expect(second).toEqual({ kind: 'add', line: expect.any(Number), ...entries[1] });
    const attributes = (first as { attributes: { type: string; values: (string | Buffer)[] }[] }).attributes;
    const asText = (v: string | Buffer): string => (typeof v === 'string' ? v : v.toString('utf8'));
    expect(attributes.map((a) => ({ type: a.type, values: a.values.map(asText) }))).toEqual(
      entries[0]!.attributes.map((a) => ({ type: a.type, values: a.values.map(asText) })),
    );
    expect(attributes.find((a) => a.type === 'objectGUID')!.values[0]).toEqual(entries[0]!.attributes[2]!.values[0]);
  });
});

describe('parseLdifFile', () => {
  it('names the file in errors', () => {
    const path = join(dir, 'bad.ldif');
    writeFileSync(path, 'dn: DC=com\ndc: com\n\ncn: x\n');
    expect(() => parseLdifFile(path)).toThrow(`${path}:4: expected 'dn:' at the start of a record`);
  });

  it('reads a 100,000-entry file whole (speed is measured by npm run bench, not here)', () => {
    const entries: LdifEntry[] = [];
    for (let i = 0; i < 100_000; i++) {
      entries.push({
        dn: `CN=User ${i},OU=Users,DC=contoso,DC=com`,
        attributes: [
          { type: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'user'] },
          { type: 'sAMAccountName', values: [`user${i}`] },
          { type: 'description', values: [`A fairly long description for user ${i} `.repeat(3)] },
          { type: 'objectGUID', values: [Buffer.alloc(16, i & 0xff)] },
        ],
      });
    }
    const path = join(dir, 'big.ldif');
    writeFileSync(path, formatLdif(entries));
    const records = parseLdifFile(path);
    expect(records.length).toBe(100_000);
    expect(records[99_999]).toMatchObject({ dn: 'CN=User 99999,OU=Users,DC=contoso,DC=com' });
  });
});
