import asn1 from '@ldapjs/asn1';
import type { AttributeValue } from '../../directory/schema.js';

const { BerWriter } = asn1;
type BerWriter = InstanceType<typeof asn1.BerWriter>;

/** RFC 4511 protocolOp tags of the responses. */
export const ResponseTag = {
  bind: 0x61,
  searchEntry: 0x64,
  searchDone: 0x65,
  modify: 0x67,
  add: 0x69,
  delete: 0x6b,
  modifyDn: 0x6d,
  compare: 0x6f,
  searchReference: 0x73,
  extended: 0x78,
  intermediate: 0x79,
} as const;

export interface ResponseControl {
  type: string;
  critical?: boolean;
  value?: Buffer;
}

export interface LdapResult {
  resultCode: number;
  matchedDN?: string;
  diagnosticMessage?: string;
  referrals?: string[];
}

/**
 * Response encoding. Search entries are written straight to BER rather than through
 * @ldapjs/messages' SearchResultEntry: AD's range retrieval needs an attribute with an empty
 * value set, which that class refuses, and this is the hottest path of the server.
 */
export function encodeResult(messageId: number, tag: number, result: LdapResult, extra?: (w: BerWriter) => void, controls?: ResponseControl[]): Buffer {
  const w = new BerWriter();
  w.startSequence(0x30);
  w.writeInt(messageId);
  w.startSequence(tag);
  w.writeEnumeration(result.resultCode);
  w.writeString(result.matchedDN ?? '');
  w.writeString(result.diagnosticMessage ?? '');
  if (result.referrals?.length) {
    w.startSequence(0xa3);
    for (const url of result.referrals) w.writeString(url);
    w.endSequence();
  }
  extra?.(w);
  w.endSequence();
  writeControls(w, controls);
  w.endSequence();
  return w.buffer;
}

export function encodeExtendedResponse(messageId: number, result: LdapResult, name?: string, value?: Buffer): Buffer {
  return encodeResult(messageId, ResponseTag.extended, result, (w) => {
    if (name !== undefined) w.writeString(name, 0x8a);
    if (value !== undefined) w.writeBuffer(value, 0x8b);
  });
}

export interface EncodedAttribute {
  type: string;
  values: readonly AttributeValue[];
}

export function encodeSearchEntry(messageId: number, dn: string, attributes: readonly EncodedAttribute[], typesOnly = false, controls?: ResponseControl[]): Buffer {
  const w = new BerWriter({ size: 256 + attributes.length * 64 });
  w.startSequence(0x30);
  w.writeInt(messageId);
  w.startSequence(ResponseTag.searchEntry);
  w.writeString(dn);
  w.startSequence(0x30);
  for (const attr of attributes) {
    w.startSequence(0x30);
    w.writeString(attr.type);
    w.startSequence(0x31);
    if (!typesOnly) {
      for (const value of attr.values) {
        if (typeof value === 'string') w.writeString(value);
        else w.writeBuffer(value, 0x04);
      }
    }
    w.endSequence();
    w.endSequence();
  }
  w.endSequence();
  w.endSequence();
  writeControls(w, controls);
  w.endSequence();
  return w.buffer;
}

export function encodeSearchReference(messageId: number, urls: readonly string[]): Buffer {
  const w = new BerWriter();
  w.startSequence(0x30);
  w.writeInt(messageId);
  w.startSequence(ResponseTag.searchReference);
  for (const url of urls) w.writeString(url);
  w.endSequence();
  w.endSequence();
  return w.buffer;
}

/** RFC 4511 4.4.1 Notice of Disconnection: an unsolicited extended response, message ID 0. */
export function encodeNoticeOfDisconnection(result: LdapResult): Buffer {
  return encodeExtendedResponse(0, result, '1.3.6.1.4.1.1466.20036');
}

function writeControls(w: BerWriter, controls?: ResponseControl[]): void {
  if (!controls?.length) return;
  w.startSequence(0xa0);
  for (const control of controls) {
    w.startSequence(0x30);
    w.writeString(control.type);
    if (control.critical) w.writeBoolean(true);
    if (control.value) w.writeBuffer(control.value, 0x04);
    w.endSequence();
  }
  w.endSequence();
}
