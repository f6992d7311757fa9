import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// RFC 2849 LDIF: content records and change records, parsed strictly, written canonically.

/** Values given with '::' (base64) or ':<' (URL) are Buffers; plain values are strings. */
export type LdifValue = string | Buffer;

export interface LdifAttribute {
  type: string;
  values: LdifValue[];
}

export interface LdifChange {
  operation: 'add' | 'delete' | 'replace';
  type: string;
  values: LdifValue[];
}

/** `line` is the 1-based line of the record's 'dn:'. */
export type LdifRecord =
  | { kind: 'add'; dn: string; attributes: LdifAttribute[]; line: number }
  | { kind: 'modify'; dn: string; changes: LdifChange[]; line: number }
  | { kind: 'delete'; dn: string; line: number }
  | { kind: 'modrdn'; dn: string; newRdn: string; deleteOldRdn: boolean; newSuperior?: string; line: number };

export class LdifError extends Error {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
  constructor(file: string, line: number, reason: string) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'LdifError';
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}

/** One unfolded line and the 1-based number of its first physical line. */
interface Line {
  text: string;
  line: number;
}

/** An attrval-spec split into its description and value form. */
interface ValueSpec {
  type: string;
  form: 'text' | 'base64' | 'url';
  raw: string;
  line: number;
}

// RFC 2849 / RFC 4512 2.5: AttributeType (descr or numericoid) *(';' option).
const ATTRIBUTE_DESCRIPTION = /^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)*)(?:;[A-Za-z0-9-]+)*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseLdif(text: string, file = '<input>'): LdifRecord[] {
  const parser = new LdifParser(file);
  const records: LdifRecord[] = [];
  let first = true;
  for (const lines of splitRecords(text, file)) {
    if (first) {
      first = false;
      parser.readVersion(lines);
      if (lines.length === 0) continue;
    }
    records.push(parser.readRecord(lines));
  }
  return records;
}

export function parseLdifFile(path: string): LdifRecord[] {
  return parseLdif(readFileSync(path, 'utf8'), path);
}

/** Unfolds lines, drops comments, and yields the lines of each record (records end at blank lines). */
function* splitRecords(text: string, file: string): Generator<Line[]> {
  let record: Line[] = [];
  let current: { parts: string[]; line: number } | undefined;
  let inComment = false;
  const endLine = (): void => {
    if (current) record.push({ text: current.parts.length === 1 ? current.parts[0]! : current.parts.join(''), line: current.line });
    current = undefined;
    inComment = false;
  };
  let lineNumber = 0;
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const next = end + 1;
    if (end > start && text.charCodeAt(end - 1) === 0x0d) end--;
    const raw = text.slice(start, end);
    start = next;
    lineNumber++;
    if (raw.charCodeAt(0) === 0x20) {
      // RFC 2849 note 2: a line beginning with one space continues the previous line.
      if (current) current.parts.push(raw.slice(1));
      else if (!inComment) throw new LdifError(file, lineNumber, 'continuation line with no line to continue');
      continue;
    }
    endLine();
    if (raw === '') {
      if (record.length > 0) yield record;
      record = [];
    } else if (raw.charCodeAt(0) === 0x23) {
      inComment = true; // '#'
    } else {
      current = { parts: [raw], line: lineNumber };
    }
  }
  endLine();
  if (record.length > 0) yield record;
}

class LdifParser {
  private readonly validTypes = new Set<string>();
  constructor(private readonly file: string) {}

  fail(line: number, reason: string): never {
    throw new LdifError(this.file, line, reason);
  }

  /** Consumes a leading 'version: 1' line, if any. */
  readVersion(lines: Line[]): void {
    const first = lines[0];
    if (!first || !/^version:/i.test(first.text)) return;
    const version = first.text.slice('version:'.length).trim();
    if (version !== '1') this.fail(first.line, `unsupported LDIF version '${version}'`);
    lines.shift();
  }

