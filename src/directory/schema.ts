// The AD schema subset: loads schema/ad.schema (RFC 4512 definitions as AD serves them in
// CN=Aggregate, plus our X- extensions) and answers questions about classes and attributes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { fail, readSchemaFile } from './schemaFile.js';

export type AttributeValue = string | Buffer;

export interface AttributeType {
  oid: string;
  name: string;
  names: string[];
  /** LDAP syntax OID, e.g. '1.3.6.1.4.1.1466.115.121.1.15'. */
  syntax: string;
  singleValued: boolean;
  noUserModification: boolean;
  systemOnly: boolean;
  linkId?: number;
  indexed: boolean;
  anr: boolean;
  constructed: boolean;
  secret: boolean;
  /** Values are raw bytes (octet string, NT security descriptor; so objectGUID, objectSid). */
  binary: boolean;
  rangeLower?: number;
  rangeUpper?: number;
}

export type ObjectClassKind = 'abstract' | 'structural' | 'auxiliary';

export interface ObjectClass {
  oid: string;
  name: string;
  names: string[];
  superior?: string;
  kind: ObjectClassKind;
  /** The class's own MUST (canonical attribute names; inherited ones are not repeated). */
  must: string[];
  /** The class's own MAY (canonical attribute names). */
  may: string[];
  /** The class's own auxiliary classes (systemAuxiliaryClass + auxiliaryClass). */
  auxiliary: string[];
  /** CN of defaultObjectCategory, e.g. 'Person' for user. */
  category?: string;
  /** Effective possible superiors: own plus those inherited from superclasses. */
  possibleSuperiors: string[];
}

const DEFAULT_PATH = fileURLToPath(new URL('../../schema/ad.schema', import.meta.url));
const loaded = new Map<string, Schema>();

export class Schema {
  private readonly attributeIndex = new Map<string, AttributeType>();
  private readonly attributeLookups = new Map<string, AttributeType | undefined>();
  /** structuralClass by the set of class names: entries share a handful of sets */
  private readonly structuralLookups = new Map<string, ObjectClass | null>();
  private readonly classIndex = new Map<string, ObjectClass>();
  private readonly byLinkId = new Map<number, AttributeType>();
  private readonly attributeList: AttributeType[] = [];
  private readonly classList: ObjectClass[] = [];

  private constructor() {}

  static parse(text: string, source = 'schema'): Schema {
    const schema = new Schema();
    const lines = new Map<object, number>();
    const { attributes, classes } = readSchemaFile(text, source);
    for (const { definition, line } of attributes) {
      lines.set(definition, line);
      schema.addAttribute(definition, line, source);
    }
    for (const { definition, line } of classes) {
      lines.set(definition, line);
      schema.addClass(definition, line, source);
    }
    schema.resolve((item) => lines.get(item) ?? 0, source);
    return schema;
  }

  static load(path?: string): Schema {
    const file = resolve(path ?? DEFAULT_PATH);
    let schema = loaded.get(file);
    if (!schema) {
      schema = Schema.parse(readFileSync(file, 'utf8'), file);
      loaded.set(file, schema);
    }
    return schema;
  }

  private addAttribute(attr: AttributeType, line: number, source: string): void {
    this.attributeLookups.clear();
    for (const key of [attr.oid, ...attr.names]) {
      const k = key.toLowerCase();
      if (this.attributeIndex.has(k)) fail(source, line, `attribute "${key}" is defined twice`);
      this.attributeIndex.set(k, attr);
    }
    if (attr.linkId !== undefined) {
      if (this.byLinkId.has(attr.linkId)) fail(source, line, `linkID ${attr.linkId} is used twice`);
      this.byLinkId.set(attr.linkId, attr);
    }
    this.attributeList.push(attr);
  }

  private addClass(cls: ObjectClass, line: number, source: string): void {
    this.structuralLookups.clear();
    for (const key of [cls.oid, ...cls.names]) {
      const k = key.toLowerCase();
      if (this.classIndex.has(k)) fail(source, line, `object class "${key}" is defined twice`);
      this.classIndex.set(k, cls);
    }
    this.classList.push(cls);
  }

