import { existsSync } from 'node:fs';
import { agentStorePath, savedEndpoints } from './agentState.js';
import { EXIT, type Print } from './output.js';
import { dnsNameOfDn } from '../directory/dn.js';
import { estateSyncConfig, runningEndpoints } from '../estateSync.js';
import type { SyncConfig } from '../sync/config.js';
import { explainIdentity, explainUnkept, type Explanation, type RuledValue, type Stage } from '../sync/explain.js';
import { CLOUD } from '../sync/rules/cloudObjects.js';
import { AgentStore } from '../sync/state/agentStore.js';

// `dsemu explain <UPN|DN>`: read-only, from the agent's store (and, for an on-prem object the
// agent never kept, from its DC when the emulator runs).

export async function explainCommand(options: { dataDir: string; name: string; json?: boolean }, print: Print): Promise<number> {
  const { dataDir, name } = options;
  const running = runningEndpoints(dataDir);
  const endpoints = running ?? savedEndpoints(dataDir);
  const storePath = agentStorePath(dataDir);
  if (!endpoints || !existsSync(storePath)) {
    process.stderr.write(`no sync agent state in ${dataDir}: start the emulator (dsemu start) or run dsemu sync first\n`);
    return EXIT.failed;
  }
  const config = estateSyncConfig(dataDir, endpoints);
  const store = AgentStore.open(storePath);
  try {
    let explanation = explainIdentity(store, config, name);
    if (!explanation && running && name.includes('=')) explanation = await explainUnkept(store, config, name);
    if (!explanation) {
      process.stderr.write(`${unknownName(config, name, running !== undefined)}\n`);
      return EXIT.failed;
    }
    print(options.json ? `${JSON.stringify(explanation, null, 2)}\n` : formatExplanation(config, explanation));
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

function unknownName(config: SyncConfig, name: string, running: boolean): string {
  if (!name.includes('=')) return `the agent knows no identity named ${name} (neither an Entra ID UPN nor an on-prem or managed-domain UPN)`;
  const dn = name.toLowerCase().replace(/\s*,\s*/g, ',');
  if (dn.endsWith(config.target.baseDn.toLowerCase())) {
    return `the sync never wrote ${name}: what is made in the managed domain itself (custom OUs, computers joined to AADDC Computers, its built-in objects) is not synchronized`;
  }
  const source = config.sources.find((s) => dn.endsWith(s.baseDn.toLowerCase()));
  if (!source) return `the agent knows no object named ${name} in its connector spaces or in the managed domain`;
  const kept = `the agent keeps only users and groups: computers, contacts and OUs are never synchronized to Domain Services`;
  return running
    ? `${source.name} has no object ${name}, and the agent knows none by that DN`
    : `the agent keeps no object ${name} from ${source.name}; ${kept} (start the emulator to read the object from its DC)`;
}

/** The three stages as sections: On-prem (contoso.com), Metaverse (Entra ID), Managed domain (aaddscontoso.com). */
export function formatExplanation(config: SyncConfig, e: Explanation): string {
  const out: string[] = [`${e.name}${e.objectId ? `  (objectId ${e.objectId})` : ''}`, ''];
  const section = <T>(title: string, stage: Stage<T>, lines: (present: T) => string[]): void => {
    out.push(title, ...(stage.present ? lines(stage) : [`  absent: ${stage.why}`]), '');
  };

  const { source, metaverse, managed } = e;
  const cloud = source.present ? source.connector === CLOUD : metaverse.present && metaverse.cloudOnly;
  const sourceTitle = cloud ? 'Cloud-only (Entra ID tenant, seed/tenant.ldif)' : `On-prem (${source.present ? source.connector : config.sources.map((s) => s.name).join(', ')})`;
  section(sourceTitle, source, (s) => [
    `  dn: ${s.dn}`,
    ...(s.kept ? [] : ['  (not kept by the agent: read from the DC now)']),
    ...attributeLines({ ...s.attributes, ...s.links }),
  ]);

  section('Metaverse (Entra ID)', metaverse, (mv) => [
    `  objectId: ${mv.objectId}`,
    `  objectType: ${mv.objectType}${mv.cloudOnly ? ' (cloud-only)' : ''}`,
    ...ruledLines(mv.attributes),
    ...mv.members.map((m) => `  members: ${m}`),
    ...(mv.manager ? [`  manager: ${mv.manager}`] : []),
    `  provisioning errors: ${mv.provisioningErrors.length ? '' : 'none'}`,
    ...mv.provisioningErrors.map((p) => `    ${p}`),
    ...(mv.conflicts.length ? ['  conflicts:', ...mv.conflicts.map((c) => `    ${c}`)] : []),
  ]);

  section(`Managed domain (${dnsNameOfDn(config.target.baseDn)})`, managed, (m) => {
    const flows = Object.fromEntries(Object.entries(m.attributes).map(([name, a]) => [name, { ...a, rule: `<- ${a.rule}` }]));
    return [
      `  dn: ${m.dn}`,
      ...ruledLines({ sAMAccountName: { value: m.sAMAccountName, rule: m.sAMAccountNameRule }, ...flows }),
      ...(m.pendingExport ? [`  pending export: ${m.pendingExport}: ${m.pendingBecause}`] : []),
    ];
  });
  return `${out.join('\n').trimEnd()}\n`;
}

function attributeLines(attributes: Record<string, string[]>): string[] {
  return Object.entries(attributes).flatMap(([name, values]) => values.map((v) => `  ${name}: ${v}`));
}

const RULE_COLUMN = 56;

function ruledLines(attributes: Record<string, RuledValue>): string[] {
  const lines: string[] = [];
  for (const [name, { value, rule }] of Object.entries(attributes)) {
    const values = Array.isArray(value) ? value : [String(value)];
    values.forEach((v, i) => {
      const text = `  ${name}: ${v}`;
      lines.push(i === 0 ? `${text.padEnd(RULE_COLUMN)}  [${rule}]` : text);
    });
  }
  return lines;
}
