
// Distinguished names as AD reads and writes them: RFC 4514 strings, plus the legacy RFC 2253
// forms AD still accepts (';' separators, quoted values, 'OID.' prefixes).

export interface AttributeTypeAndValue {
  type: string;
  /** The value with all escapes resolved. */
  value: string;
}

/** One RDN; more than one AVA makes a multi-valued RDN ('CN=a+OU=b'). */
export type Rdn = AttributeTypeAndValue[];

export class InvalidDnError extends Error {
  readonly dn: string;
  readonly reason: string;
  constructor(dn: string, reason: string) {
    super(`invalid DN '${dn}': ${reason}`);
    this.name = 'InvalidDnError';
    this.dn = dn;
    this.reason = reason;
  }
}

const SPACE = 0x20;
const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const COMMA = 0x2c;
const SEMI = 0x3b;
const PLUS = 0x2b;
const EQUALS = 0x3d;
const HASH = 0x23;
const DESCR = /^[A-Za-z][A-Za-z0-9-]*$/;
const NUMERICOID = /^(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

function isSeparator(code: number): boolean {
  return code === COMMA || code === SEMI || code === PLUS;
}

/** A scanner over one DN string; each method leaves `pos` after what it read. */
class DnScanner {
  pos = 0;
  constructor(readonly dn: string) {}

  fail(reason: string): never {
    throw new InvalidDnError(this.dn, reason);
  }

  get done(): boolean {
    return this.pos >= this.dn.length;
  }

  peek(): number {
    return this.dn.charCodeAt(this.pos);
  }

  skipSpaces(): void {
    while (this.pos < this.dn.length && this.dn.charCodeAt(this.pos) === SPACE) this.pos++;
  }

  readType(): string {
    const start = this.pos;
    while (!this.done) {
      const c = this.peek();
      if (c === EQUALS || c === SPACE || isSeparator(c)) break;
      this.pos++;
    }
    let type = this.dn.slice(start, this.pos);
    if (type === '') this.fail(`missing attribute type at position ${start + 1}`);
    // RFC 2253 3: 'OID.' prefixed numeric OIDs.
    if (/^oid\./i.test(type) && NUMERICOID.test(type.slice(4))) type = type.slice(4);
    if (!DESCR.test(type) && !NUMERICOID.test(type)) this.fail(`invalid attribute type '${type}'`);
    return type;
  }

  readValue(): string {
    if (this.done) return '';
    const c = this.peek();
    if (c === HASH) return this.readHexValue();
    if (c === QUOTE) return this.readQuotedValue();
    return this.readStringValue();
  }

  // RFC 4514 2.4: '#' followed by the hex of a BER encoding; AD values are strings.
  private readHexValue(): string {
    const start = ++this.pos;
    while (!this.done && hexDigit(this.peek()) >= 0) this.pos++;
    const hex = this.dn.slice(start, this.pos);
    if (hex.length === 0 || hex.length % 2 !== 0) this.fail('bad hexstring value');
    this.skipSpaces();
    if (!this.done && !isSeparator(this.peek())) this.fail('unexpected character after hexstring value');
    return decodeBerString(Buffer.from(hex, 'hex')) ?? this.fail('hexstring value is not a BER-encoded string');
  }

  // RFC 2253 4 (legacy): "quoted" values, in which only '\' and '"' need escaping.
  private readQuotedValue(): string {
    this.pos++;
    const out = new ValueBuilder(this);
    for (;;) {
      if (this.done) this.fail('unterminated quoted value');
      const c = this.peek();
      if (c === QUOTE) break;
      if (c === BACKSLASH) this.readEscape(out);
      else out.text(this.dn[this.pos++]!);
    }
    this.pos++;
    this.skipSpaces();
    if (!this.done && !isSeparator(this.peek())) this.fail('unexpected character after quoted value');
    return out.finish();
  }

  private readStringValue(): string {
    const out = new ValueBuilder(this);
    let trailingSpaces = 0; // unescaped spaces at the end so far
    while (!this.done) {
      const c = this.peek();
      if (isSeparator(c)) break;
      if (c === BACKSLASH) {
        this.readEscape(out);
        trailingSpaces = 0;
      } else {
        const start = this.pos;
        while (!this.done && !isSeparator(this.peek()) && this.peek() !== BACKSLASH) this.pos++;
        const run = this.dn.slice(start, this.pos);
        out.text(run);
        let kept = run.length;
        while (kept > 0 && run.charCodeAt(kept - 1) === SPACE) kept--;
        trailingSpaces = kept === 0 ? trailingSpaces + run.length : run.length - kept;
      }
    }
    // RFC 4514 2.4: unescaped trailing spaces are not part of the value.
    const value = out.finish();
    return trailingSpaces === 0 ? value : value.slice(0, value.length - trailingSpaces);
  }

  private readEscape(out: ValueBuilder): void {
    this.pos++;
    if (this.done) this.fail('trailing backslash');
    const hi = hexDigit(this.peek());
    if (hi >= 0) {
      const lo = hexDigit(this.dn.charCodeAt(this.pos + 1));
      if (lo < 0) this.fail(`bad escape '\\${this.dn.slice(this.pos, this.pos + 2)}'`);
      out.byte(hi * 16 + lo);
      this.pos += 2;
      return;
    }
    const ch = this.dn[this.pos]!;
    if (!',+"\\<>;=# '.includes(ch)) this.fail(`bad escape '\\${ch}'`);
    out.text(ch);
    this.pos++;
  }
}

/** Collects a value from characters and \XX bytes; consecutive bytes are decoded as UTF-8. */
class ValueBuilder {
  private parts: string[] = [];
  private bytes: number[] = [];
  constructor(private readonly scanner: DnScanner) {}

  text(run: string): void {
    this.flush();
    this.parts.push(run);
  }

  byte(b: number): void {
    this.bytes.push(b);
  }

  finish(): string {
    this.flush();
    return this.parts.join('');
  }

  private flush(): void {
    if (this.bytes.length === 0) return;
    let text: string;
    try {
      text = utf8.decode(Uint8Array.from(this.bytes));
    } catch {
      this.scanner.fail('escaped bytes are not valid UTF-8');
    }
    this.bytes = [];
    this.parts.push(text);
  }
}

/** Decodes a primitive BER string (OCTET STRING, UTF8String, PrintableString, IA5String, ...). */
function decodeBerString(ber: Buffer): string | undefined {
  if (ber.length < 2 || ![0x04, 0x0c, 0x13, 0x14, 0x16, 0x1a].includes(ber[0]!)) return undefined;
  let length = ber[1]!;
  let offset = 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4 || ber.length < 2 + n) return undefined;
    length = ber.readUIntBE(2, n);
    offset = 2 + n;
  }
  if (offset + length !== ber.length) return undefined;
  try {
    return utf8.decode(ber.subarray(offset));
  } catch {
    return undefined;
  }
}

