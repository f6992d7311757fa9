/** AD's password complexity rule (domain pwdProperties DOMAIN_PASSWORD_COMPLEX, the passwdComplexity policy). */

/** The account attributes the complexity rule looks at. */
export interface ComplexityAccount {
  sAMAccountName?: string;
  displayName?: string;
}

// Microsoft Learn "Password must meet complexity requirements" (also MS-SAMR 3.1.1.7.2):
// displayName is split on these delimiters, tokens under three characters are ignored.
const DISPLAY_NAME_DELIMITERS = /[,.\-_# \t]+/;
const MIN_NAME_LENGTH = 3;
const REQUIRED_CATEGORIES = 3;

// The page's list of non-alphanumeric characters; currency symbols such as € or £ do not count.
const SPECIAL_CHARACTERS = new Set('~!@#$%^&*_-+=`|\\(){}[]:;"\'<>,.?/');

type CharacterCategory = 'upper' | 'lower' | 'digit' | 'special' | 'otherAlphabetic';

function categoryOf(character: string): CharacterCategory | undefined {
  if (character >= '0' && character <= '9') return 'digit';
  if (/\p{Lu}/u.test(character)) return 'upper';
  if (/\p{Ll}/u.test(character)) return 'lower';
  if (/\p{Alphabetic}/u.test(character)) return 'otherAlphabetic';
  if (SPECIAL_CHARACTERS.has(character)) return 'special';
  return undefined;
}

function containsIgnoringCase(password: string, name: string): boolean {
  return password.toLowerCase().includes(name.toLowerCase());
}

/** Whether the password contains the account's name or a displayName token (case-insensitive). */
export function containsAccountName(password: string, account: ComplexityAccount): boolean {
  const sam = account.sAMAccountName;
  if (sam !== undefined && sam.length >= MIN_NAME_LENGTH && containsIgnoringCase(password, sam)) return true;
  const tokens = (account.displayName ?? '').split(DISPLAY_NAME_DELIMITERS);
  return tokens.some((token) => token.length >= MIN_NAME_LENGTH && containsIgnoringCase(password, token));
}

/** How many of the five character categories the password draws from. */
export function characterCategoryCount(password: string): number {
  const seen = new Set<CharacterCategory>();
  for (const character of password) {
    const category = categoryOf(character);
    if (category !== undefined) seen.add(category);
  }
  return seen.size;
}

/** "Password must meet complexity requirements": no account name or displayName token, and three of the five categories. Length is the minPwdLength rule's business, not this one's. */
export function meetsComplexity(password: string, account: ComplexityAccount): boolean {
  return !containsAccountName(password, account) && characterCategoryCount(password) >= REQUIRED_CATEGORIES;
}
