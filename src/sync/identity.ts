import { createHash } from 'node:crypto';

/** A stable UUID from a name (SHA-256, RFC 4122 version and variant bits set). */
export function uuidFrom(name: string): string {
  const b = createHash('sha256').update(name).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** objectIds worked out lately: a group's members and a user's manager are asked for again and again. */
const recent = new Map<string, string>();
const RECENT_LIMIT = 65_536;

/**
 * The Entra objectId of the identity a connector-space object projects. Entra's are random; ours
 * are derived from the anchor, so a rebuilt agent state gives every identity the same ID.
 */
export function objectIdFor(connector: string, guid: string): string {
  const name = `${connector}|${guid}`;
  let id = recent.get(name);
  if (id === undefined) {
    if (recent.size >= RECENT_LIMIT) recent.clear();
    id = uuidFrom(name);
    recent.set(name, id);
  }
  return id;
}
