import type { LdapRequest } from './protocol/requests.js';
import type { Session } from './session.js';
import { handleBind } from './handlers/bind.js';
import { handleExtended } from './handlers/extended.js';
import { handleSearch } from './handlers/search.js';
import { handleWrite } from './handlers/write.js';
import { handleDirSync } from './handlers/dirSync.js';
import { handleNotification } from './handlers/notification.js';
import { hasControl } from './controls/registry.js';
import { Controls } from './controls/oids.js';

/** Routes one decoded request to its handler (RFC 4511 4.2-4.12). */
export function dispatch(session: Session, request: LdapRequest): void | Promise<void> {
  switch (request.op) {
    case 'bind':
      return handleBind(session, request);
    case 'search':
      if (hasControl(request.controls, Controls.dirSync)) return handleDirSync(session, request);
      if (hasControl(request.controls, Controls.notification)) return handleNotification(session, request);
      return handleSearch(session, request);
    case 'add':
    case 'modify':
    case 'delete':
    case 'modifyDn':
    case 'compare':
      return handleWrite(session, request);
    case 'extended':
      return handleExtended(session, request);
    case 'abandon': {
      // RFC 4511 4.11: no response; the operation stops sending, and a paged cursor is freed.
      session.paged.abandon(request.abandonId);
      const running = session.running.get(request.abandonId);
      if (running) {
        running.abandoned = true;
        running.stop?.();
        session.running.delete(request.abandonId);
      }
      return;
    }
    case 'unbind':
      session.destroy();
      return;
  }
}
