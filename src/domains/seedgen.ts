// A deterministic generator of realistic users and groups, as LDIF add records, for scale tests
// and for seed/contoso-bulk.ldif. Same options (and seed) give the same text, byte for byte.

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODENAMES, DEPARTMENTS, FIRST_NAMES, GROUP_KINDS, LAST_NAMES, OFFICES } from './names.js';

export interface EstateOptions {
  users: number;
  /** default: floor(users / 10) */
  groups?: number;
  /** e.g. DC=contoso,DC=com */
  baseDn: string;
  /** the OU everything goes into; default 'OU=Generated,' + baseDn. It is created (first
   *  record); its parent must already exist. */
  ou?: string;
  /** e.g. contoso.com */
  upnSuffix: string;
  /** PRNG seed, default 1 */
  seed?: number;
  /** when set, each user gets unicodePwd and userAccountControl 512; otherwise users carry
   *  neither and the server creates them disabled (546) */
  password?: string;
  /** if set, a global security group with this cn holding every generated user */
  groupOfAll?: string;
  /** names already taken in the domain (sAMAccountNames, mailNicknames, UPN and mail local
   *  parts; case-insensitive): generated users and groups avoid them */
  reserved?: Iterable<string>;
}

// groupType values, MS-ADTS 2.2.12
const GROUP_GLOBAL_SECURITY = -2147483646;
const GROUP_UNIVERSAL_SECURITY = -2147483640;
const GROUP_UNIVERSAL_DISTRIBUTION = 8;

const UF_NORMAL_ACCOUNT = 512;
const SAM_ACCOUNT_NAME_MAX = 20; // MS-SAMR: user sAMAccountName is at most 20 characters

/** mulberry32: a small, fast 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** integer in [min, max] */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** k distinct integers from [0, n), in ascending order */
  sample(n: number, k: number): number[] {
    const count = Math.min(n, k);
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(Math.floor(this.next() * n));
    return [...chosen].sort((x, y) => x - y);
  }
}

// RFC 2849 SAFE-STRING: ASCII without NUL, LF, CR; not starting with space, ':' or '<'; we also
// base64 a value that ends with a space, as ldif writers do.
function isSafeString(value: string): boolean {
  if (value === '') return true;
  if (/^[ :<]/.test(value) || value.endsWith(' ')) return false;
  return /^[\x01-\x09\x0b\x0c\x0e-\x7f]*$/.test(value);
}

