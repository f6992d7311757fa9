import type asn1 from '@ldapjs/asn1';
import type { Filter } from '../../directory/filter.js';

type BerReader = InstanceType<typeof asn1.BerReader>;

/** RFC 4511 4.5.1.7: reads a Filter CHOICE, keeping assertion values as raw octets. */
export function readFilter(ber: BerReader): Filter {
  const tag = ber.peek();
  switch (tag) {
    case 0xa0:
    case 0xa1: {
      ber.readSequence(tag);
      const end = ber.offset + ber.length;
      const filters: Filter[] = [];
      while (ber.offset < end) filters.push(readFilter(ber));
      return { type: tag === 0xa0 ? 'and' : 'or', filters };
    }
    case 0xa2: {
      ber.readSequence(tag);
      return { type: 'not', filter: readFilter(ber) };
    }
    case 0xa3:
    case 0xa5:
    case 0xa6:
    case 0xa8: {
      ber.readSequence(tag);
      const attribute = ber.readString();
      const value = octets(ber, 0x04);
      const type = tag === 0xa3 ? 'equality' : tag === 0xa5 ? 'greaterOrEqual' : tag === 0xa6 ? 'lessOrEqual' : 'approxMatch';
      return { type, attribute, value };
    }
    case 0xa4: {
      ber.readSequence(tag);
      const attribute = ber.readString();
      ber.readSequence(0x30);
      const end = ber.offset + ber.length;
      const filter: Extract<Filter, { type: 'substrings' }> = { type: 'substrings', attribute, any: [] };
      while (ber.offset < end) {
        const part = ber.peek();
        if (part === 0x80) filter.initial = octets(ber, 0x80);
        else if (part === 0x81) filter.any.push(octets(ber, 0x81));
        else if (part === 0x82) filter.final = octets(ber, 0x82);
        else throw new Error('invalid substring choice');
      }
      return filter;
    }
    case 0x87:
      return { type: 'present', attribute: octets(ber, 0x87).toString('utf8') };
    case 0xa9: {
      ber.readSequence(tag);
      const end = ber.offset + ber.length;
      const filter: Extract<Filter, { type: 'extensible' }> = { type: 'extensible', value: Buffer.alloc(0), dnAttributes: false };
      while (ber.offset < end) {
        const part = ber.peek();
        if (part === 0x81) filter.rule = octets(ber, 0x81).toString('utf8');
        else if (part === 0x82) filter.attribute = octets(ber, 0x82).toString('utf8');
        else if (part === 0x83) filter.value = octets(ber, 0x83);
        else if (part === 0x84) filter.dnAttributes = ber.readBoolean(0x84);
        else throw new Error('invalid extensible match field');
      }
      return filter;
    }
    default:
      throw new Error(`invalid filter choice 0x${(tag ?? 0).toString(16)}`);
  }
}

function octets(ber: BerReader, tag: number): Buffer {
  const value = ber.readString(tag, true);
  if (value === null) throw new Error('truncated filter');
  return Buffer.from(value);
}
