import { Attribute, Client } from 'ldapts';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeUnicodePwd } from '../../src/ad/crypto/unicodePwd.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator.js';

// Account state in bind errors, as AD reports it in `data` (reference/ad-ldap.md 2.2), with the
// emulator's clock moved instead of sleeping.
let emulator: RunningEmulator;
let now = Date.parse('2026-11-22T12:00:00Z');
const minutes = (n: number): void => {
  now += n * 60_000;
};

async function bindError(name: string, password: string): Promise<string | undefined> {
  const client = new Client({ url: emulator.onprem.ldapUrl });
  try {
    await client.bind(name, password);
    return undefined;
  } catch (e) {
    const match = /data ([0-9a-f]+), v/.exec(String((e as Error).message));
    return match?.[1] ?? String(e);
  } finally {
    await client.unbind();
  }
}

async function asAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ url: emulator.onprem.ldapsUrl!, tlsOptions: { ca: [readFileSync(emulator.onprem.caFile!)] } });
  await client.bind(emulator.onprem.admin.upn, emulator.onprem.admin.password);
  try {
    return await fn(client);
  } finally {
    await client.unbind();
  }
}

async function addUser(sam: string, extra: Record<string, string> = {}): Promise<string> {
  const dn = `CN=${sam},OU=Sales,OU=United States,OU=Corp,DC=contoso,DC=com`;
  const attributes = [
    new Attribute({ type: 'objectClass', values: ['user'] }),
    new Attribute({ type: 'sAMAccountName', values: [sam] }),
    new Attribute({ type: 'userPrincipalName', values: [`${sam}@contoso.com`] }),
    new Attribute({ type: 'userAccountControl', values: ['512'] }),
    new Attribute({ type: 'unicodePwd', values: [encodeUnicodePwd('Lock3d!Out')] }),
    ...Object.entries(extra).map(([type, value]) => new Attribute({ type, values: [value] })),
  ];
  await asAdmin((c) => c.add(dn, attributes));
  return `${sam}@contoso.com`;
}

beforeAll(async () => {
  emulator = await startEmulator({ sync: false, ldapPort: 0, ldapsPort: 0, logLevel: 'silent', lockoutThreshold: 5, clock: () => new Date(now) });
});
afterAll(async () => {
  await emulator?.stop();
});

describe('account state in bind errors', () => {
  it('locks an account after lockoutThreshold bad passwords (775, even with the right password) and unlocks after lockoutDuration', async () => {
    const upn = await addUser('lockme');
    for (let i = 0; i < 4; i++) expect(await bindError(upn, 'wrong')).toBe('52e');
    expect(await bindError(upn, 'Lock3d!Out')).toBeUndefined(); // a good bind resets badPwdCount
    for (let i = 0; i < 5; i++) expect(await bindError(upn, 'wrong')).toBe('52e');
    expect(await bindError(upn, 'Lock3d!Out')).toBe('775');
    const locked = await asAdmin((c) => c.search(`CN=lockme,OU=Sales,OU=United States,OU=Corp,DC=contoso,DC=com`, { scope: 'base', attributes: ['lockoutTime', 'badPwdCount', 'msDS-User-Account-Control-Computed'] }));
    expect(Number(locked.searchEntries[0]!['msDS-User-Account-Control-Computed']) & 0x10).toBe(0x10);
    expect(locked.searchEntries[0]!.lockoutTime).not.toBe('0');
    minutes(31); // the seeded lockoutDuration is 30 minutes
    expect(await bindError(upn, 'Lock3d!Out')).toBeUndefined();
  });

  it('answers 701 for an expired account and 532 for an expired password, only with the right password', async () => {
    const expired = await addUser('expiredacct', { accountExpires: String((BigInt(now - 86_400_000) + 11_644_473_600_000n) * 10_000n) });
    expect(await bindError(expired, 'Lock3d!Out')).toBe('701');
    expect(await bindError(expired, 'wrong')).toBe('52e');
    const aging = await addUser('agingpwd');
    expect(await bindError(aging, 'Lock3d!Out')).toBeUndefined();
    minutes(43 * 24 * 60); // maxPwdAge is 42 days in the seeded Default Domain Policy
    expect(await bindError(aging, 'Lock3d!Out')).toBe('532');
  });

  it('answers 773 when the password must change (pwdLastSet 0)', async () => {
    expect(await bindError('npetrov@contoso.com', 'Passw0rd!')).toBe('773');
  });
});
