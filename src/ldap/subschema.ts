import type { DomainController } from '../ad/domainController.js';
import { subschemaDn } from '../ad/domain.js';
import type { ResultAttribute } from '../ad/readView.js';

/** The subschema entry CN=Aggregate (RFC 4512 4.2), as AD serves it: attributeTypes and objectClasses. */
export function subschemaAttributes(dc: DomainController, requested: readonly string[]): ResultAttribute[] {
  const all: ResultAttribute[] = [
    { type: 'objectClass', values: ['top', 'subSchema'] },
    { type: 'cn', values: ['Aggregate'] },
    { type: 'distinguishedName', values: [subschemaDn(dc.domain)] },
    { type: 'attributeTypes', values: dc.schema.subschemaAttributeTypes() },
    { type: 'objectClasses', values: dc.schema.subschemaObjectClasses() },
  ];
  const names = requested.map((r) => r.toLowerCase()).filter((r) => r !== '');
  // AD returns attributeTypes and objectClasses only when named, like other large attributes.
  if (names.length === 0 || names.includes('*')) return all.slice(0, 3);
  return all.filter((a) => names.includes(a.type.toLowerCase()));
}
