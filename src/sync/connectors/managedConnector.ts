import { Attribute, Change, type Client, type Entry } from 'ldapts';
import { sidFromString, sidToString } from '../../directory/binary.js';
import { connect, type LdapEndpoint } from './ldapConnection.js';
import type { HashEnvelope } from '../../ad/crypto/hashEnvelope.js';
import { SET_SYNCED_CREDENTIALS_OID, type SyncedCredentialsItem, type SyncedCredentialsResult } from '../../ad/passwordHashSync.js';

export type ManagedValues = Record<string, string[]>;

export interface ManagedChange {
  operation: 'add' | 'delete' | 'replace';
  type: string;
  values: string[];
}

/** A managed-domain object as read back: its DN, and the requested attributes as text. */
export interface ManagedEntry {
  dn: string;
  attrs: ManagedValues;
}

const BINARY_SID = 'sIDHistory';
const CONNECTIONS = 4;

/**
 * The Domain Services connector: writes `OU=AADDC Users` of the managed DC as its sync
 * principal, over a few pipelined ldapts connections.
 */
export class ManagedConnector {
  private clients: Promise<Client>[] = [];
  private next = 0;

  constructor(readonly options: LdapEndpoint & { baseDn: string }) {}

  get usersOu(): string {
    return `OU=AADDC Users,${this.options.baseDn}`;
  }

  async add(dn: string, attrs: ManagedValues): Promise<void> {
    const client = await this.client();
    await client.add(dn, Object.entries(attrs).map(([type, values]) => new Attribute({ type, values: encode(type, values) })));
  }

  async modify(dn: string, changes: ManagedChange[]): Promise<void> {
    if (changes.length === 0) return;
    const client = await this.client();
    await client.modify(dn, changes.map((c) => new Change({ operation: c.operation, modification: new Attribute({ type: c.type, values: encode(c.type, c.values) }) })));
  }

  /** Renames within the OU (the flat placement never changes). `rdn` is escaped. */
  async rename(dn: string, rdn: string): Promise<void> {
    const client = await this.client();
    await client.modifyDN(dn, rdn);
  }

  async delete(dn: string): Promise<void> {
    const client = await this.client();
    await client.del(dn);
  }

  /** Objects in AADDC Users matching `filter`, with `attributes` as text. */
  async find(filter: string, attributes: string[]): Promise<ManagedEntry[]> {
    const client = await this.client();
    const { searchEntries } = await client.search(this.usersOu, { scope: 'sub', filter, attributes, explicitBufferAttributes: [BINARY_SID] });
    return searchEntries.map(toManagedEntry);
  }

  async read(dn: string, attributes: string[]): Promise<ManagedEntry | undefined> {
    const client = await this.client();
    try {
      const { searchEntries } = await client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes, explicitBufferAttributes: [BINARY_SID] });
      return searchEntries[0] ? toManagedEntry(searchEntries[0]) : undefined;
    } catch (e) {
      if ((e as { code?: number }).code === 32) return undefined;
      throw e;
    }
  }

  /** Password hash sync's privileged write (README): a user's hashes, sealed for the managed domain. */
  async setSyncedCredentials(dn: string, envelope: HashEnvelope): Promise<void> {
    const client = await this.client();
    await client.exop(SET_SYNCED_CREDENTIALS_OID, JSON.stringify({ dn, envelope }));
  }

  /**
   * Many users' hashes in one request, a result for each in the same order (0: it landed). The
   * value goes as a string (UTF-8 on the wire all the same): ldapts JSON-encodes every message it
   * sends for its debug log, logging on or not, and a Buffer of 100 KB becomes an array of numbers.
   */
  async setSyncedCredentialsBatch(credentials: SyncedCredentialsItem[]): Promise<SyncedCredentialsResult[]> {
    const client = await this.client();
    const { value } = await client.exop(SET_SYNCED_CREDENTIALS_OID, JSON.stringify({ credentials }));
    const results = (JSON.parse(String(value ?? '{}')) as { results?: SyncedCredentialsResult[] }).results;
    if (!Array.isArray(results) || results.length !== credentials.length) throw new Error('the managed DC answered the hash batch without a result for each user');
    return results;
  }

  async close(): Promise<void> {
    const clients = this.clients;
    this.clients = [];
    await Promise.all(clients.map((c) => c.then((client) => client.unbind()).catch(() => undefined)));
  }

  private async client(): Promise<Client> {
    if (this.clients.length < CONNECTIONS) {
      const opening = connect(this.options);
      this.clients.push(opening);
      opening.catch(() => this.forget(opening));
      return opening;
    }
    const slot = this.next++ % this.clients.length;
    const pending = this.clients[slot]!;
    const client = await pending.catch(() => undefined);
    if (client?.isConnected) return client;
    this.forget(pending);
    return this.client();
  }

  private forget(client: Promise<Client>): void {
    this.clients = this.clients.filter((c) => c !== client);
  }
}

function encode(type: string, values: string[]): string[] | Buffer[] {
  return type === BINARY_SID ? values.map((v) => sidFromString(v)) : values;
}

function toManagedEntry(entry: Entry): ManagedEntry {
  const attrs: ManagedValues = {};
  for (const [name, raw] of Object.entries(entry)) {
    if (name === 'dn') continue;
    const values = (Array.isArray(raw) ? raw : [raw]) as (string | Buffer)[];
    attrs[name] = values.map((v) => (typeof v === 'string' ? v : name.toLowerCase() === 'sidhistory' ? sidToString(v) : v.toString('base64')));
  }
  return { dn: entry.dn, attrs };
}
