import type { AddressInfo, Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import ldapjs from 'ldapjs';
import type { Logger } from 'pino';
import type { DomainController } from '../ad/domainController.js';
import type { TlsMaterial } from './tls/material.js';
import { dispatch } from './dispatch.js';
import { Session, type SessionHost } from './session.js';

export interface DirectoryServerOptions {
  dc: DomainController;
  log: Logger;
  host: string;
  /** 0 picks a free port */
  ldapPort: number;
  /** undefined: no LDAPS listener */
  ldapsPort?: number;
  tls?: TlsMaterial;
  /** TLS 1.2 and later only (Entra Domain Services' "TLS 1.2 only mode") */
  tls12Only?: boolean;
  /** false: no continuation references after searches at the domain root (default true, as AD) */
  referrals?: boolean;
}

export interface Listening {
  ldapUrl: string;
  ldapsUrl?: string;
  ldapPort: number;
  ldapsPort?: number;
}

/**
 * The LDAP front of one domain controller. ldapjs gives us the listeners; every connection is
 * routed to our own Session (ldapjs's connectionRouter), which frames, decodes and dispatches
 * requests itself: ldapjs's own pipeline parses bind names as DNs and has no StartTLS or paging.
 */
export class DirectoryServer implements SessionHost {
  readonly dc: DomainController;
  readonly log: Logger;
  readonly secureContext?: SecureContext;
  readonly referrals: boolean;
  private readonly sessions = new Set<Session>();
  private readonly servers: { close(cb?: () => void): void; server: { address(): AddressInfo | string | null } }[] = [];

  constructor(private readonly options: DirectoryServerOptions) {
    this.dc = options.dc;
    this.log = options.log;
    this.referrals = options.referrals ?? true;
    if (options.tls) {
      this.secureContext = createSecureContext({ key: options.tls.key, cert: options.tls.cert, minVersion: options.tls12Only ? 'TLSv1.2' : 'TLSv1' });
    }
  }

  dispatch = dispatch;

  async listen(): Promise<Listening> {
    const { host } = this.options;
    const ldap = ldapjs.createServer({ connectionRouter: (socket) => this.accept(socket, false), log: this.log });
    const ldapPort = await listenOn(ldap, this.options.ldapPort, host);
    this.servers.push(ldap);
    const result: Listening = { ldapPort, ldapUrl: `ldap://${urlHost(host)}:${ldapPort}` };
    if (this.options.ldapsPort !== undefined && this.options.tls) {
      const ldaps = ldapjs.createServer({
        connectionRouter: (socket) => this.accept(socket, true),
        certificate: this.options.tls.cert,
        key: this.options.tls.key,
        log: this.log,
        minVersion: this.options.tls12Only ? 'TLSv1.2' : 'TLSv1',
      });
      result.ldapsPort = await listenOn(ldaps, this.options.ldapsPort, host);
      result.ldapsUrl = `ldaps://${urlHost(host)}:${result.ldapsPort}`;
      this.servers.push(ldaps);
    }
    return result;
  }

  async close(): Promise<void> {
    for (const session of this.sessions) session.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  private accept(socket: Socket, tls: boolean): void {
    const session = new Session(socket, this, tls);
    this.sessions.add(session);
    socket.once('close', () => this.sessions.delete(session));
  }
}

function listenOn(server: { listen(port: number, host: string, cb: () => void): void; server: { address(): AddressInfo | string | null; once(e: string, cb: (err: Error) => void): void } }, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, host, () => resolve((server.server.address() as AddressInfo).port));
  });
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
