import { describe, expect, it } from 'vitest';
import { Schema } from '../../src/directory/schema.js';

describe('the AD schema file', () => {
  const schema = Schema.load();

  it('parses, and is cached per path', () => {
    expect(schema.attributes().length).toBeGreaterThan(400);
    expect(schema.objectClasses().length).toBeGreaterThan(20);
    expect(Schema.load()).toBe(schema);
  });

  it('knows attributes by name or OID, case-insensitively, ignoring options', () => {
    const sam = schema.attribute('samaccountname');
    expect(sam?.name).toBe('sAMAccountName');
    expect(sam?.oid).toBe('1.2.840.113556.1.4.221');
    expect(sam).toMatchObject({ singleValued: true, indexed: true, anr: true, syntax: '1.3.6.1.4.1.1466.115.121.1.15' });
    expect(schema.attribute('1.2.840.113556.1.4.221')).toBe(sam);
    expect(schema.attribute('member;range=0-*')?.name).toBe('member');
    expect(schema.attribute('userCertificate;binary')?.name).toBe('userCertificate');
    expect(schema.attribute('noSuchAttribute')).toBeUndefined();
  });

  it('marks binary, secret and constructed attributes', () => {
    expect(schema.attribute('objectGUID')).toMatchObject({ binary: true, systemOnly: true, rangeLower: 16, rangeUpper: 16 });
    expect(schema.attribute('objectSid')?.binary).toBe(true);
    expect(schema.attribute('nTSecurityDescriptor')?.binary).toBe(true);
    expect(schema.attribute('displayName')?.binary).toBe(false);
    for (const name of ['unicodePwd', 'dBCSPwd', 'ntPwdHistory', 'lmPwdHistory', 'supplementalCredentials']) {
      expect(schema.attribute(name)?.secret, name).toBe(true);
    }
    expect(schema.attribute('userPassword')?.secret).toBe(false);
    for (const name of ['canonicalName', 'tokenGroups', 'msDS-User-Account-Control-Computed', 'primaryGroupToken']) {
      expect(schema.attribute(name)?.constructed, name).toBe(true);
    }
    expect(schema.attribute('memberOf')?.constructed).toBe(false);
  });

  it('has the RFC 2307, Exchange and cloud attributes', () => {
    for (const name of ['uidNumber', 'gidNumber', 'unixHomeDirectory', 'loginShell', 'gecos', 'memberUid']) {
      expect(schema.attribute(name), name).toBeDefined();
    }
    expect(schema.attribute('extensionAttribute15')?.oid).toBe('1.2.840.113556.1.2.603');
    expect(schema.attribute('mS-DS-ConsistencyGuid')?.binary).toBe(true);
    const user = schema.allowedAttributes(['user']);
    for (const name of ['msDS-aadObjectId', 'msDS-AzureADObjectId', 'msDS-AzureADMailNickname', 'extensionAttribute1', 'mailNickname']) {
      expect(user.may.has(name), name).toBe(true);
    }
  });

  it('gives class chains top first', () => {
    expect(schema.classChain('user').map((c) => c.name)).toEqual(['top', 'person', 'organizationalPerson', 'user']);
    expect(schema.classChain('computer').map((c) => c.name).slice(-2)).toEqual(['user', 'computer']);
    expect(schema.objectClassValues('Computer')).toEqual(['top', 'person', 'organizationalPerson', 'user', 'computer']);
    expect(schema.classChain('noSuchClass')).toEqual([]);
  });

  it('describes classes as AD does', () => {
    const user = schema.objectClass('USER');
    expect(user).toMatchObject({ oid: '1.2.840.113556.1.5.9', kind: 'structural', superior: 'organizationalPerson', category: 'Person' });
    expect(user?.auxiliary).toEqual(expect.arrayContaining(['securityPrincipal', 'mailRecipient', 'posixAccount']));
    expect(user?.possibleSuperiors).toEqual(expect.arrayContaining(['organizationalUnit', 'domainDNS', 'container', 'builtinDomain']));
    expect(schema.objectClass('top')?.kind).toBe('abstract');
    expect(schema.objectClass('top')?.superior).toBeUndefined();
    expect(schema.objectClass('securityPrincipal')?.kind).toBe('auxiliary');
    expect(schema.objectClass('computer')?.category).toBe('Computer');
  });

  it('finds the structural class among objectClass values', () => {
    expect(schema.structuralClass(['top', 'person', 'organizationalPerson', 'user', 'computer'])?.name).toBe('computer');
    expect(schema.structuralClass(['user', 'top', 'posixAccount'])?.name).toBe('user');
    expect(schema.structuralClass(['top'])).toBeUndefined();
    expect(schema.structuralClass(['group', 'user'])).toBeUndefined();
  });

  it('computes allowed attributes through superclasses and auxiliary classes', () => {
    const { must, may } = schema.allowedAttributes(['user']);
    expect(must.has('objectClass')).toBe(true);
    expect(must.has('sAMAccountName')).toBe(true); // from securityPrincipal
    expect(must.has('cn')).toBe(true);
    expect(may.has('cn')).toBe(false);
    expect(may.has('memberOf')).toBe(true);
    expect(may.has('userAccountControl')).toBe(true);
    expect(may.has('uidNumber')).toBe(true); // from posixAccount
    expect(may.has('pwdProperties')).toBe(false);
    expect(schema.allowedAttributes(['domainDNS']).may.has('pwdProperties')).toBe(true); // samDomain
    expect(schema.allowedAttributes(['group']).must.has('groupType')).toBe(true);
  });

  it('pairs links and marks back links as not writable', () => {
    const member = schema.attribute('member')!;
    const memberOf = schema.attribute('memberOf')!;
    expect(member.linkId).toBe(2);
    expect(memberOf.linkId).toBe(3);
    expect(schema.linkPartner(member)).toBe(memberOf);
    expect(schema.linkPartner(memberOf)).toBe(member);
    expect(memberOf.systemOnly).toBe(true);
    expect(memberOf.noUserModification).toBe(true);
    expect(member.systemOnly).toBe(false);
    expect(schema.linkPartner(schema.attribute('manager')!)?.name).toBe('directReports');
    expect(schema.linkPartner(schema.attribute('msDS-PSOAppliesTo')!)?.name).toBe('msDS-PSOApplied');
    expect(schema.linkPartner(schema.attribute('cn')!)).toBeUndefined();
  });

  it('serves the subschema without X- extensions', () => {
    const types = schema.subschemaAttributeTypes();
    expect(types).toContain("( 1.2.840.113556.1.4.221 NAME 'sAMAccountName' SYNTAX '1.3.6.1.4.1.1466.115.121.1.15' SINGLE-VALUE )");
    expect(types).toContain("( 1.2.840.113556.1.2.102 NAME 'memberOf' SYNTAX '1.3.6.1.4.1.1466.115.121.1.12' NO-USER-MODIFICATION )");
    expect(types.some((t) => t.includes('X-'))).toBe(false);
    const classes = schema.subschemaObjectClasses();
    expect(classes).toContain("( 1.2.840.113556.1.5.8 NAME 'group' SUP top STRUCTURAL MUST (groupType ) MAY (" +
      schema.objectClass('group')!.may.join(' $ ') + ' ) )');
    expect(classes.some((c) => c.includes('X-'))).toBe(false);
  });
});

