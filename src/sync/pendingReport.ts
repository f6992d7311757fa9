import { escapeRdnValue } from '../directory/dn.js';
import type { PendingExport } from './stages/exportStage.js';
import type { AgentStore } from './state/agentStore.js';

// Staging mode's review of what the export would write (how-to-connect-sync-staging-server.md:
// csexport + CSExportAnalyzer), as LDIF a person can read or apply, and as JSON.

function line(type: string, value: string): string {
  const safe = /^[\x21-\x39\x3b\x3d-\x7e][\x20-\x7e]*$/.test(value) && !value.endsWith(' ');
  return safe || value === '' ? `${type}: ${value}` : `${type}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

export function formatPendingExports(store: AgentStore, pending: readonly PendingExport[]): { ldif: string; json: string; count: number } {
  const records: string[] = [];
  const json: unknown[] = [];
  for (const p of pending) {
    const current = store.managedObject(p.objectId);
    if (p.action === 'delete') {
      records.push([line('dn', p.dn!), 'changetype: delete'].join('\n'));
      json.push({ action: 'delete', objectId: p.objectId, dn: p.dn });
      continue;
    }
    const desired = p.desired!;
    if (p.action === 'add') {
      const dn = `CN=${escapeRdnValue(desired.cn)},OU=AADDC Users,<managed domain>`;
      const lines = [line('dn', dn), 'changetype: add', line('objectClass', desired.objectType), line('sAMAccountName', desired.samSource)];
      for (const [type, values] of Object.entries(desired.attrs)) for (const v of values) lines.push(line(type, v));
      records.push(lines.join('\n'));
      json.push({ action: 'add', objectId: p.objectId, objectType: desired.objectType, cn: desired.cn, attributes: desired.attrs, members: desired.members.length });
      continue;
    }
    const changes: Record<string, string[]> = {};
    for (const [type, values] of Object.entries(desired.attrs)) {
      const have = current?.attrs[type] ?? [];
      if (values.length !== have.length || values.some((v) => !have.includes(v))) changes[type] = values;
    }
    for (const type of Object.keys(current?.attrs ?? {})) if (!(type in desired.attrs) && type !== 'member' && type !== 'manager') changes[type] = [];
    if (Object.keys(changes).length === 0) continue;
    const lines = [line('dn', p.dn!), 'changetype: modify'];
    for (const [type, values] of Object.entries(changes)) {
      lines.push(`replace: ${type}`, ...values.map((v) => line(type, v)), '-');
    }
    records.push(lines.join('\n'));
    json.push({ action: 'update', objectId: p.objectId, dn: p.dn, changes });
  }
  return { ldif: `version: 1\n\n${records.map((r) => `${r}\n`).join('\n')}`, json: `${JSON.stringify(json, null, 2)}\n`, count: json.length };
}
