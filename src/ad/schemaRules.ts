import type { ValidateOptions } from '../directory/validate.js';

/**
 * How AD applies its schema here: every object has a security descriptor (top MUSTs
 * nTSecurityDescriptor), which this emulator does not model; access is decided by ad/acl.
 */
export const SCHEMA_RULES: ValidateOptions = { implicit: new Set(['nTSecurityDescriptor']) };
