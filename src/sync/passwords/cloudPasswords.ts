import type { KeyObject } from 'node:crypto';
import { sealEnvelope } from '../../ad/crypto/hashEnvelope.js';
import { kerberosKeys, kerberosSalt } from '../../ad/crypto/kerberos.js';
import { ntHash } from '../../ad/crypto/ntHash.js';
import { entraPasswordHashHash } from '../../ad/crypto/passwordHashHash.js';
import { dnsNameOfDn } from '../../directory/dn.js';
import { CloudUserError } from '../cloud/users.js';
import type { ManagedConnector } from '../connectors/managedConnector.js';
import type { ManagedObject } from '../model.js';
import type { AgentStore } from '../state/agentStore.js';

// A cloud-only user's password set or reset in the tenant. Entra then generates the NTLM and
// Kerberos hashes Domain Services needs (synchronization.md: "This password change process causes
// the password hashes for Kerberos and NTLM authentication to be generated") and hands them to
// the managed domain sealed for its key, as password hash sync does for synced users. The
// cleartext and the hashes exist only in this call; the agent keeps Entra's hash of the hash.

export interface CloudPasswordOptions {
  /** forceChangePasswordNextSignIn: the managed domain sets pwdLastSet 0 (faqs.yml), binds answer data 773 */
  forceChange?: boolean;
}

const MIN_LENGTH = 8;
const MAX_LENGTH = 256;
const REQUIRED_CATEGORIES = 3;

/** Entra's password rule for cloud users; Graph's message when a password breaks it. */
// concept-sspr-policy.md, "Password policies": 8 to 256 characters, three of lowercase, uppercase, digits, symbols.
export function checkCloudPasswordPolicy(password: string): void {
  const categories = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  const length = [...password].length;
  if (length < MIN_LENGTH || length > MAX_LENGTH || categories < REQUIRED_CATEGORIES) {
    throw new CloudUserError('The specified password does not comply with password complexity requirements. Please provide a different password.');
  }
}

/**
 * Derives the user's NT hash and AES keys (salted for the managed domain's realm and the user's
 * managed sAMAccountName and UPN, as the managed DC salts its own), seals them for the managed
 * domain, writes them as the sync principal, and keeps the hash of the hash.
 */
export async function pushCloudPassword(store: AgentStore, managed: ManagedConnector, publicKey: KeyObject, target: ManagedObject, password: string, options: CloudPasswordOptions = {}): Promise<void> {
  const salt = kerberosSalt({
    // the realm: DC=aaddscontoso,DC=com -> AADDSCONTOSO.COM
    realm: dnsNameOfDn(managed.options.baseDn).toUpperCase(),
    sAMAccountName: target.sAMAccountName,
    userPrincipalName: target.attrs.userPrincipalName?.[0],
    isComputer: false,
  });
  const nt = ntHash(password);
  const keys = kerberosKeys(password, salt);
  const payload = Buffer.from(JSON.stringify({
    nt: nt.toString('hex'),
    kerberos: { salt, iterations: keys.iterations, aes256: keys.aes256.toString('hex'), aes128: keys.aes128.toString('hex') },
    forceChange: options.forceChange === true,
  }));
  keys.aes256.fill(0);
  keys.aes128.fill(0);
  try {
    await managed.setSyncedCredentials(target.dn, sealEnvelope(publicKey, payload));
    const hashOfHash = entraPasswordHashHash(nt);
    store.write(() => store.putPasswordHashHash(target.objectId, hashOfHash));
  } finally {
    payload.fill(0);
    nt.fill(0);
  }
}
