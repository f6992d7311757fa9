import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator.js';

let emulator: RunningEmulator;
const driley = 'driley@contoso.com';
const password = 'Passw0rd!';

beforeAll(async () => {
  emulator = await startEmulator({ sync: false, ldapPort: 0, ldapsPort: 0, logLevel: 'silent' });
});
afterAll(async () => {
  await emulator?.stop();
});

function rawConnection(): Promise<Socket> {
  const url = new URL(emulator.onprem.ldapUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

function closed(socket: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve) => socket.once('close', () => resolve(Buffer.concat(chunks))));
}

describe('the LDAP front', () => {
  it('ends a connection that sends a malformed PDU, and only that one', async () => {
    const bystander = new Client({ url: emulator.onprem.ldapUrl });
    await bystander.bind(driley, password);

    const socket = await rawConnection();
    const ended = closed(socket);
    socket.write(Buffer.from([0x30, 0x05, 0x02, 0x01, 0x01, 0xff, 0x00]));
    const notice = await ended;
    // RFC 4511 4.4.1 Notice of Disconnection: an extended response with messageID 0 and protocolError.
    expect(notice.includes(Buffer.from('1.3.6.1.4.1.1466.20036'))).toBe(true);

    const garbage = await rawConnection();
    const garbageEnded = closed(garbage);
    garbage.write('GET / HTTP/1.1\r\n\r\n');
    await garbageEnded;

    const { searchEntries } = await bystander.search(emulator.onprem.baseDn, { filter: '(sAMAccountName=driley)', attributes: ['cn'] });
    expect(searchEntries.map((e) => e.cn)).toEqual(['Dan Riley']);
    await bystander.unbind();
  });

  it('pages with RFC 2696 through more than AD MaxPageSize allows at once', async () => {
    const client = new Client({ url: emulator.onprem.ldapUrl });
    await client.bind(driley, password);
    const { searchEntries } = await client.search('OU=Bulk,OU=Corp,DC=contoso,DC=com', {
      filter: '(objectClass=user)',
      attributes: ['sAMAccountName'],
      paged: { pageSize: 300 },
    });
    // Samba 4.17: 1200 bench users with pr=200 came back in 7 pages, all of them.
    expect(searchEntries).toHaveLength(1600);
    expect(new Set(searchEntries.map((e) => e.sAMAccountName)).size).toBe(1600);
    await client.unbind();
  });

  it('caps each page at MaxPageSize 1000 whatever page size the client asks for', async () => {
    const client = new Client({ url: emulator.onprem.ldapUrl });
    await client.bind(driley, password);
    const pages: number[] = [];
    for await (const page of client.searchPaginated('OU=Bulk,OU=Corp,DC=contoso,DC=com', { filter: '(objectClass=user)', attributes: ['cn'], paged: { pageSize: 1500 } })) {
      pages.push(page.searchEntries.length);
    }
    // Samba 4.17 does not enforce MaxPageSize (though its Default Query Policy lists MaxPageSize=1000):
    // pr=1500 and pr=5000 over 1200 users each came back as one page of 1200. Windows caps pages at
    // MaxPageSize (MS-ADTS 3.1.1.3.4.1.1), which we follow.
    expect(pages).toEqual([1000, 600]);
    await client.unbind();
  });

  it('ends an unpaged search at 1000 entries with sizeLimitExceeded', async () => {
    const client = new Client({ url: emulator.onprem.ldapUrl });
    await client.bind(driley, password);
    // Samba 4.17 does not enforce this: an unpaged search over 1200 users returned all 1200 with
    // result 0, and it also ignored the request's sizeLimit (-z 10 still gave 1200, result 0). Windows
    // ends at 1000 with sizeLimitExceeded (pingidentity/ldapsdk#65); its diagnostic text is unverified,
    // ours is empty.
    await expect(client.search('OU=Bulk,OU=Corp,DC=contoso,DC=com', { filter: '(objectClass=user)', attributes: ['cn'] })).rejects.toMatchObject({ code: 4 });
    await client.unbind();
  });

  it('upgrades with StartTLS and then treats the connection as secure', async () => {
    const client = new Client({ url: emulator.onprem.ldapUrl });
    await client.startTLS({ ca: [readFileSync(emulator.onprem.caFile!)] });
    await client.bind(driley, password);
    const result = await client.exop('1.3.6.1.4.1.4203.1.11.3');
    expect(result.value).toBe('u:CONTOSO\\driley');
    await client.unbind();
  });

  it('accepts AD alternative base forms: <GUID=...>, <SID=...> and <WKGUID=...>', async () => {
    const client = new Client({ url: emulator.onprem.ldapUrl });
    await client.bind(driley, password);
    const { searchEntries } = await client.search(emulator.onprem.baseDn, { filter: '(sAMAccountName=driley)', attributes: ['objectGUID', 'objectSid'], explicitBufferAttributes: ['objectGUID', 'objectSid'] });
    const guid = searchEntries[0]!.objectGUID as Buffer;
    const byGuid = await client.search(`<GUID=${guid.toString('hex')}>`, { scope: 'base', attributes: ['cn'] });
    expect(byGuid.searchEntries[0]!.cn).toBe('Dan Riley');
    const users = await client.search(`<WKGUID=a9d1ca15768811d1aded00c04fd8d5cd,${emulator.onprem.baseDn}>`, { scope: 'base', attributes: ['cn'] });
    expect(users.searchEntries[0]!.dn).toBe(`CN=Users,${emulator.onprem.baseDn}`);
    await client.unbind();
  });

  it('answers a base outside its naming context with a referral, as AD does', async () => {
    const client = new Client({ url: emulator.onprem.ldapUrl });
    await client.bind(driley, password);
    await expect(client.search('DC=fabrikam,DC=com', { scope: 'base' })).rejects.toMatchObject({ code: 10 });
    await client.unbind();
  });
});
