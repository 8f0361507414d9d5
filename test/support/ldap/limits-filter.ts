/**
 * Search filters for the limits server: decoded from their BER encoding (RFC 4511 section 4.5.1.7)
 * so assertion values keep their exact bytes (limits-ber.ts explains why ldapjs's own filter
 * objects cannot be used), and evaluated against an entry the way Active Directory does for
 * the cases the tests need.
 */
import { readAllTlv as readAll, readTlv, type Tlv } from './limits-ber';

/** A decoded search filter. */
export type SearchFilter =
  | { kind: 'and' | 'or'; filters: SearchFilter[] }
  | { kind: 'not'; filter: SearchFilter }
  | { kind: 'equality' | 'greaterOrEqual' | 'lessOrEqual' | 'approx'; attribute: string; value: Buffer }
  | { kind: 'substrings'; attribute: string; initial?: Buffer; any: Buffer[]; final?: Buffer }
  | { kind: 'present'; attribute: string }
  | { kind: 'extensible'; rule?: string; attribute?: string; value: Buffer; dnAttributes: boolean };

/** Decodes one BER-encoded filter (the `Filter` CHOICE of RFC 4511). */
export function decodeFilter(ber: Buffer): SearchFilter {
  return decodeTlv(readTlv(ber, 0));
}

function decodeTlv({ tag, content }: Tlv): SearchFilter {
  switch (tag) {
    case 0xa0:
    case 0xa1:
      return { kind: tag === 0xa0 ? 'and' : 'or', filters: readAll(content).map(decodeTlv) };
    case 0xa2: {
      return { kind: 'not', filter: decodeTlv(readTlv(content, 0)) };
    }
    case 0xa3:
    case 0xa5:
    case 0xa6:
    case 0xa8: {
      const [attribute, value] = readAll(content);
      if (attribute === undefined || value === undefined) throw new Error('filter: incomplete assertion');
      const kind =
        tag === 0xa3 ? 'equality' : tag === 0xa5 ? 'greaterOrEqual' : tag === 0xa6 ? 'lessOrEqual' : 'approx';
      return { kind, attribute: attribute.content.toString('utf8'), value: Buffer.from(value.content) };
    }
    case 0xa4: {
      const [attribute, sequence] = readAll(content);
      if (attribute === undefined || sequence === undefined) throw new Error('filter: incomplete substrings');
      const filter: SearchFilter = {
        kind: 'substrings',
        attribute: attribute.content.toString('utf8'),
        any: [],
      };
      for (const part of readAll(sequence.content)) {
        if (part.tag === 0x80) filter.initial = Buffer.from(part.content);
        else if (part.tag === 0x81) filter.any.push(Buffer.from(part.content));
        else if (part.tag === 0x82) filter.final = Buffer.from(part.content);
      }
      return filter;
    }
    case 0x87:
      return { kind: 'present', attribute: content.toString('utf8') };
    case 0xa9: {
      const filter: SearchFilter = { kind: 'extensible', value: Buffer.alloc(0), dnAttributes: false };
      for (const part of readAll(content)) {
        if (part.tag === 0x81) filter.rule = part.content.toString('utf8');
        else if (part.tag === 0x82) filter.attribute = part.content.toString('utf8');
        else if (part.tag === 0x83) filter.value = Buffer.from(part.content);
        else if (part.tag === 0x84) filter.dnAttributes = part.content[0] !== 0;
      }
      return filter;
    }
    default:
      throw new Error(`filter: unknown filter tag 0x${tag.toString(16)}`);
  }
}

/** An attribute value as the limits directory stores it. */
export type DirectoryValue = string | Buffer;

/** What the matcher needs to know about an entry. */
export interface MatchableEntry {
  /** Values by lower-cased attribute name. */
  get(attribute: string): readonly DirectoryValue[] | undefined;
  /** The DNs of the groups this entry is a member of, directly or through nesting (for 1941). */
  memberOfInChain(): readonly string[];
  /** The DNs of this entry's members, directly or through nesting, when it is a group (for 1941). */
  membersInChain(): readonly string[];
}

