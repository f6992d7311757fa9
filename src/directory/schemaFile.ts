// Reads a schema file's text (schema/ad.schema): RFC 4512 attributeTypes and objectClasses
// definitions, continuation lines unfolded, plus our X- extensions (AD's searchFlags, linkID,
// systemOnly, ranges, auxiliary classes and possible superiors). Any error names file and line.
import type { AttributeType, ObjectClass, ObjectClassKind } from './schema.js';

const BINARY_SYNTAXES = new Set([
  '1.3.6.1.4.1.1466.115.121.1.40', // Octet String (also String(Sid), so objectSid, objectGUID)
  '1.2.840.113556.1.4.907', // String(NT-Sec-Desc)
]);

type Token = { kind: 'open' | 'close' | 'dollar' | 'word' | 'quoted'; text: string };

interface Definition {
  keyword: 'attributeTypes' | 'objectClasses';
  body: string;
  line: number;
}

class SchemaSyntaxError extends Error {}

/** A schema file error: file, line and reason. */
export function fail(source: string, line: number, reason: string): never {
  throw new SchemaSyntaxError(`${source}:${line}: ${reason}`);
}

/** Splits the file into definitions, unfolding continuation lines (joined with one space). */
function definitions(text: string, source: string): Definition[] {
  const defs: Definition[] = [];
  let current: Definition | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.startsWith('#')) return;
    if (/^[ \t]/.test(raw)) {
      if (raw.trim() === '') return;
      if (!current) fail(source, line, 'continuation line without a definition before it');
      current.body += ' ' + raw.trim();
      return;
    }
    if (raw.trim() === '') {
      current = undefined;
      return;
    }
    const m = /^(attributeTypes|objectClasses)\s*:\s*(.*)$/i.exec(raw);
    if (!m) fail(source, line, `expected "attributeTypes:" or "objectClasses:", got "${raw.slice(0, 40)}"`);
    const keyword = m[1]!.toLowerCase() === 'attributetypes' ? 'attributeTypes' : 'objectClasses';
    current = { keyword, body: m[2]!, line };
    defs.push(current);
  });
  return defs;
}

