// Types for the parts of ldapjs's codec packages we use; they ship none.

declare module '@ldapjs/asn1' {
  class BerReader {
    constructor(buffer: Buffer);
    readonly buffer: Buffer;
    readonly length: number;
    readonly offset: number;
    readonly remain: number;
    peek(): number | null;
    readBoolean(tag?: number): boolean;
    readEnumeration(): number;
    readInt(tag?: number): number;
    readSequence(tag?: number): number | null;
    readString(tag?: number, asBuffer?: false): string;
    readString(tag: number, asBuffer: true): Buffer | null;
    setOffset(position: number): void;
  }
  class BerWriter {
    constructor(options?: { size?: number; growthFactor?: number });
    readonly buffer: Buffer;
    startSequence(tag?: number): void;
    endSequence(): void;
    writeBoolean(value: boolean, tag?: number): void;
    writeBuffer(buffer: Buffer, tag: number): void;
    writeEnumeration(value: number, tag?: number): void;
    writeInt(value: number, tag?: number): void;
    writeString(value: string, tag?: number): void;
    writeNull(): void;
  }
  const asn1: { BerReader: typeof BerReader; BerWriter: typeof BerWriter };
  export default asn1;
}

declare module '@ldapjs/controls' {
  import type asn1 from '@ldapjs/asn1';
  interface Control {
    type: string;
    criticality: boolean;
    value: unknown;
  }
  const controls: {
    getControl(ber: InstanceType<typeof asn1.BerReader>): Control | null;
  };
  export default controls;
}

declare module 'ldapjs' {
  import type { Server as NetServer, Socket } from 'node:net';
  interface LdapServer {
    readonly server: NetServer;
    listen(port: number, host: string, callback: () => void): void;
    close(callback?: () => void): void;
  }
  /** The client, as the tests use it for searches that stream (change notification). */
  export interface SearchResponseEmitter {
    on(event: 'searchEntry', listener: (entry: { pojo: { objectName: string } }) => void): this;
    on(event: 'searchRequest', listener: (request: { messageId: number }) => void): this;
    on(event: 'end', listener: (result: { status: number } | null) => void): this;
    on(event: 'error', listener: (error: { code?: number }) => void): this;
  }
  export interface Client {
    on(event: 'error', listener: (error: Error) => void): void;
    bind(dn: string, password: string, callback: (error: Error | null) => void): void;
    search(base: string, options: { filter: string; scope: string; attributes: string[] }, controls: Control[], callback: (error: Error | null, res: SearchResponseEmitter) => void): void;
    abandon(messageId: number, callback: (error?: Error | null) => void): void;
    destroy(): void;
  }
  export class Control {
    constructor(options: { type: string; criticality: boolean });
  }
  const ldapjs: {
    createServer(options: { connectionRouter: (socket: Socket) => void; certificate?: string | Buffer; key?: string | Buffer; log?: unknown; minVersion?: string }): LdapServer;
    createClient(options: { url: string }): Client;
    Control: typeof Control;
  };
  export default ldapjs;
}
