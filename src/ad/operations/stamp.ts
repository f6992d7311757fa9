import type { AttributeMap } from '../../directory/entry.js';
import type { Dsa } from '../dsa.js';
import { generalizedTime } from '../time.js';

/** Every originating write gets the next USN and the time of change (MS-ADTS 3.1.1.1.9). */
export function stampChange(dsa: Dsa, attrs: AttributeMap, created = false): number {
  const usn = String(dsa.store.nextUsn());
  attrs.uSNChanged = [usn];
  if (created) attrs.uSNCreated = [usn];
  attrs.whenChanged = [generalizedTime(dsa.now())];
  return Number(usn);
}
