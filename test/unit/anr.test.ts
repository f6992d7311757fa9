// ANR rewriting (MS-ADTS 3.1.1.3.1.3.4), checked against the filter Samba's anr module builds.
import { describe, expect, it } from 'vitest';
import { filterToString, type Filter } from '../../src/directory/filter.js';
import { Schema } from '../../src/directory/schema.js';
import { anrAttributes, expandAnr, isAnrAttribute, rewriteAnr } from '../../src/ad/anr.js';

const schema = Schema.load();
const text = (f: Filter): string => filterToString(f);

describe('anr', () => {
  it("takes the ANR attribute set from the schema's X-ANR flags", () => {
    expect(anrAttributes(schema)).toEqual(
      expect.arrayContaining(['displayName', 'givenName', 'sn', 'name', 'sAMAccountName', 'legacyExchangeDN', 'proxyAddresses', 'physicalDeliveryOfficeName', 'msDS-AdditionalSamAccountName', 'msDS-PhoneticDisplayName']),
    );
    expect(anrAttributes(schema)).not.toContain('mail');
    expect(anrAttributes(schema)).not.toContain('userPrincipalName');
  });

  it('recognises aNR by name in any case and by OID', () => {
    expect(isAnrAttribute('anr')).toBe(true);
    expect(isAnrAttribute('ANR')).toBe(true);
    expect(isAnrAttribute('1.2.840.113556.1.4.1208')).toBe(true);
    expect(isAnrAttribute('name')).toBe(false);
  });

  it('is an OR of prefix substrings', () => {
    const f = expandAnr(schema, Buffer.from('dan'));
    expect(f.type).toBe('or');
    expect(text(f)).toContain('(displayName=dan*)');
    expect(text(f)).toContain('(sAMAccountName=dan*)');
    expect(text(f)).not.toContain('givenName=dan*)(sn');
  });

  it('uses equality after a leading "="', () => {
    const f = text(expandAnr(schema, Buffer.from('=Dan Riley')));
    expect(f).toContain('(displayName=Dan Riley)');
    expect(f).toContain('(|(&(givenName=Dan)(sn=Riley))(&(givenName=Riley)(sn=Dan)))');
    expect(f).not.toContain('*');
  });

  it('adds first/last in both orders for a value with a space', () => {
    expect(text(expandAnr(schema, Buffer.from('dan riley')))).toContain('(|(&(givenName=dan*)(sn=riley*))(&(givenName=riley*)(sn=dan*)))');
    // split at the first space only
    expect(text(expandAnr(schema, Buffer.from('mary ann smith')))).toContain('(&(givenName=mary*)(sn=ann smith*))');
  });

  it('matches nothing for an empty value, presence or a non-prefix substring', () => {
    expect(expandAnr(schema, Buffer.from(''))).toEqual({ type: 'or', filters: [] });
    expect(expandAnr(schema, Buffer.from('   '))).toEqual({ type: 'or', filters: [] });
    expect(rewriteAnr(schema, { type: 'present', attribute: 'anr' })).toEqual({ type: 'or', filters: [] });
    expect(rewriteAnr(schema, { type: 'substrings', attribute: 'anr', any: [Buffer.from('x')] })).toEqual({ type: 'or', filters: [] });
    // a lone '=' is a value (Samba: only a longer value starting with '=' is exact)
    expect(text(expandAnr(schema, Buffer.from('=')))).toContain('(sn==*)');
  });

  it('rewrites (anr=V*) like (anr=V)', () => {
    expect(rewriteAnr(schema, { type: 'substrings', attribute: 'anr', initial: Buffer.from('dan'), any: [] })).toEqual(expandAnr(schema, Buffer.from('dan')));
  });
});
