/** The value AD's unicodePwd attribute takes on the wire: UTF-16LE of the password wrapped in double quotes. */
// MS-ADTS 3.1.1.3.1.5.1 unicodePwd.

const QUOTE = '"';

/** Returns the password inside a unicodePwd value, or undefined if the value is not a quoted UTF-16LE string. A string is read as latin1 bytes, as ldapjs may hand binary values over that way. */
export function decodeUnicodePwd(value: Buffer | string): string | undefined {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  if (bytes.length % 2 !== 0 || bytes.length < 4) return undefined;
  const text = bytes.toString('utf16le');
  if (!text.startsWith(QUOTE) || !text.endsWith(QUOTE)) return undefined;
  return text.slice(1, -1);
}

/** Encodes a password as a unicodePwd value. */
export function encodeUnicodePwd(password: string): Buffer {
  return Buffer.from(QUOTE + password + QUOTE, 'utf16le');
}