/** LDAP_MATCHING_RULE_BIT_AND. */
export const BIT_AND_RULE = '1.2.840.113556.1.4.803';
/** LDAP_MATCHING_RULE_BIT_OR. */
export const BIT_OR_RULE = '1.2.840.113556.1.4.804';
/** LDAP_MATCHING_RULE_IN_CHAIN (transitive membership). */
export const IN_CHAIN_RULE = '1.2.840.113556.1.4.1941';

const INTEGER = /^-?\d+$/;

function normalizeDn(value: string): string {
  return value.toLowerCase().replace(/\s*([,=])\s*/g, '$1');
}

function text(value: DirectoryValue): string {
  return typeof value === 'string' ? value : value.toString('utf8');
}

/** `S-1-5-21-...` text form of a binary SID (AD accepts SIDs in that form in filters). */
export function sidToString(sid: Buffer): string {
  const authority = sid.readUIntBE(2, 6);
  const count = sid[1] ?? 0;
  const parts = [`S-${sid[0] ?? 1}-${authority}`];
  for (let index = 0; index < count; index++) parts.push(String(sid.readUInt32LE(8 + index * 4)));
  return parts.join('-');
}

function valueEquals(attribute: string, stored: DirectoryValue, asserted: Buffer): boolean {
  if (Buffer.isBuffer(stored)) {
    if (stored.equals(asserted)) return true;
    const assertedText = asserted.toString('utf8');
    return attribute === 'objectsid' && assertedText.startsWith('S-') && sidToString(stored) === assertedText;
  }
  const assertedText = asserted.toString('utf8');
  if (attribute === 'objectcategory' && !assertedText.includes('=')) {
    // AD expands `objectCategory=person` to the class's defaultObjectCategory DN.
    return normalizeDn(stored).startsWith(`cn=${assertedText.toLowerCase()},`);
  }
  if (attribute === 'distinguishedname' || attribute === 'member' || attribute === 'memberof') {
    return normalizeDn(stored) === normalizeDn(assertedText);
  }
  return stored.toLowerCase() === assertedText.toLowerCase();
}

function compare(stored: DirectoryValue, asserted: Buffer): number {
  const left = text(stored);
  const right = asserted.toString('utf8');
  if (INTEGER.test(left) && INTEGER.test(right)) {
    const difference = BigInt(left) - BigInt(right);
    return difference === 0n ? 0 : difference > 0n ? 1 : -1;
  }
  const a = left.toLowerCase();
  const b = right.toLowerCase();
  return a === b ? 0 : a > b ? 1 : -1;
}

function substringMatch(
  stored: DirectoryValue,
  filter: Extract<SearchFilter, { kind: 'substrings' }>,
): boolean {
  const value = text(stored).toLowerCase();
  let position = 0;
  if (filter.initial !== undefined) {
    const initial = filter.initial.toString('utf8').toLowerCase();
    if (!value.startsWith(initial)) return false;
    position = initial.length;
  }
  for (const part of filter.any) {
    const partText = part.toString('utf8').toLowerCase();
    const found = value.indexOf(partText, position);
    if (found < 0) return false;
    position = found + partText.length;
  }
  if (filter.final !== undefined) {
    const final = filter.final.toString('utf8').toLowerCase();
    return value.length - final.length >= position && value.endsWith(final);
  }
  return true;
}

