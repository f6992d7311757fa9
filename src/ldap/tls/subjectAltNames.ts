/** Subject alternative names, normalized as 'DNS:<lowercase>' / 'IP:<hex bytes>' so that wanted and stored compare. */
import { isIP } from 'node:net';
import forge from 'node-forge';

export function wantedSans(dnsNames: string[], ipAddresses: string[]): string[] {
  const sans = new Set<string>();
  for (const name of dnsNames) {
    const trimmed = name.trim().toLowerCase();
    if (trimmed) sans.add(`DNS:${trimmed}`);
  }
  for (const ip of ipAddresses) {
    const hex = ipToHex(ip.trim());
    if (hex === null) throw new Error(`Not an IP address for the TLS certificate: '${ip}'`);
    sans.add(`IP:${hex}`);
  }
  if (sans.size === 0) throw new Error('A TLS certificate needs at least one DNS name or IP address');
  return [...sans].sort();
}

export function storedSans(cert: forge.pki.Certificate): string[] {
  const ext = cert.getExtension('subjectAltName') as { altNames?: unknown } | undefined;
  if (!ext || !Array.isArray(ext.altNames)) return [];
  const sans = new Set<string>();
  for (const entry of ext.altNames as Array<{ type?: unknown; value?: unknown }>) {
    if (typeof entry.value !== 'string') continue;
    if (entry.type === 2) sans.add(`DNS:${entry.value.toLowerCase()}`);
    else if (entry.type === 7) sans.add(`IP:${forge.util.bytesToHex(entry.value)}`);
    else sans.add(`other:${entry.type}:${entry.value}`);
  }
  return [...sans].sort();
}

export function sanToAltName(san: string): { type: number; value: string } {
  if (san.startsWith('DNS:')) return { type: 2, value: san.slice(4) };
  return { type: 7, value: forge.util.hexToBytes(san.slice(3)) };
}

/** Canonical hex of an IPv4 (4 bytes) or IPv6 (16 bytes) address, or null. */
function ipToHex(ip: string): string | null {
  const version = isIP(ip);
  if (version === 4) return ip.split('.').map((p) => Number(p).toString(16).padStart(2, '0')).join('');
  if (version !== 6) return null;
  let text = ip.split('%')[0] ?? ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const hex = ipToHex(v4[1]) ?? '';
    text = `${text.slice(0, -v4[1].length)}${hex.slice(0, 4)}:${hex.slice(4)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...fill, ...tailGroups].map((g) => g.padStart(4, '0').toLowerCase()).join('');
}
