import asn1 from '@ldapjs/asn1';
import controls from '@ldapjs/controls';
import type { Change } from '../../directory/changes.js';
import type { Filter } from '../../directory/filter.js';
import type { AttributeInput } from '../../ad/input.js';
import type { SearchScope } from '../../ad/operations/search.js';
import { readFilter } from './filterBer.js';

const { BerReader } = asn1;
type BerReader = InstanceType<typeof asn1.BerReader>;

/** A request control as the client sent it; `value` is the raw controlValue. */
export interface RequestControl {
  type: string;
  critical: boolean;
  value?: Buffer;
  /** @ldapjs/controls' parsed form, for the controls it knows (paged results, sort, ...) */
  parsed: unknown;
}

interface Base {
  messageId: number;
  controls: RequestControl[];
}

export type LdapRequest =
  | (Base & { op: 'bind'; version: number; name: string; simple?: Buffer; saslMechanism?: string })
  | (Base & { op: 'unbind' })
  | (Base & { op: 'search'; base: string; scope: SearchScope; derefAliases: number; sizeLimit: number; timeLimit: number; typesOnly: boolean; filter: Filter; attributes: string[] })
  | (Base & { op: 'modify'; object: string; changes: Change[] })
  | (Base & { op: 'add'; entry: string; attributes: AttributeInput[] })
  | (Base & { op: 'delete'; entry: string })
  | (Base & { op: 'modifyDn'; entry: string; newRdn: string; deleteOldRdn: boolean; newSuperior?: string })
  | (Base & { op: 'compare'; entry: string; attribute: string; value: Buffer })
  | (Base & { op: 'abandon'; abandonId: number })
  | (Base & { op: 'extended'; name: string; value?: Buffer });

/** RFC 4511 4.2-4.12 protocolOp tags. */
export const RequestTag = {
  bind: 0x60,
  unbind: 0x42,
  search: 0x63,
  modify: 0x66,
  add: 0x68,
  delete: 0x4a,
  modifyDn: 0x6c,
  compare: 0x6e,
  abandon: 0x50,
  extended: 0x77,
} as const;