  readRecord(lines: Line[]): LdifRecord {
    const head = lines[0]!;
    const dnSpec = this.split(head);
    if (dnSpec.type.toLowerCase() !== 'dn') this.fail(head.line, "expected 'dn:' at the start of a record");
    const dn = this.readString(dnSpec);
    let i = 1;
    let controls = 0;
    while (i < lines.length && this.split(lines[i]!).type.toLowerCase() === 'control') {
      i++;
      controls++; // RFC 2849 controls are accepted and ignored.
    }
    const next = lines[i];
    const spec = next && this.split(next);
    if (!spec || spec.type.toLowerCase() !== 'changetype') {
      if (controls > 0) this.fail(lines[i - 1]!.line, "expected 'changetype:' after 'control:'");
      return { kind: 'add', dn, attributes: this.readAttributes(lines, i, head.line), line: head.line };
    }
    const changetype = this.readString(spec);
    const rest = i + 1;
    switch (changetype.toLowerCase()) {
      case 'add':
        return { kind: 'add', dn, attributes: this.readAttributes(lines, rest, head.line), line: head.line };
      case 'delete':
        if (rest < lines.length) this.fail(lines[rest]!.line, "unexpected line after 'changetype: delete'");
        return { kind: 'delete', dn, line: head.line };
      case 'modify':
        return { kind: 'modify', dn, changes: this.readChanges(lines, rest), line: head.line };
      case 'modrdn':
      case 'moddn':
        return { kind: 'modrdn', dn, ...this.readModRdn(lines, rest, next!.line), line: head.line };
      default:
        return this.fail(next!.line, `unknown changetype '${changetype}'`);
    }
  }

  private readAttributes(lines: Line[], from: number, dnLine: number): LdifAttribute[] {
    if (from >= lines.length) this.fail(dnLine, 'record has no attributes');
    const attributes: LdifAttribute[] = [];
    const byType = new Map<string, LdifAttribute>();
    for (let i = from; i < lines.length; i++) {
      const spec = this.split(lines[i]!);
      const key = spec.type.toLowerCase();
      if (key === 'changetype' || key === 'control') this.fail(spec.line, `'${spec.type}:' is not allowed here`);
      let attribute = byType.get(key);
      if (!attribute) {
        attribute = { type: spec.type, values: [] };
        byType.set(key, attribute);
        attributes.push(attribute);
      }
      attribute.values.push(this.readValue(spec));
    }
    return attributes;
  }

  private readChanges(lines: Line[], from: number): LdifChange[] {
    const changes: LdifChange[] = [];
    let change: LdifChange | undefined;
    for (let i = from; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.text.trimEnd() === '-') {
        if (!change) this.fail(line.line, "'-' without a preceding 'add:', 'delete:' or 'replace:'");
        change = undefined;
        continue;
      }
      const spec = this.split(line);
      if (!change) {
        const operation = spec.type.toLowerCase();
        if (operation !== 'add' && operation !== 'delete' && operation !== 'replace') {
          this.fail(line.line, `expected 'add:', 'delete:' or 'replace:', got '${spec.type}:'`);
        }
        const type = this.readString(spec).trim();
        if (!ATTRIBUTE_DESCRIPTION.test(type)) this.fail(line.line, `attribute description '${type}' is invalid`);
        change = { operation, type, values: [] };
        changes.push(change);
      } else {
        if (spec.type.toLowerCase() !== change.type.toLowerCase()) {
          this.fail(line.line, `attribute '${spec.type}' in a '${change.operation}: ${change.type}' block; expected '-' first`);
        }
        change.values.push(this.readValue(spec));
      }
    }
    // A missing final '-' is tolerated, as ldapmodify does.
    return changes;
  }

  private readModRdn(lines: Line[], from: number, changetypeLine: number): { newRdn: string; deleteOldRdn: boolean; newSuperior?: string } {
    const specs = lines.slice(from).map((l) => this.split(l));
    const [rdnSpec, deleteSpec, superiorSpec, extra] = specs;
    if (!rdnSpec || rdnSpec.type.toLowerCase() !== 'newrdn') this.fail(rdnSpec?.line ?? changetypeLine, "expected 'newrdn:'");
    if (!deleteSpec || deleteSpec.type.toLowerCase() !== 'deleteoldrdn') this.fail(deleteSpec?.line ?? rdnSpec.line, "expected 'deleteoldrdn:'");
    const deleteOld = this.readString(deleteSpec).trim();
    if (deleteOld !== '0' && deleteOld !== '1') this.fail(deleteSpec.line, `deleteoldrdn must be 0 or 1, got '${deleteOld}'`);
    const result: { newRdn: string; deleteOldRdn: boolean; newSuperior?: string } = {
      newRdn: this.readString(rdnSpec),
      deleteOldRdn: deleteOld === '1',
    };
    if (superiorSpec) {
      if (superiorSpec.type.toLowerCase() !== 'newsuperior') this.fail(superiorSpec.line, `expected 'newsuperior:', got '${superiorSpec.type}:'`);
      result.newSuperior = this.readString(superiorSpec);
    }
    if (extra) this.fail(extra.line, `unexpected line after a modrdn change`);
    return result;
  }

  private split(line: Line): ValueSpec {
    const text = line.text;
    const colon = text.indexOf(':');
    if (colon < 0) this.fail(line.line, `expected 'attribute: value', found no ':' in '${preview(text)}'`);
    const type = text.slice(0, colon);
    if (!this.validTypes.has(type)) {
      if (!ATTRIBUTE_DESCRIPTION.test(type)) this.fail(line.line, `attribute description '${type}' is invalid`);
      if (this.validTypes.size < 10_000) this.validTypes.add(type);
    }
    const marker = text.charAt(colon + 1);
    const form = marker === ':' ? 'base64' : marker === '<' ? 'url' : 'text';
    let start = form === 'text' ? colon + 1 : colon + 2;
    while (text.charCodeAt(start) === 0x20) start++; // FILL
    return { type, form, raw: text.slice(start), line: line.line };
  }

  private readValue(spec: ValueSpec): LdifValue {
    if (spec.form === 'text') return spec.raw;
    if (spec.form === 'base64') return this.decodeBase64(spec);
    return this.readUrl(spec);
  }

  /** Values that must be text: dn, newrdn, newsuperior, changetype, deleteoldrdn, mod-spec types. */
  private readString(spec: ValueSpec): string {
    if (spec.form === 'text') return spec.raw;
    if (spec.form === 'url') this.fail(spec.line, `'${spec.type}:<' is not allowed; use '${spec.type}:' or '${spec.type}::'`);
    try {
      return utf8.decode(this.decodeBase64(spec));
    } catch (error) {
      if (error instanceof LdifError) throw error;
      return this.fail(spec.line, `base64 value of '${spec.type}' is not valid UTF-8`);
    }
  }

  private decodeBase64(spec: ValueSpec): Buffer {
    const raw = spec.raw.trimEnd();
    if (!BASE64.test(raw)) this.fail(spec.line, `invalid base64 in the value of '${spec.type}'`);
    return Buffer.from(raw, 'base64');
  }

  private readUrl(spec: ValueSpec): Buffer {
    const raw = spec.raw.trim();
    let path: string;
    try {
      const url = new URL(raw);
      if (url.protocol !== 'file:' || (url.host !== '' && url.host !== 'localhost')) throw new Error('unsupported');
      path = fileURLToPath(url);
    } catch {
      return this.fail(spec.line, `unsupported URL '${raw}': only absolute file:/// URLs are supported`);
    }
    try {
      return readFileSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      return this.fail(spec.line, `cannot read '${raw}': ${code}`);
    }
  }
}

