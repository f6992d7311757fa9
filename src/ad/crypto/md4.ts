/**
 * MD4 message digest in TypeScript, because Node 20's OpenSSL 3 only offers
 * MD4 through the legacy provider.
 */

// RFC 1320 section 3.4: the three auxiliary functions.
const F = (x: number, y: number, z: number): number => (x & y) | (~x & z);
const G = (x: number, y: number, z: number): number => (x & y) | (x & z) | (y & z);
const H = (x: number, y: number, z: number): number => x ^ y ^ z;

const rotl = (x: number, s: number): number => (x << s) | (x >>> (32 - s));

/** Pads per RFC 1320 sections 3.1 and 3.2: 0x80, zeros, then the bit length as 64-bit little-endian. */
function pad(data: Uint8Array): Buffer {
  const length = data.length;
  const padded = Buffer.alloc((((length + 8) >>> 6) + 1) << 6);
  padded.set(data);
  padded[length] = 0x80;
  const bits = length * 8;
  padded.writeUInt32LE(bits >>> 0, padded.length - 8);
  padded.writeUInt32LE(Math.floor(bits / 0x1_0000_0000) >>> 0, padded.length - 4);
  return padded;
}

// RFC 1320 section 3.4: round orders and shift amounts.
const ROUND2_ORDER = [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15];
const ROUND3_ORDER = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15];
const ROUND1_SHIFTS = [3, 7, 11, 19];
const ROUND2_SHIFTS = [3, 5, 9, 13];
const ROUND3_SHIFTS = [3, 9, 11, 15];

/** MD4 digest (16 bytes) of `data`, as defined in RFC 1320. */
export function md4(data: Uint8Array): Buffer {
  const message = pad(data);
  let a = 0x67452301;
  let b = 0xefcdab89;
  let c = 0x98badcfe;
  let d = 0x10325476;
  const x = new Array<number>(16);

  for (let offset = 0; offset < message.length; offset += 64) {
    for (let i = 0; i < 16; i++) x[i] = message.readInt32LE(offset + i * 4);
    const [aa, bb, cc, dd] = [a, b, c, d];

    for (let i = 0; i < 16; i++) {
      const t = (a + F(b, c, d) + x[i]!) | 0;
      [a, b, c, d] = [d, rotl(t, ROUND1_SHIFTS[i % 4]!), b, c];
    }
    for (let i = 0; i < 16; i++) {
      const t = (a + G(b, c, d) + x[ROUND2_ORDER[i]!]! + 0x5a827999) | 0;
      [a, b, c, d] = [d, rotl(t, ROUND2_SHIFTS[i % 4]!), b, c];
    }
    for (let i = 0; i < 16; i++) {
      const t = (a + H(b, c, d) + x[ROUND3_ORDER[i]!]! + 0x6ed9eba1) | 0;
      [a, b, c, d] = [d, rotl(t, ROUND3_SHIFTS[i % 4]!), b, c];
    }

    a = (a + aa) | 0;
    b = (b + bb) | 0;
    c = (c + cc) | 0;
    d = (d + dd) | 0;
  }

  const digest = Buffer.alloc(16);
  digest.writeInt32LE(a, 0);
  digest.writeInt32LE(b, 4);
  digest.writeInt32LE(c, 8);
  digest.writeInt32LE(d, 12);
  return digest;
}
