import type { LdapFilter } from './ast';

/**
 * Encodes a filter as the BER bytes of RFC 4511's `Filter` CHOICE, ready to be placed in a
 * SearchRequest. Values are written as the bytes they are (ldapjs 3.0.7's filter classes write
 * every value as a UTF-8 string, which mangles binary values such as an objectGUID).
 */
export function encodeLdapFilter(filter: LdapFilter): Buffer {
  switch (filter.type) {
    case 'and':
      return tlv(0xa0, Buffer.concat(filter.filters.map(encodeLdapFilter)));
    case 'or':
      return tlv(0xa1, Buffer.concat(filter.filters.map(encodeLdapFilter)));
    case 'not':
      return tlv(0xa2, encodeLdapFilter(filter.filter));
    case 'equal':
      return assertion(0xa3, filter.attribute, filter.value);
    case 'greaterOrEqual':
      return assertion(0xa5, filter.attribute, filter.value);
    case 'lessOrEqual':
      return assertion(0xa6, filter.attribute, filter.value);
    case 'approx':
      return assertion(0xa8, filter.attribute, filter.value);
    case 'present':
      return tlv(0x87, Buffer.from(filter.attribute, 'utf8'));
    case 'substrings': {
      const parts: Buffer[] = [];
      if (filter.initial !== undefined) parts.push(tlv(0x80, filter.initial));
      for (const part of filter.any) parts.push(tlv(0x81, part));
      if (filter.final !== undefined) parts.push(tlv(0x82, filter.final));
      return tlv(0xa4, Buffer.concat([octetString(filter.attribute), tlv(0x30, Buffer.concat(parts))]));
    }
    case 'extensible': {
      const parts: Buffer[] = [];
      if (filter.matchingRule !== undefined) parts.push(tlv(0x81, Buffer.from(filter.matchingRule, 'utf8')));
      if (filter.attribute !== undefined) parts.push(tlv(0x82, Buffer.from(filter.attribute, 'utf8')));
      parts.push(tlv(0x83, filter.value));
      if (filter.dnAttributes) parts.push(tlv(0x84, Buffer.from([0xff])));
      return tlv(0xa9, Buffer.concat(parts));
    }
  }
}

function assertion(tag: number, attribute: string, value: Buffer): Buffer {
  return tlv(tag, Buffer.concat([octetString(attribute), tlv(0x04, value)]));
}

function octetString(text: string): Buffer {
  return tlv(0x04, Buffer.from(text, 'utf8'));
}

/** Tag, definite length (short or long form), value. */
function tlv(tag: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(value.length), value]);
}

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
