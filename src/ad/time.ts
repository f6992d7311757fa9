/** FILETIME: 100-ns intervals since 1601-01-01 UTC, as Integer8 attributes hold it (MS-DTYP 2.3.3). */
const EPOCH_DIFFERENCE_MS = 11_644_473_600_000n;

/** accountExpires, maxPwdAge and friends: the value that means "never" (ad-ldap.md 6). */
export const NEVER = '9223372036854775807';

export function toFileTime(date: Date): bigint {
  return (BigInt(date.getTime()) + EPOCH_DIFFERENCE_MS) * 10_000n;
}


/** An Integer8 attribute value as a bigint; absent or malformed is 0. */
export function integer8(value: string | Buffer | undefined): bigint {
  if (value === undefined) return 0n;
  try {
    return BigInt(String(value).trim());
  } catch {
    return 0n;
  }
}

/** GeneralizedTime as AD writes it: whole seconds and a literal ".0Z" (ad-ldap.md 6). */
export function generalizedTime(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}.0Z`;
}


/** The instant a GeneralizedTime value (whenChanged, ...) names; undefined when malformed. */
export function fromGeneralizedTime(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(value);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}