function preview(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

export interface LdifEntry {
  dn: string;
  attributes: LdifAttribute[];
}

const FOLD_WIDTH = 76;

// RFC 2849 SAFE-STRING: ASCII without NUL/CR/LF, not starting with ' ', ':' or '<'; a trailing
// space is also base64-encoded (RFC 2849 note 8) so it survives editors.
const UNSAFE = /[^\x01-\x09\x0b\x0c\x0e-\x7f]|^[ :<]| $/;

function isSafeString(value: string): boolean {
  return !UNSAFE.test(value);
}

function pushLine(out: string[], type: string, value: LdifValue): void {
  let line: string;
  if (typeof value === 'string' && isSafeString(value)) line = value === '' ? `${type}:` : `${type}: ${value}`;
  else line = `${type}:: ${(typeof value === 'string' ? Buffer.from(value, 'utf8') : value).toString('base64')}`;
  if (line.length <= FOLD_WIDTH) {
    out.push(line);
    return;
  }
  out.push(line.slice(0, FOLD_WIDTH));
  for (let at = FOLD_WIDTH; at < line.length; at += FOLD_WIDTH - 1) out.push(' ' + line.slice(at, at + FOLD_WIDTH - 1));
}

/** One record, ending with a newline. */
export function formatLdifEntry(entry: LdifEntry): string {
  const out: string[] = [];
  pushLine(out, 'dn', entry.dn);
  for (const attribute of entry.attributes) {
    for (const value of attribute.values) pushLine(out, attribute.type, value);
  }
  out.push('');
  return out.join('\n');
}

/** Records separated by blank lines; lines folded at 76 columns. */
export function formatLdif(entries: Iterable<LdifEntry>, options: { version?: boolean } = {}): string {
  const records: string[] = options.version ? ['version: 1\n'] : [];
  for (const entry of entries) records.push(formatLdifEntry(entry));
  return records.join('\n');
}
