import type { AttributeType } from './schema.js';

export type ViolationProblem =
  | 'undefinedAttributeType'
  | 'invalidAttributeSyntax'
  | 'singleValued'
  | 'objectClassViolation'
  | 'noSuchAttribute'
  | 'attributeOrValueExists'
  | 'notAllowedOnRdn';

/**
 * A change the directory's structure rules refuse (schema, values). It carries no wording:
 * the AD layer turns it into AD's result code and diagnostic text (ad/errors).
 */
export class DirectoryViolation extends Error {
  constructor(
    readonly problem: ViolationProblem,
    readonly attribute?: Pick<AttributeType, 'name' | 'oid'>,
    detail?: string,
  ) {
    super(`${problem}${attribute ? ` (${attribute.name})` : ''}${detail ? `: ${detail}` : ''}`);
    this.name = 'DirectoryViolation';
  }
}