  /** Checks references, turns them into canonical names, and computes effective possible superiors. */
  private resolve(lineOf: (item: object) => number, source: string): void {
    for (const attr of this.attributeList) {
      // A back link needs its forward link (linkID - 1). learn.microsoft.com "Linked Attributes"
      if (attr.linkId !== undefined && attr.linkId % 2 === 1 && !this.byLinkId.has(attr.linkId - 1)) {
        fail(source, lineOf(attr), `back link ${attr.name} (linkID ${attr.linkId}) has no forward link`);
      }
    }
    const className = (cls: ObjectClass, ref: string, what: string): string => {
      const target = this.classIndex.get(ref.toLowerCase());
      if (!target) fail(source, lineOf(cls), `class ${cls.name}: unknown ${what} "${ref}"`);
      return target.name;
    };
    const attrName = (cls: ObjectClass, ref: string): string => {
      const target = this.attributeIndex.get(ref.toLowerCase());
      if (!target) fail(source, lineOf(cls), `class ${cls.name}: unknown attribute "${ref}"`);
      return target.name;
    };
    for (const cls of this.classList) {
      if (cls.superior !== undefined) cls.superior = className(cls, cls.superior, 'superclass');
      cls.must = cls.must.map((a) => attrName(cls, a));
      cls.may = cls.may.map((a) => attrName(cls, a));
      cls.auxiliary = cls.auxiliary.map((c) => className(cls, c, 'auxiliary class'));
      for (const aux of cls.auxiliary) {
        if (this.classIndex.get(aux.toLowerCase())!.kind !== 'auxiliary') {
          fail(source, lineOf(cls), `class ${cls.name}: "${aux}" in X-AUX is not an auxiliary class`);
        }
      }
      cls.possibleSuperiors = cls.possibleSuperiors.map((c) => className(cls, c, 'possible superior'));
    }
    for (const cls of this.classList) {
      const seen = new Set<ObjectClass>();
      for (let c: ObjectClass | undefined = cls; c; c = c.superior ? this.objectClass(c.superior) : undefined) {
        if (seen.has(c)) fail(source, lineOf(cls), `class ${cls.name}: superclass chain loops`);
        seen.add(c);
      }
    }
    // Possible superiors are inherited from superclasses (not from auxiliary classes).
    // learn.microsoft.com "Class Inheritance in the Active Directory Schema"; MS-ADTS 3.1.1.2.4.4
    const own = new Map(this.classList.map((c) => [c, [...c.possibleSuperiors]]));
    for (const cls of this.classList) {
      const all = new Set<string>();
      for (const c of this.classChain(cls.name)) for (const p of own.get(c) ?? []) all.add(p);
      cls.possibleSuperiors = [...all];
    }
  }

  attribute(nameOrOid: string): AttributeType | undefined {
    // Hot: every read and write asks, mostly for the same few hundred spellings.
    const hit = this.attributeLookups.get(nameOrOid);
    if (hit !== undefined || this.attributeLookups.has(nameOrOid)) return hit;
    const bare = nameOrOid.split(';', 1)[0]!.trim();
    const found = this.attributeIndex.get(bare.toLowerCase());
    if (this.attributeLookups.size < 10_000) this.attributeLookups.set(nameOrOid, found);
    return found;
  }

  objectClass(nameOrOid: string): ObjectClass | undefined {
    return this.classIndex.get(nameOrOid.trim().toLowerCase());
  }

  /** The superclass chain of a class, top first, ending with the class itself; [] if unknown. */
  classChain(name: string): ObjectClass[] {
    const chain: ObjectClass[] = [];
    for (let c = this.objectClass(name); c; c = c.superior ? this.objectClass(c.superior) : undefined) {
      chain.unshift(c);
    }
    return chain;
  }

  /** objectClass values AD stores for an entry whose most specific structural class is `name`. */
  objectClassValues(name: string): string[] {
    // AD stores the whole superclass chain; auxiliary classes are not listed. reference/ad-ldap.md 5.3
    return this.classChain(name).map((c) => c.name);
  }

