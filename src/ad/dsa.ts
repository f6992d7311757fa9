import type { Logger } from 'pino';
import type { DirectoryStore } from '../directory/store.js';
import type { Schema } from '../directory/schema.js';
import type { AccessPolicy } from './acl.js';
import type { DomainIdentity } from './domain.js';
import type { Principal } from './principal.js';

/**
 * The services every AD module works with, for one domain controller: its store and schema,
 * who the domain is, its secret key, its access rules and its clock.
 */
export interface Dsa {
  readonly store: DirectoryStore;
  readonly schema: Schema;
  readonly domain: DomainIdentity;
  /** encrypts password hashes at rest; held outside the entry data */
  readonly secretKey: Buffer;
  readonly access: AccessPolicy;
  readonly log: Logger;
  /** the DC's clock; tests move it instead of sleeping */
  now(): Date;
  /** whether the domain keeps NT hashes: without them (Domain Services with NTLM password hash
   *  sync off) no simple bind can be verified */
  readonly ntlmHashes: boolean;
}

/** What an operation knows of its caller. */
export interface OperationContext {
  readonly principal: Principal;
  /** the connection is protected by TLS (LDAPS or StartTLS) */
  readonly secure: boolean;
  /** the client is on this machine (127.0.0.0/8 or ::1) */
  readonly loopback?: boolean;
}
