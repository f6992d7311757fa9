import { AdErrors, ResultCode } from '../../ad/errors.js';
import type { OperationContext } from '../../ad/dsa.js';
import type { LdapRequest } from '../protocol/requests.js';
import { ResponseTag } from '../protocol/responses.js';
import type { Session } from '../session.js';
import { hasControl, unsupportedCriticalControl } from '../controls/registry.js';
import { Controls } from '../controls/oids.js';
import { failure, respond, resultOf } from './respond.js';

type WriteRequest = Extract<LdapRequest, { op: 'add' | 'modify' | 'delete' | 'modifyDn' | 'compare' }>;

const TAGS = { add: ResponseTag.add, modify: ResponseTag.modify, delete: ResponseTag.delete, modifyDn: ResponseTag.modifyDn, compare: ResponseTag.compare } as const;

/** add, modify, delete, modifyDN and compare: one call into the DC, one LDAPResult back. */
export function handleWrite(session: Session, request: WriteRequest): void {
  const dn = request.op === 'modify' ? request.object : request.entry;
  const log = { op: request.op, dn, started: performance.now() };
  const tag = TAGS[request.op];
  try {
    if (session.principal.kind === 'anonymous') throw AdErrors.notAuthenticated();
    const critical = unsupportedCriticalControl(request.controls, request.op);
    if (critical) throw AdErrors.unavailableCriticalExtension();
    const ctx: OperationContext = session.context;
    const dc = session.host.dc;
    let resultCode: number = ResultCode.success;
    switch (request.op) {
      case 'add':
        dc.add(request.entry, request.attributes, ctx);
        break;
      case 'modify':
        dc.modify(request.object, request.changes, ctx, { permissive: hasControl(request.controls, Controls.permissiveModify) });
        break;
      case 'delete':
        dc.delete(request.entry, ctx, { tree: hasControl(request.controls, Controls.treeDelete) });
        break;
      case 'modifyDn':
        dc.rename(request.entry, request.newRdn, request.deleteOldRdn, request.newSuperior, ctx);
        break;
      case 'compare':
        resultCode = dc.compare(request.entry, request.attribute, request.value, ctx) ? ResultCode.compareTrue : ResultCode.compareFalse;
        break;
    }
    respond(session, request.messageId, tag, { resultCode }, log);
  } catch (e) {
    respond(session, request.messageId, tag, resultOf(failure(session, e)), log);
  }
}
