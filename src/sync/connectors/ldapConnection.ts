import { readFileSync } from 'node:fs';
import { Client } from 'ldapts';

/** Where and as whom the agent talks to a DC. */
export interface LdapEndpoint {
  url: string;
  /** a DN, a UPN or DOMAIN\name */
  bindName: string;
  password: string;
  /** PEM file of the CA to trust for ldaps:// */
  caFile?: string;
}

/** An ldapts client, bound. Operations time out after `timeoutMs` so a hung DC fails a run instead of stalling it. */
export async function connect(endpoint: LdapEndpoint, timeoutMs = 60_000): Promise<Client> {
  const client = new Client({
    url: endpoint.url,
    timeout: timeoutMs,
    connectTimeout: 10_000,
    tlsOptions: endpoint.caFile ? { ca: readFileSync(endpoint.caFile) } : undefined,
  });
  try {
    await client.bind(endpoint.bindName, endpoint.password);
  } catch (e) {
    await client.unbind().catch(() => undefined);
    throw e;
  }
  return client;
}

/** The LDAP result code an ldapts error carries, if any. */
export function resultCodeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}