/** Parses an RFC 4514 DN into RDNs, most specific first. '' is the root and yields []. */
export function parseDn(dn: string): Rdn[] {
  const s = new DnScanner(dn);
  s.skipSpaces();
  if (s.done) return [];
  const rdns: Rdn[] = [];
  let rdn: Rdn = [];
  for (;;) {
    s.skipSpaces();
    const type = s.readType();
    s.skipSpaces();
    if (s.done || s.peek() !== EQUALS) s.fail(`expected '=' after '${type}'`);
    s.pos++;
    s.skipSpaces();
    rdn.push({ type, value: s.readValue() });
    if (s.done) break;
    const sep = s.peek();
    s.pos++;
    if (sep !== PLUS) {
      rdns.push(rdn);
      rdn = [];
    }
    s.skipSpaces();
    if (s.done) s.fail(sep === PLUS ? "trailing '+'" : 'trailing separator');
  }
  rdns.push(rdn);
  return rdns;
}

/** DC=contoso,DC=com -> contoso.com: the DNS name a DN's DC= components spell ('' when it has none or does not parse). */
export function dnsNameOfDn(dn: string): string {
  let rdns: Rdn[];
  try {
    rdns = parseDn(dn);
  } catch {
    return '';
  }
  return rdns.filter((rdn) => rdn.length === 1 && rdn[0]!.type.toLowerCase() === 'dc').map((rdn) => rdn[0]!.value).join('.');
}