function extensibleMatch(
  entry: MatchableEntry,
  filter: Extract<SearchFilter, { kind: 'extensible' }>,
): boolean {
  if (filter.attribute === undefined) return false;
  const attribute = filter.attribute.toLowerCase();
  const asserted = filter.value.toString('utf8');
  switch (filter.rule) {
    case BIT_AND_RULE:
    case BIT_OR_RULE: {
      if (!INTEGER.test(asserted)) return false;
      const mask = BigInt.asUintN(32, BigInt(asserted));
      return (entry.get(attribute) ?? []).some((stored) => {
        const value = text(stored);
        if (!INTEGER.test(value)) return false;
        const bits = BigInt.asUintN(32, BigInt(value)) & mask;
        return filter.rule === BIT_AND_RULE ? bits === mask : bits !== 0n;
      });
    }
    case IN_CHAIN_RULE: {
      const target = normalizeDn(asserted);
      if (attribute === 'memberof') return entry.memberOfInChain().some((dn) => normalizeDn(dn) === target);
      if (attribute === 'member') return entry.membersInChain().some((dn) => normalizeDn(dn) === target);
      return false;
    }
    case undefined:
      return (entry.get(attribute) ?? []).some((stored) => valueEquals(attribute, stored, filter.value));
    default:
      // An unknown matching rule makes the filter Undefined, which never matches.
      return false;
  }
}

/** Whether `entry` matches `filter` (an absent attribute makes an assertion FALSE). */
export function matchesFilter(entry: MatchableEntry, filter: SearchFilter): boolean {
  switch (filter.kind) {
    case 'and':
      return filter.filters.every((inner) => matchesFilter(entry, inner));
    case 'or':
      return filter.filters.some((inner) => matchesFilter(entry, inner));
    case 'not':
      return !matchesFilter(entry, filter.filter);
    case 'present':
      return (entry.get(filter.attribute.toLowerCase())?.length ?? 0) > 0;
    case 'equality':
    case 'approx': {
      const attribute = filter.attribute.toLowerCase();
      return (entry.get(attribute) ?? []).some((stored) => valueEquals(attribute, stored, filter.value));
    }
    case 'greaterOrEqual':
      return (entry.get(filter.attribute.toLowerCase()) ?? []).some(
        (stored) => compare(stored, filter.value) >= 0,
      );
    case 'lessOrEqual':
      return (entry.get(filter.attribute.toLowerCase()) ?? []).some(
        (stored) => compare(stored, filter.value) <= 0,
      );
    case 'substrings':
      return (entry.get(filter.attribute.toLowerCase()) ?? []).some((stored) =>
        substringMatch(stored, filter),
      );
    case 'extensible':
      return extensibleMatch(entry, filter);
  }
}

/** A readable rendering of a decoded filter (for the search log; binary values as `\xx`). */
export function filterToString(filter: SearchFilter): string {
  const value = (bytes: Buffer): string =>
    [...bytes]
      .map((byte) =>
        byte < 0x20 || byte > 0x7e || byte === 0x2a || byte === 0x28 || byte === 0x29 || byte === 0x5c
          ? `\\${byte.toString(16).padStart(2, '0')}`
          : String.fromCharCode(byte),
      )
      .join('');
  switch (filter.kind) {
    case 'and':
      return `(&${filter.filters.map(filterToString).join('')})`;
    case 'or':
      return `(|${filter.filters.map(filterToString).join('')})`;
    case 'not':
      return `(!${filterToString(filter.filter)})`;
    case 'present':
      return `(${filter.attribute}=*)`;
    case 'equality':
      return `(${filter.attribute}=${value(filter.value)})`;
    case 'approx':
      return `(${filter.attribute}~=${value(filter.value)})`;
    case 'greaterOrEqual':
      return `(${filter.attribute}>=${value(filter.value)})`;
    case 'lessOrEqual':
      return `(${filter.attribute}<=${value(filter.value)})`;
    case 'substrings':
      return `(${filter.attribute}=${filter.initial ? value(filter.initial) : ''}*${filter.any.map((part) => `${value(part)}*`).join('')}${filter.final ? value(filter.final) : ''})`;
    case 'extensible':
      return `(${filter.attribute ?? ''}${filter.dnAttributes ? ':dn' : ''}${filter.rule ? `:${filter.rule}` : ''}:=${value(filter.value)})`;
  }
}