  /** The most specific structural class among values; undefined if none or ambiguous. */
  structuralClass(values: readonly string[]): ObjectClass | undefined {
    const key = values.map((v) => v.toLowerCase()).join('\0');
    let found = this.structuralLookups.get(key);
    if (found === undefined) {
      found = this.findStructuralClass(values) ?? null;
      if (this.structuralLookups.size >= 1000) this.structuralLookups.clear();
      this.structuralLookups.set(key, found);
    }
    return found ?? undefined;
  }

  private findStructuralClass(values: readonly string[]): ObjectClass | undefined {
    const structural = [...new Set(values.map((v) => this.objectClass(v)))].filter(
      (c): c is ObjectClass => c !== undefined && c.kind === 'structural',
    );
    const candidates = structural.filter((c) => {
      const chain = new Set(this.classChain(c.name));
      return structural.every((other) => chain.has(other));
    });
    return candidates.length === 1 ? candidates[0] : undefined;
  }

  /**
   * MUST and MAY of a set of classes with all superclasses and their auxiliary classes
   * (recursively), as canonical attribute names. An attribute in `must` is not repeated in `may`.
   * Unknown class names are ignored.
   */
  allowedAttributes(classNames: string[]): { must: Set<string>; may: Set<string> } {
    const must = new Set<string>();
    const may = new Set<string>();
    const classes = this.withAuxiliaries(classNames);
    for (const c of classes) for (const a of c.must) must.add(a);
    for (const c of classes) for (const a of c.may) if (!must.has(a)) may.add(a);
    return { must, may };
  }

  /** For a forward link, its back link and vice versa (by linkId). */
  linkPartner(attr: AttributeType): AttributeType | undefined {
    if (attr.linkId === undefined) return undefined;
    // Forward links are even, the back link is forward + 1. MS-ADA1 2.361 linkID
    return this.byLinkId.get(attr.linkId % 2 === 0 ? attr.linkId + 1 : attr.linkId - 1);
  }

  attributes(): AttributeType[] {
    return [...this.attributeList];
  }

  objectClasses(): ObjectClass[] {
    return [...this.classList];
  }

  /** attributeTypes values as AD serves them in CN=Aggregate. */
  subschemaAttributeTypes(): string[] {
    // Samba source4/dsdb/schema/schema_description.c schema_attribute_to_description (AD's form)
    return this.attributeList.map((a) => {
      let s = `( ${a.oid} NAME ${quotedNames(a.names)} SYNTAX '${a.syntax}' `;
      if (a.singleValued) s += 'SINGLE-VALUE ';
      if (a.noUserModification) s += 'NO-USER-MODIFICATION ';
      return s + ')';
    });
  }

  /** objectClasses values as AD serves them in CN=Aggregate. */
  subschemaObjectClasses(): string[] {
    // Samba source4/dsdb/schema/schema_description.c schema_class_description, TARGET_AD_SCHEMA_SUBENTRY
    return this.classList.map((c) => {
      let s = `( ${c.oid} NAME ${quotedNames(c.names)} `;
      if (c.superior) s += `SUP ${c.superior} `;
      s += `${c.kind.toUpperCase()} `;
      if (c.must.length > 0) s += `MUST (${c.must.join(' $ ')} ) `;
      if (c.may.length > 0) s += `MAY (${c.may.join(' $ ')} ) `;
      return s + ')';
    });
  }

  /** The classes named, their superclasses, and (recursively) their auxiliary classes' chains. */
  private withAuxiliaries(classNames: string[]): ObjectClass[] {
    const seen = new Set<ObjectClass>();
    const visit = (name: string): void => {
      for (const c of this.classChain(name)) {
        if (seen.has(c)) continue;
        seen.add(c);
        for (const aux of c.auxiliary) visit(aux);
      }
    };
    for (const name of classNames) visit(name);
    return [...seen];
  }
}

function quotedNames(names: string[]): string {
  return names.length === 1 ? `'${names[0]}'` : `( ${names.map((n) => `'${n}'`).join(' ')} )`;
}