function tokenize(def: Definition, source: string): Token[] {
  const tokens: Token[] = [];
  const s = def.body;
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t') i++;
    else if (c === '(') (tokens.push({ kind: 'open', text: c }), i++);
    else if (c === ')') (tokens.push({ kind: 'close', text: c }), i++);
    else if (c === '$') (tokens.push({ kind: 'dollar', text: c }), i++);
    else if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) fail(source, def.line, 'unterminated quoted string');
      tokens.push({ kind: 'quoted', text: s.slice(i + 1, end) });
      i = end + 1;
    } else {
      let j = i;
      while (j < s.length && !" \t()$'".includes(s[j]!)) j++;
      tokens.push({ kind: 'word', text: s.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

/** A definition as keyword -> values (each a list of strings); flags have an empty list. */
interface RawDefinition {
  oid: string;
  fields: Map<string, string[]>;
  line: number;
}

const FLAG_KEYWORDS = new Set([
  'SINGLE-VALUE', 'NO-USER-MODIFICATION', 'OBSOLETE', 'COLLECTIVE', 'ABSTRACT', 'STRUCTURAL', 'AUXILIARY',
]);

function parseDefinition(def: Definition, source: string): RawDefinition {
  const tokens = tokenize(def, source);
  let pos = 0;
  const next = (): Token | undefined => tokens[pos++];
  const expect = (kind: Token['kind'], what: string): Token => {
    const t = next();
    if (!t || t.kind !== kind) fail(source, def.line, `expected ${what}, got ${t ? `"${t.text}"` : 'end of definition'}`);
    return t;
  };
  // A value: a word, a quoted string, or a parenthesised list of them separated by '$' or spaces.
  const value = (keyword: string): string[] => {
    const t = next();
    if (!t) fail(source, def.line, `${keyword} needs a value`);
    if (t.kind === 'word' || t.kind === 'quoted') return [t.text];
    if (t.kind !== 'open') fail(source, def.line, `${keyword} needs a value, got "${t.text}"`);
    const list: string[] = [];
    for (;;) {
      const u = next();
      if (!u) fail(source, def.line, `unclosed list after ${keyword}`);
      if (u.kind === 'close') return list;
      if (u.kind === 'word' || u.kind === 'quoted') list.push(u.text);
      else if (u.kind !== 'dollar') fail(source, def.line, `unexpected "${u.text}" in list after ${keyword}`);
    }
  };

  expect('open', "'('");
  const oid = expect('word', 'a numeric OID').text;
  if (!/^\d+(\.\d+)+$/.test(oid)) fail(source, def.line, `"${oid}" is not a numeric OID`);
  const fields = new Map<string, string[]>();
  for (;;) {
    const t = next();
    if (!t) fail(source, def.line, "missing closing ')'");
    if (t.kind === 'close') break;
    if (t.kind !== 'word') fail(source, def.line, `expected a keyword, got "${t.text}"`);
    const keyword = t.text.toUpperCase();
    if (fields.has(keyword)) fail(source, def.line, `${keyword} given twice`);
    fields.set(keyword, FLAG_KEYWORDS.has(keyword) ? [] : value(keyword));
  }
  if (pos < tokens.length) fail(source, def.line, `text after the closing ')': "${tokens[pos]!.text}"`);
  return { oid, fields, line: def.line };
}

function single(raw: RawDefinition, keyword: string, source: string): string | undefined {
  const v = raw.fields.get(keyword);
  if (v === undefined) return undefined;
  if (v.length !== 1) fail(source, raw.line, `${keyword} takes one value`);
  return v[0];
}

function numberField(raw: RawDefinition, keyword: string, source: string): number | undefined {
  const v = single(raw, keyword, source);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) fail(source, raw.line, `${keyword} must be an integer, got "${v}"`);
  return Number(v);
}

function flagField(raw: RawDefinition, keyword: string, source: string): boolean {
  const v = single(raw, keyword, source);
  if (v === undefined) return false;
  if (v.toUpperCase() !== 'TRUE' && v.toUpperCase() !== 'FALSE') {
    fail(source, raw.line, `${keyword} must be 'TRUE' or 'FALSE'`);
  }
  return v.toUpperCase() === 'TRUE';
}

function namesOf(raw: RawDefinition, source: string): string[] {
  const names = raw.fields.get('NAME');
  if (!names || names.length === 0) fail(source, raw.line, `${raw.oid} has no NAME`);
  for (const n of names) {
    if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(n)) fail(source, raw.line, `"${n}" is not a valid NAME`);
  }
  return names;
}

function toAttributeType(raw: RawDefinition, source: string): AttributeType {
  const names = namesOf(raw, source);
  const syntaxField = single(raw, 'SYNTAX', source);
  if (!syntaxField) fail(source, raw.line, `attribute ${names[0]} has no SYNTAX`);
  const syntax = syntaxField.replace(/\{\d+\}$/, '');
  if (!/^\d+(\.\d+)+$/.test(syntax)) fail(source, raw.line, `"${syntaxField}" is not a syntax OID`);
  const attr: AttributeType = {
    oid: raw.oid,
    name: names[0]!,
    names,
    syntax,
    singleValued: raw.fields.has('SINGLE-VALUE'),
    noUserModification: raw.fields.has('NO-USER-MODIFICATION'),
    systemOnly: flagField(raw, 'X-SYSTEM-ONLY', source),
    indexed: flagField(raw, 'X-INDEXED', source),
    anr: flagField(raw, 'X-ANR', source),
    constructed: flagField(raw, 'X-CONSTRUCTED', source),
    secret: flagField(raw, 'X-SECRET', source),
    binary: BINARY_SYNTAXES.has(syntax),
  };
  const linkId = numberField(raw, 'X-LINK-ID', source);
  if (linkId !== undefined) attr.linkId = linkId;
  const rangeLower = numberField(raw, 'X-RANGE-LOWER', source);
  if (rangeLower !== undefined) attr.rangeLower = rangeLower;
  const rangeUpper = numberField(raw, 'X-RANGE-UPPER', source);
  if (rangeUpper !== undefined) attr.rangeUpper = rangeUpper;
  return attr;
}

function toObjectClass(raw: RawDefinition, source: string): ObjectClass {
  const names = namesOf(raw, source);
  const kinds = (['ABSTRACT', 'STRUCTURAL', 'AUXILIARY'] as const).filter((k) => raw.fields.has(k));
  if (kinds.length > 1) fail(source, raw.line, `class ${names[0]} has more than one kind`);
  const kind: ObjectClassKind = kinds[0] === 'ABSTRACT' ? 'abstract' : kinds[0] === 'AUXILIARY' ? 'auxiliary' : 'structural';
  const sup = raw.fields.get('SUP');
  if (sup && sup.length > 1) fail(source, raw.line, `class ${names[0]} has more than one SUP; AD allows one`);
  const cls: ObjectClass = {
    oid: raw.oid,
    name: names[0]!,
    names,
    kind,
    must: raw.fields.get('MUST') ?? [],
    may: raw.fields.get('MAY') ?? [],
    auxiliary: raw.fields.get('X-AUX') ?? [],
    possibleSuperiors: raw.fields.get('X-POSS-SUPERIORS') ?? [],
  };
  if (sup?.[0] && sup[0].toLowerCase() !== cls.name.toLowerCase()) cls.superior = sup[0];
  const category = single(raw, 'X-CATEGORY', source);
  if (category !== undefined) cls.category = category;
  return cls;
}

/** A definition read from the file, with the line it starts on. */
export interface Defined<T> {
  definition: T;
  line: number;
}

/** Every attribute type and object class the file defines, in file order; names are resolved by the Schema. */
export function readSchemaFile(text: string, source: string): { attributes: Defined<AttributeType>[]; classes: Defined<ObjectClass>[] } {
  const attributes: Defined<AttributeType>[] = [];
  const classes: Defined<ObjectClass>[] = [];
  for (const def of definitions(text, source)) {
    const raw = parseDefinition(def, source);
    if (def.keyword === 'attributeTypes') attributes.push({ definition: toAttributeType(raw, source), line: raw.line });
    else classes.push({ definition: toObjectClass(raw, source), line: raw.line });
  }
  return { attributes, classes };
}
