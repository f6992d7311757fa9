import { describe, expect, it } from 'vitest';
import { Schema } from '../../src/directory/schema.js';
import { compareValues, equalityKey, isValidValue, toWire } from '../../src/directory/syntax.js';

const schema = Schema.load();
const attr = (name: string) => {
  const a = schema.attribute(name);
  if (!a) throw new Error(name);
  return a;
};

describe('equalityKey', () => {
  it('ignores case for directory strings and OIDs', () => {
    expect(equalityKey(attr('sAMAccountName'), 'JSmith')).toBe(equalityKey(attr('sAMAccountName'), 'jsmith'));
    expect(equalityKey(attr('objectClass'), 'User')).toBe(equalityKey(attr('objectClass'), 'user'));
  });

  it('is exact for octet strings, as hex', () => {
    const guid = attr('objectGUID');
    expect(equalityKey(guid, Buffer.from([0xab, 0x01]))).toBe('ab01');
    expect(equalityKey(guid, Buffer.from('Aa'))).not.toBe(equalityKey(guid, Buffer.from('aa')));
  });

  it('is exact for IA5 strings (Samba)', () => {
    expect(equalityKey(attr('unixHomeDirectory'), '/home/A')).not.toBe(equalityKey(attr('unixHomeDirectory'), '/home/a'));
  });

  it('normalises integers, wrapping unsigned 32-bit values', () => {
    expect(equalityKey(attr('userAccountControl'), '+007')).toBe('7');
    expect(equalityKey(attr('groupType'), '2147483650')).toBe('-2147483646');
    expect(equalityKey(attr('pwdLastSet'), '0009223372036854775807')).toBe('9223372036854775807');
  });

  it('upper-cases booleans', () => {
    expect(equalityKey(attr('isDeleted'), 'true')).toBe('TRUE');
  });

  it('lower-cases DNs and drops spaces around = and ,', () => {
    const member = attr('member');
    expect(equalityKey(member, 'CN=Jeff Smith , OU=Sales,DC=Contoso, DC=com')).toBe('cn=jeff smith,ou=sales,dc=contoso,dc=com');
    expect(equalityKey(member, 'CN=Smith\\, Jeff,DC=x')).toBe('cn=smith\\, jeff,dc=x');
  });

  it('compares times by instant', () => {
    expect(equalityKey(attr('whenCreated'), '20040408072012.0Z')).toBe(equalityKey(attr('whenCreated'), '20040408072012Z'));
  });

  it('keeps DN-Binary data exact and normalises its DN', () => {
    const wko = attr('wellKnownObjects');
    expect(equalityKey(wko, 'B:32:a9d1ca15768811d1aded00c04fd8d5cd:CN=Users, DC=x')).toBe(
      equalityKey(wko, 'B:32:A9D1CA15768811D1ADED00C04FD8D5CD:cn=users,dc=x'),
    );
  });
});

describe('compareValues', () => {
  it('orders integers numerically', () => {
    expect(compareValues(attr('groupType'), '-2147483646', '5')).toBeLessThan(0);
    expect(compareValues(attr('badPwdCount'), '10', '9')).toBeGreaterThan(0);
  });

  it('orders Integer8 beyond 2^53 exactly', () => {
    const t = attr('accountExpires');
    expect(compareValues(t, '9223372036854775806', '9223372036854775807')).toBeLessThan(0);
    expect(compareValues(t, '9007199254740993', '9007199254740992')).toBeGreaterThan(0);
    expect(compareValues(t, '-9223372036854775808', '0')).toBeLessThan(0);
  });

  it('orders strings case-insensitively and times chronologically', () => {
    expect(compareValues(attr('sn'), 'apple', 'Banana')).toBeLessThan(0);
    expect(compareValues(attr('sn'), 'SMITH', 'smith')).toBe(0);
    expect(compareValues(attr('whenChanged'), '20240101000000.0Z', '20231231235959.0Z')).toBeGreaterThan(0);
  });

  it('orders binary values bytewise', () => {
    expect(compareValues(attr('objectGUID'), Buffer.from([1]), Buffer.from([2]))).toBeLessThan(0);
  });
});

describe('isValidValue', () => {
  it('checks integers against 32 and 64 bits', () => {
    expect(isValidValue(attr('userAccountControl'), '-2147483648')).toBe(true);
    expect(isValidValue(attr('userAccountControl'), '4294967295')).toBe(true);
    expect(isValidValue(attr('userAccountControl'), '4294967296')).toBe(false);
    expect(isValidValue(attr('userAccountControl'), '12a')).toBe(false);
    expect(isValidValue(attr('accountExpires'), '9223372036854775807')).toBe(true);
    expect(isValidValue(attr('accountExpires'), '9223372036854775808')).toBe(false);
  });

  it('checks booleans, times, OIDs and DN-Binary', () => {
    expect(isValidValue(attr('isDeleted'), 'TRUE')).toBe(true);
    expect(isValidValue(attr('isDeleted'), 'yes')).toBe(false);
    expect(isValidValue(attr('whenCreated'), '20040408072012.0Z')).toBe(true);
    expect(isValidValue(attr('whenCreated'), '20041308072012.0Z')).toBe(false);
    expect(isValidValue(attr('whenCreated'), '2004-04-08')).toBe(false);
    expect(isValidValue(attr('objectClass'), 'user')).toBe(true);
    expect(isValidValue(attr('objectClass'), '1.2.840.113556.1.5.9')).toBe(true);
    expect(isValidValue(attr('objectClass'), 'not a class')).toBe(false);
    expect(isValidValue(attr('wellKnownObjects'), 'B:4:00FF:CN=x')).toBe(true);
    expect(isValidValue(attr('wellKnownObjects'), 'B:3:00F:CN=x')).toBe(false);
    expect(isValidValue(attr('description'), 'anything at all')).toBe(true);
  });
});

describe('toWire', () => {
  it('sends binary attributes as Buffer and others as string', () => {
    expect(Buffer.isBuffer(toWire(attr('objectSid'), Buffer.from([1, 5])))).toBe(true);
    expect(toWire(attr('cn'), Buffer.from('Jeff'))).toBe('Jeff');
  });
});
