import asn1 from '@ldapjs/asn1';
import type { ExtendedDnForm } from '../../ad/readView.js';
import type { RequestControl } from '../protocol/requests.js';

const { BerReader } = asn1;

/**
 * MS-ADTS 3.1.1.3.4.1.5 LDAP_SERVER_EXTENDED_DN_OID: no value or `SEQUENCE { Flag INTEGER }`.
 * Flag 1 asks for the string forms; 0 (and, as Samba's ldb_dn does, any other flag) for hex.
 */
export function extendedDnForm(control: RequestControl): ExtendedDnForm | 'malformed' {
  if (!control.value || control.value.length === 0) return 'hex';
  try {
    const ber = new BerReader(control.value);
    ber.readSequence(0x30);
    return ber.readInt() === 1 ? 'string' : 'hex';
  } catch {
    return 'malformed';
  }
}
