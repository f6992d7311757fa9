// The alternative forms in which a request may name an object instead of by its DN.
import { guidFromString, guidToString, sidFromString, sidToString } from './binary.js';
import { InvalidDnError, parseDn } from './dn.js';

export type AlternativeDn =
  | { kind: 'dn'; dn: string }
  | { kind: 'guid'; guid: string /* dashed lower-case */ }
  | { kind: 'sid'; sid: string /* S-1-... */ }
  | { kind: 'wkguid'; wkguid: string /* 32 upper-case hex */; dn: string };

const COMPONENT = /^<([A-Za-z]+)=([^>]*)>/;

/** A DN as a client may name an object: a plain DN, <GUID=...>, <SID=...> or <WKGUID=guid,NC DN>. */
// MS-ADTS 3.1.1.3.1.2.4 alternative forms of DNs; Samba extended_dn_in.c.
export function parseAlternativeDn(input: string): AlternativeDn {
  const text = input.trim();
  if (!text.startsWith('<')) {
    parseDn(text);
    return { kind: 'dn', dn: text };
  }
  let rest = text;
  let guid: string | undefined;
  let sid: string | undefined;
  while (rest.startsWith('<')) {
    const m = COMPONENT.exec(rest);
    if (!m) throw new InvalidDnError(input, 'malformed extended DN component');
    const key = m[1]!.toUpperCase();
    const value = m[2]!.trim();
    if (key === 'WKGUID') {
      if (m[0].length !== rest.length) throw new InvalidDnError(input, 'unexpected text after <WKGUID=...>');
      return parseWkguid(input, value);
    }
    if (key === 'GUID') guid = extendedGuid(input, value);
    else if (key === 'SID') sid = extendedSid(input, value);
    else throw new InvalidDnError(input, `unknown extended DN component '${m[1]}'`);
    rest = rest.slice(m[0].length).trimStart();
    if (rest.startsWith(';')) rest = rest.slice(1).trimStart();
    else if (rest !== '') throw new InvalidDnError(input, "expected ';' after an extended DN component");
  }
  if (rest !== '') {
    parseDn(rest);
    return { kind: 'dn', dn: rest };
  }
  if (guid !== undefined) return { kind: 'guid', guid };
  if (sid !== undefined) return { kind: 'sid', sid };
  throw new InvalidDnError(input, 'empty extended DN');
}

function parseWkguid(input: string, value: string): AlternativeDn {
  const comma = value.indexOf(',');
  const wkguid = comma < 0 ? value : value.slice(0, comma).trim();
  if (!/^[0-9a-f]{32}$/i.test(wkguid)) throw new InvalidDnError(input, `bad well-known GUID '${wkguid}'`);
  const dn = comma < 0 ? '' : value.slice(comma + 1).trim();
  if (dn === '') throw new InvalidDnError(input, '<WKGUID=...> needs the DN of a naming context');
  parseDn(dn);
  return { kind: 'wkguid', wkguid: wkguid.toUpperCase(), dn };
}

function extendedGuid(input: string, value: string): string {
  try {
    return guidToString(guidFromString(value));
  } catch {
    throw new InvalidDnError(input, `bad GUID '${value}'`);
  }
}

function extendedSid(input: string, value: string): string {
  try {
    if (/^S-/i.test(value)) return sidToString(sidFromString(value));
    if (!/^(?:[0-9a-f]{2})+$/i.test(value)) throw new Error('not hex');
    return sidToString(Buffer.from(value, 'hex'));
  } catch {
    throw new InvalidDnError(input, `bad SID '${value}'`);
  }
}