describe('Schema.parse', () => {
  const text = [
    '# a tiny schema',
    "attributeTypes: ( 2.5.4.0 NAME 'objectClass' SYNTAX '1.3.6.1.4.1.1466.115.121.1.38' )",
    "attributeTypes: ( 2.5.4.3 NAME 'cn'",
    " SYNTAX '1.3.6.1.4.1.1466.115.121.1.15' SINGLE-VALUE X-RANGE-UPPER '64' )",
    "objectClasses: ( 2.5.6.0 NAME 'top' ABSTRACT MUST ( objectClass ) )",
    "objectClasses: ( 1.2.3.4 NAME 'thing' SUP top STRUCTURAL MAY ( CN ) X-CATEGORY 'Thing' )",
  ];

  it('unfolds continuation lines and resolves canonical names', () => {
    const schema = Schema.parse(text.join('\n'), 'tiny');
    expect(schema.attribute('cn')).toMatchObject({ singleValued: true, rangeUpper: 64, indexed: false });
    expect(schema.objectClass('thing')?.may).toEqual(['cn']);
    expect(schema.objectClassValues('thing')).toEqual(['top', 'thing']);
  });

  it('throws naming the source, line and reason', () => {
    const bad = [...text];
    bad[3] = " SYNTAX '1.3.6.1.4.1.1466.115.121.1.15' SINGLE-VALUE X-RANGE-UPPER '64'"; // unclosed
    expect(() => Schema.parse(bad.join('\n'), 'tiny.schema')).toThrow(/tiny\.schema:3: missing closing '\)'/);
    expect(() => Schema.parse("attributeTypes: ( 1.2.3 SYNTAX '1.2' )", 'x')).toThrow(/x:1: .*no NAME/);
    expect(() => Schema.parse('\n\nnonsense here', 'x')).toThrow(/x:3: /);
    const unknown = [...text, "objectClasses: ( 1.2.3.5 NAME 'other' SUP top STRUCTURAL MUST ( nope ) )"];
    expect(() => Schema.parse(unknown.join('\n'), 'x')).toThrow(/x:7: class other: unknown attribute "nope"/);
  });
});
