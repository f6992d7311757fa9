import type { LdifRecord } from '../directory/ldif.js';
import type { DomainController } from './domainController.js';
import type { OperationContext } from './dsa.js';
import { asAdError } from './errors.js';
import { DirectoryViolation } from '../directory/violation.js';

export class LdifImportError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'LdifImportError';
  }
}

export interface ImportSummary {
  added: number;
  modified: number;
  deleted: number;
  renamed: number;
}

/**
 * Applies LDIF records (content and change records) through the DC's normal write path, all in
 * one transaction: an import lands whole or not at all, and the first failing record is named
 * with its file, line and AD's reason.
 */
export function importLdif(dc: DomainController, records: Iterable<LdifRecord>, file: string, ctx: OperationContext): ImportSummary {
  const summary: ImportSummary = { added: 0, modified: 0, deleted: 0, renamed: 0 };
  dc.store.write(() => {
    for (const record of records) {
      try {
        switch (record.kind) {
          case 'add':
            dc.add(record.dn, record.attributes, ctx);
            summary.added++;
            break;
          case 'modify':
            dc.modify(record.dn, record.changes, ctx);
            summary.modified++;
            break;
          case 'delete':
            dc.delete(record.dn, ctx);
            summary.deleted++;
            break;
          case 'modrdn':
            dc.rename(record.dn, record.newRdn, record.deleteOldRdn, record.newSuperior, ctx);
            summary.renamed++;
            break;
        }
      } catch (e) {
        const known = asAdError(e);
        const detail = e instanceof DirectoryViolation ? ` (${e.message})` : '';
        const reason = known ? `${record.dn}: LDAP error ${known.code}: ${known.message}${detail}` : `${record.dn}: ${(e as Error).message}`;
        throw new LdifImportError(file, record.line, reason);
      }
    }
  });
  return summary;
}