function line(attr: string, value: string): string {
  return isSafeString(value) ? `${attr}: ${value}` : `${attr}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

// RFC 4514 section 2.4
function escapeRdnValue(value: string): string {
  let out = value.replace(/[\\,+"<>;=]/g, (ch) => `\\${ch}`);
  if (out.startsWith(' ') || out.startsWith('#')) out = `\\${out}`;
  if (out.endsWith(' ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

const FOLD: Record<string, string> = { ø: 'o', æ: 'ae', œ: 'oe', ß: 'ss', ł: 'l', đ: 'd', þ: 'th' };

/** Lower-case ASCII letters and digits only: 'Søndergaard' -> 'sondergaard', "O'Brien" -> 'obrien'. */
function asciiFold(name: string): string {
  return name
    .toLowerCase()
    .replace(/[øæœßłđþ]/g, (ch) => FOLD[ch] ?? '')
    .normalize('NFD')
    .replace(/[^a-z0-9]/g, '');
}

/** unicodePwd as AD takes it: UTF-16LE of the password in double quotes (MS-ADTS 3.1.1.3.1.5.1). */
export function unicodePwdBase64(password: string): string {
  return Buffer.from(`"${password}"`, 'utf16le').toString('base64');
}

function rdnValue(dn: string): string {
  const m = /^[^=]+=((?:\\.|[^,])*)/.exec(dn);
  return m ? (m[1] ?? dn) : dn;
}

function companyOf(baseDn: string): string {
  const dc = /DC=([^,]+)/i.exec(baseDn)?.[1] ?? 'Contoso';
  return dc.charAt(0).toUpperCase() + dc.slice(1);
}

/** Hands out names unique (case-insensitively) against everything taken so far. */
class NamePool {
  private readonly taken = new Set<string>();
  private readonly nextSuffix = new Map<string, number>();
  constructor(reserved: Iterable<string> = []) {
    for (const r of reserved) this.taken.add(r.toLowerCase());
  }
  /** base, or base + separator + n (n = 2, 3, ...), truncated so the whole stays within maxLength */
  claim(base: string, maxLength = Infinity, separator = ''): string {
    const key = base.toLowerCase();
    if (base.length <= maxLength && !this.taken.has(key)) {
      this.taken.add(key);
      return base;
    }
    let n = this.nextSuffix.get(key) ?? 2;
    for (;;) {
      const suffix = separator + String(n);
      const candidate = base.slice(0, Math.max(1, maxLength - suffix.length)) + suffix;
      n++;
      if (!this.taken.has(candidate.toLowerCase())) {
        this.nextSuffix.set(key, n);
        this.taken.add(candidate.toLowerCase());
        return candidate;
      }
    }
  }
}

/**
 * Yields LDIF add records, one string per record (no trailing blank line): the OU, then the
 * users (a manager always precedes the users who report to them), then the groups (a nested
 * group always precedes the groups holding it), then the group of all users. Streams: 100,000
 * users never become one string.
 */
export function* generateEstate(options: EstateOptions): Generator<string> {
  const userCount = Math.max(0, Math.floor(options.users));
  const groupCount = Math.max(0, Math.floor(options.groups ?? userCount / 10));
  const ou = options.ou ?? `OU=Generated,${options.baseDn}`;
  const suffix = options.upnSuffix;
  const company = companyOf(options.baseDn);
  const rng = new Random(options.seed ?? 1);
  const reserved = [...(options.reserved ?? seededNames())];
  const sams = new NamePool(reserved); // sAMAccountName: one namespace for users and groups
  const aliases = new NamePool(reserved); // mailNickname / mail / UPN local parts
  const cns = new NamePool(); // cn: unique within the OU
  const pwd = options.password === undefined ? undefined : unicodePwdBase64(options.password);

  yield [
    line('dn', ou),
    'objectClass: top',
    'objectClass: organizationalUnit',
    line('ou', rdnValue(ou)),
    line('description', `Generated estate: ${userCount} users, ${groupCount} groups (seed ${options.seed ?? 1})`),
  ].join('\n');

  const userDns: string[] = [];
  for (let i = 0; i < userCount; i++) {
    const givenName = rng.pick(FIRST_NAMES);
    const sn = rng.pick(LAST_NAMES);
    const dept = rng.pick(DEPARTMENTS);
    const office = rng.pick(OFFICES);
    const title = rng.pick(dept.titles);
    const first = asciiFold(givenName) || 'user';
    const last = asciiFold(sn) || 'user';

    const cn = cns.claim(`${givenName} ${sn}`, Infinity, ' ');
    const sam = sams.claim(`${first.charAt(0)}${last}`, SAM_ACCOUNT_NAME_MAX);
    aliases.claim(sam); // the UPN prefix is the sAMAccountName; keep aliases off it
    const nick = aliases.claim(`${first}.${last}`);
    const dn = `CN=${escapeRdnValue(cn)},${ou}`;

    const lines = [
      ...(options.password === undefined ? [] : [`# password: ${options.password}`]),
      line('dn', dn),
      'objectClass: top',
      'objectClass: person',
      'objectClass: organizationalPerson',
      'objectClass: user',
      line('cn', cn),
      line('givenName', givenName),
      line('sn', sn),
      line('displayName', `${givenName} ${sn}`),
      line('sAMAccountName', sam),
      line('userPrincipalName', `${sam}@${suffix}`),
      line('mail', `${nick}@${suffix}`),
      line('mailNickname', nick),
      line('proxyAddresses', `SMTP:${nick}@${suffix}`),
      line('title', title),
      line('department', dept.name),
      line('company', company),
      line('physicalDeliveryOfficeName', office.office),
      line('l', office.l),
      line('st', office.st),
      line('c', office.c),
      line('co', office.co),
      `countryCode: ${office.countryCode}`,
      line('telephoneNumber', `${office.phone}${String(rng.int(0, 9999)).padStart(4, '0')}`),
      line('employeeID', String(500000 + i)),
    ];
    // a manager from the first tenth of the earlier users: a shallow, wide org chart
    if (i > 0 && rng.chance(0.85)) {
      lines.push(line('manager', userDns[rng.int(0, Math.max(0, Math.floor(i / 10) - 1))] as string));
    }
    if (pwd !== undefined) {
      lines.push(`unicodePwd:: ${pwd}`, `userAccountControl: ${UF_NORMAL_ACCOUNT}`);
    }
    userDns.push(dn);
    yield lines.join('\n');
  }

  const groupDns: string[] = [];
  for (let g = 0; g < groupCount; g++) {
    const dept = rng.pick(DEPARTMENTS);
    const kind = rng.pick(GROUP_KINDS);
    const base = kind === 'Project' ? `${dept.name} Project ${rng.pick(CODENAMES)}` : `${dept.name} ${kind}`;
    const cn = cns.claim(base, Infinity, ' ');
    const sam = sams.claim(cn);
    const dn = `CN=${escapeRdnValue(cn)},${ou}`;
    const roll = rng.float();
    const groupType = roll < 0.7 ? GROUP_GLOBAL_SECURITY : roll < 0.85 ? GROUP_UNIVERSAL_SECURITY : GROUP_UNIVERSAL_DISTRIBUTION;

    const lines = [
      line('dn', dn),
      'objectClass: top',
      'objectClass: group',
      line('cn', cn),
      line('sAMAccountName', sam),
      `groupType: ${groupType}`,
      line('description', kind === 'Project' ? `Members of ${cn}` : `${dept.name} ${kind.toLowerCase()}`),
    ];
    if (groupType === GROUP_UNIVERSAL_DISTRIBUTION) {
      const nick = aliases.claim(cn.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || `group${g}`);
      lines.push(line('mail', `${nick}@${suffix}`), line('mailNickname', nick), line('proxyAddresses', `SMTP:${nick}@${suffix}`));
    }
    if (userCount > 0 && rng.chance(0.4)) {
      lines.push(line('managedBy', userDns[rng.int(0, userCount - 1)] as string));
    }
    if (userCount > 0) {
      for (const m of rng.sample(userCount, rng.int(5, 50))) lines.push(line('member', userDns[m] as string));
    }
    if (g > 0 && rng.chance(0.2)) {
      for (const m of rng.sample(g, rng.int(1, 2))) lines.push(line('member', groupDns[m] as string));
    }
    groupDns.push(dn);
    yield lines.join('\n');
  }

  if (options.groupOfAll !== undefined) {
    const cn = cns.claim(options.groupOfAll, Infinity, ' ');
    const lines = [
      line('dn', `CN=${escapeRdnValue(cn)},${ou}`),
      'objectClass: top',
      'objectClass: group',
      line('cn', cn),
      line('sAMAccountName', sams.claim(cn)),
      `groupType: ${GROUP_GLOBAL_SECURITY}`,
      line('description', `All ${userCount} users in ${rdnValue(ou)}`),
    ];
    for (const dn of userDns) lines.push(line('member', dn));
    yield lines.join('\n');
  }
}

/** The whole estate as one LDIF document: 'version: 1', then the records, blank-line separated. */
export function generateEstateLdif(options: EstateOptions): string {
  const parts = ['version: 1'];
  for (const record of generateEstate(options)) parts.push(record);
  return `${parts.join('\n\n')}\n`;
}

/**
 * The account names and aliases the committed seed already uses, so that generated estates
 * imported next to it never collide (the default for `reserved`).
 */
export function seededNames(): string[] {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'seed');
  const names = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ldif'))) {
    for (const m of readFileSync(join(dir, file), 'utf8').matchAll(/^(?:sAMAccountName|mailNickname|userPrincipalName|mail|cn): ([^@\r\n]+)/gim)) names.add(m[1]!.trim());
  }
  return [...names];
}