export class ProtocolError extends Error {
  constructor(
    message: string,
    /** the message ID when it could be read, so the error can be answered */
    readonly messageId?: number,
    readonly op?: number,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

const SCOPES: SearchScope[] = ['base', 'one', 'sub'];
const OPERATIONS: Change['operation'][] = ['add', 'delete', 'replace'];

/**
 * Decodes one LDAPMessage (RFC 4511 4.1.1). We read requests with @ldapjs/asn1 ourselves
 * rather than through @ldapjs/messages, whose request classes parse every DN with @ldapjs/dn
 * and so refuse AD's `<GUID=...>` bases and `user@domain` names before we see them.
 */
export function decodeRequest(message: Buffer): LdapRequest {
  const ber = new BerReader(message);
  let messageId: number | undefined;
  let op: number | undefined;
  try {
    ber.readSequence(0x30);
    messageId = ber.readInt();
    op = ber.peek() ?? undefined;
    const request = decodeOp(ber, op!, messageId);
    request.controls = ber.remain > 0 && ber.peek() === 0xa0 ? readControls(ber) : [];
    return request;
  } catch (e) {
    if (e instanceof ProtocolError) throw e;
    throw new ProtocolError(`malformed LDAP message: ${(e as Error).message}`, messageId, op);
  }
}

function decodeOp(ber: BerReader, op: number, messageId: number): LdapRequest {
  const base = { messageId, controls: [] as RequestControl[] };
  switch (op) {
    case RequestTag.bind: {
      ber.readSequence(op);
      const version = ber.readInt();
      const name = ber.readString();
      const auth = ber.peek();
      if (auth === 0x80) return { ...base, op: 'bind', version, name, simple: readBuffer(ber, 0x80) };
      if (auth === 0xa3) {
        ber.readSequence(0xa3);
        return { ...base, op: 'bind', version, name, saslMechanism: ber.readString() };
      }
      throw new ProtocolError('unknown bind authentication choice', messageId, op);
    }
    case RequestTag.unbind:
      return { ...base, op: 'unbind' };
    case RequestTag.search: {
      ber.readSequence(op);
      const baseObject = ber.readString();
      const scope = SCOPES[ber.readEnumeration()];
      if (!scope) throw new ProtocolError('invalid search scope', messageId, op);
      const derefAliases = ber.readEnumeration();
      const sizeLimit = ber.readInt();
      const timeLimit = ber.readInt();
      const typesOnly = ber.readBoolean();
      const filter = readFilter(ber);
      const attributes: string[] = [];
      ber.readSequence(0x30);
      const end = ber.offset + ber.length;
      while (ber.offset < end) attributes.push(ber.readString());
      return { ...base, op: 'search', base: baseObject, scope, derefAliases, sizeLimit, timeLimit, typesOnly, filter, attributes };
    }
    case RequestTag.modify: {
      ber.readSequence(op);
      const object = ber.readString();
      const changes: Change[] = [];
      ber.readSequence(0x30);
      const end = ber.offset + ber.length;
      while (ber.offset < end) {
        ber.readSequence(0x30);
        const operation = OPERATIONS[ber.readEnumeration()];
        if (!operation) throw new ProtocolError('invalid modify operation', messageId, op);
        const { type, values } = readAttribute(ber);
        changes.push({ operation, type, values });
      }
      return { ...base, op: 'modify', object, changes };
    }
    case RequestTag.add: {
      ber.readSequence(op);
      const entry = ber.readString();
      const attributes: AttributeInput[] = [];
      ber.readSequence(0x30);
      const end = ber.offset + ber.length;
      while (ber.offset < end) attributes.push(readAttribute(ber));
      return { ...base, op: 'add', entry, attributes };
    }
    case RequestTag.delete:
      return { ...base, op: 'delete', entry: readBuffer(ber, op).toString('utf8') };
    case RequestTag.modifyDn: {
      ber.readSequence(op);
      const end = ber.offset + ber.length;
      const entry = ber.readString();
      const newRdn = ber.readString();
      const deleteOldRdn = ber.readBoolean();
      const newSuperior = ber.offset < end && ber.peek() === 0x80 ? readBuffer(ber, 0x80).toString('utf8') : undefined;
      return { ...base, op: 'modifyDn', entry, newRdn, deleteOldRdn, newSuperior };
    }
    case RequestTag.compare: {
      ber.readSequence(op);
      const entry = ber.readString();
      ber.readSequence(0x30);
      const attribute = ber.readString();
      return { ...base, op: 'compare', entry, attribute, value: readBuffer(ber, 0x04) };
    }
    case RequestTag.abandon:
      return { ...base, op: 'abandon', abandonId: ber.readInt(0x50) };
    case RequestTag.extended: {
      ber.readSequence(op);
      const end = ber.offset + ber.length;
      const name = readBuffer(ber, 0x80).toString('utf8');
      const value = ber.offset < end && ber.peek() === 0x81 ? readBuffer(ber, 0x81) : undefined;
      return { ...base, op: 'extended', name, value };
    }
    default:
      throw new ProtocolError(`unknown protocol operation 0x${op.toString(16)}`, messageId, op);
  }
}

function readAttribute(ber: BerReader): AttributeInput {
  ber.readSequence(0x30);
  const type = ber.readString();
  const values: Buffer[] = [];
  ber.readSequence(0x31);
  const end = ber.offset + ber.length;
  while (ber.offset < end) values.push(readBuffer(ber, 0x04));
  return { type, values };
}

function readBuffer(ber: BerReader, tag: number): Buffer {
  const value = ber.readString(tag, true) as Buffer | null;
  if (value === null) throw new Error('truncated value');
  return Buffer.from(value);
}

function readControls(ber: BerReader): RequestControl[] {
  const result: RequestControl[] = [];
  ber.readSequence(0xa0);
  const end = ber.offset + ber.length;
  while (ber.offset < end) {
    const start = ber.offset;
    ber.readSequence(0x30);
    const controlEnd = ber.offset + ber.length;
    const type = ber.readString();
    const critical = ber.offset < controlEnd && ber.peek() === 0x01 ? ber.readBoolean() : false;
    const value = ber.offset < controlEnd ? readBuffer(ber, 0x04) : undefined;
    let parsed: unknown;
    try {
      parsed = controls.getControl(new BerReader(ber.buffer.subarray(start, controlEnd)));
    } catch {
      parsed = undefined;
    }
    result.push({ type, critical, value, parsed });
  }
  return result;
}
