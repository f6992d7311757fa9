import { ResultCodeError } from 'ldapts';

/** The LDAP error an operation ends with; fails the test when it succeeds or throws anything else. */
export async function failure(promise: Promise<unknown>): Promise<ResultCodeError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof ResultCodeError) return e;
    throw e;
  }
  throw new Error('expected the operation to fail');
}
