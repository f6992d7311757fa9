import { md4 } from './md4.js';

/** The NT hash (NTOWFv1) of a password: MD4 over its UTF-16LE encoding. */
// MS-NLMP 3.3.1 NTOWFv1: MD4(UNICODE(Passwd)).
export function ntHash(password: string): Buffer {
  return md4(Buffer.from(password, 'utf16le'));
}