const NEEDS_ESCAPE = /[\x00-\x1f\x7f,+"\\<>;=]|^[# ]| $/;

// AD's output escaping: RFC 4514 2.4 specials, '=' too, and control characters (the line feed of
// a tombstone name is written '\0A', Samba repl_meta_data.c replmd_make_prefix_child_dn).
export function escapeRdnValue(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  let out = '';
  const last = value.length - 1;
  for (let i = 0; i <= last; i++) {
    const ch = value[i]!;
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) out += '\\' + code.toString(16).toUpperCase().padStart(2, '0');
    else if (',+"\\<>;='.includes(ch)) out += '\\' + ch;
    else if (i === 0 && (ch === '#' || ch === ' ')) out += '\\' + ch;
    else if (i === last && ch === ' ') out += '\\ ';
    else out += ch;
  }
  return out;
}

function formatRdn(rdn: Rdn): string {
  return rdn.map((ava) => `${ava.type}=${escapeRdnValue(ava.value)}`).join('+');
}

export function formatDn(rdns: Rdn[]): string {
  return rdns.map(formatRdn).join(',');
}

// AD compares DNs case-insensitively (MS-ADTS 3.1.1.1.4 / attribute syntax String(Unicode)).
export function normalizeDn(dn: string): string {
  let key = normalized.get(dn);
  if (key === undefined) {
    key = parseDn(dn)
      .map((rdn) =>
        rdn
          .map((ava) => `${ava.type.toLowerCase()}=${escapeRdnValue(ava.value.toLowerCase())}`)
          .sort()
          .join('+'),
      )
      .join(',');
    if (normalized.size >= NORMALIZED_CACHE_SIZE) normalized.clear();
    normalized.set(dn, key);
  }
  return key;
}

/** Recently normalized DNs: the same few bases and bind names come back on every request. */
const normalized = new Map<string, string>();
const NORMALIZED_CACHE_SIZE = 20_000;

export function parentDn(dn: string): string {
  return formatDn(parseDn(dn).slice(1));
}

export function rdnOf(dn: string): string {
  const rdns = parseDn(dn);
  if (rdns.length === 0) throw new InvalidDnError(dn, 'the root DN has no RDN');
  return formatRdn(rdns[0]!);
}

export function rdnValue(dn: string): { type: string; value: string } {
  const rdns = parseDn(dn);
  if (rdns.length === 0) throw new InvalidDnError(dn, 'the root DN has no RDN');
  const { type, value } = rdns[0]![0]!;
  return { type, value };
}

/** True when `dnKey` is `baseKey` or below it; both are normalizeDn keys. */
export function isDescendantOrSelf(dnKey: string, baseKey: string): boolean {
  if (baseKey === '') return true;
  if (dnKey === baseKey) return true;
  const at = dnKey.length - baseKey.length - 1;
  if (at < 1 || dnKey.charCodeAt(at) !== COMMA || !dnKey.endsWith(baseKey)) return false;
  // The ',' must be a separator, not an escaped '\,': an even run of backslashes precedes it.
  let slashes = 0;
  for (let i = at - 1; i >= 0 && dnKey.charCodeAt(i) === BACKSLASH; i--) slashes++;
  return slashes % 2 === 0;
}

export function childDn(rdn: string, parent: string): string {
  return parent === '' ? rdn : `${rdn},${parent}`;
}

export function dnDepth(dn: string): number {
  return parseDn(dn).length;
}
